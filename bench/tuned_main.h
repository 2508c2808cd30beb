// BENCHMARK_MAIN with the allocator tuned as `tabadul`'s main() tunes it
// (docs/design/allocator.md), for benchmarks that stand for the server's request path: without
// it they would measure glibc returning and refaulting each page body, which serve does not do.
#pragma once

#include <benchmark/benchmark.h>

#include "common/allocator.h"

#define TABADUL_BENCHMARK_MAIN()                  \
  int main(int argc, char** argv) {               \
    tabadul::TuneAllocatorForServing();           \
    benchmark::Initialize(&argc, argv);           \
    benchmark::RunSpecifiedBenchmarks();          \
    benchmark::Shutdown();                        \
    return 0;                                     \
  }
