#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test (unit,
# integration, conformance, bounded fuzzing). Exit status is non-zero when anything fails.
#   TABADUL_FUZZ_RUNS=N   inputs per fuzzer (default 20000; 0 skips the fuzz stage)
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build}
# Benchmarks are built and run on their own (bench/README.md); the test build skips them.
CMAKE_ARGS="-DTABADUL_OPT_LEVEL=1 -DTABADUL_BENCH=OFF ${CMAKE_ARGS:-}" scripts/setup.sh
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 900

runs=${TABADUL_FUZZ_RUNS:-20000}
if [ "$runs" != "0" ] && ls fuzz/*/CMakeLists.txt >/dev/null 2>&1; then
  echo "== fuzzing: $runs inputs per target (clang + libFuzzer) =="
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DTABADUL_OPT_LEVEL=1 \
    -DTABADUL_FUZZ=ON -DTABADUL_TESTS=OFF -DTABADUL_BENCH=OFF >/dev/null
  cmake --build build-fuzz -j "${JOBS:-$(nproc)}" --target fuzzers
  TABADUL_FUZZ_RUNS=$runs ctest --test-dir build-fuzz --output-on-failure -j "${JOBS:-$(nproc)}"
fi
