// CPU of the whole process (every thread, kernel included) per benchmark iteration, reported as
// the counter "proc_cpu_us": the cost that competes with serving other requests, whichever
// thread pays it (a log's writer thread, a poller), which Google Benchmark's own CPU time (the
// benchmark thread only) does not see.
#pragma once

#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <cstdint>

namespace tabadul::bench {

inline double ProcessCpuMicros() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

// Measures from construction to destruction; put it around the benchmark loop.
class ProcessCpu {
 public:
  explicit ProcessCpu(benchmark::State& state) : state_(state), start_(ProcessCpuMicros()) {}
  ~ProcessCpu() {
    state_.counters["proc_cpu_us"] = benchmark::Counter(
        (ProcessCpuMicros() - start_) /
        static_cast<double>(std::max<int64_t>(static_cast<int64_t>(state_.iterations()), 1)));
  }
  ProcessCpu(const ProcessCpu&) = delete;
  ProcessCpu& operator=(const ProcessCpu&) = delete;

 private:
  benchmark::State& state_;
  double start_;
};

}  // namespace tabadul::bench
