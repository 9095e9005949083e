#!/usr/bin/env bash
# Quick-start command 2: install what is missing, then build and run the whole suite:
#   style check; a consumer's view of the headers (g++, clang++ 14 and 16 x -O2, -O3 x
#   x86-64, -v3, -v4 under -Wall -Wextra -Werror); CMake + ctest at every SIMD width:
#   AVX-512 (gcc -march=x86-64-v4, every target, built on any host and run where the CPU
#   has avx512f), the host's own build (gcc -march=native, when that is not AVX-512),
#   scalar-only (COLLAPSEKIT_NO_SIMD); AVX2 under AddressSanitizer + UBSan (clang 16,
#   -march=x86-64-v3), with every libFuzzer target (tests/fuzz) replaying its regressions
#   and fuzzing for 5 s; Meson + meson test at the SSE2 baseline; the installed-package
#   consumers; the Python bindings' tests
#   and notebook. Ends with the seconds each stage took.
# `scripts/test.sh quick` runs only the dev build's ctest, for local iteration.
# ccache is used when installed (setup.sh installs it); COLLAPSEKIT_CCACHE=0 turns it off.
# COLLAPSEKIT_HOST_ISA=avx2 makes the script treat this host as one without AVX-512 (the
# AVX-512 tests are compiled but not run, and the dev build, at -march=x86-64-v3, runs in
# their place), to check that path on an AVX-512 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
jobs="${COLLAPSEKIT_JOBS:-$(nproc)}"
start=$(date +%s)
stage_names=()
stage_secs=()
stage_start=$start
current=""
finish_stage() {
  if [ -n "$current" ]; then
    stage_names+=("$current")
    stage_secs+=($(($(date +%s) - stage_start)))
  fi
}
step() {
  finish_stage
  current="$*"
  stage_start=$(date +%s)
  echo
  echo "=== [$((stage_start - start))s] $*"
}
summary() {
  finish_stage
  current=""
  echo
  echo "=== stage seconds"
  for i in "${!stage_names[@]}"; do printf '%6ss  %s\n' "${stage_secs[$i]}" "${stage_names[$i]}"; done
}

step setup
bash scripts/setup.sh

launcher=()
if [ "${COLLAPSEKIT_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

if [ "${COLLAPSEKIT_HOST_ISA:-}" = avx2 ]; then
  host_avx512=0
elif grep -qw avx512f /proc/cpuinfo; then
  host_avx512=1
else
  host_avx512=0
fi

build_preset() {
  local preset=$1
  shift
  cmake --preset "$preset" "${launcher[@]}" "$@" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
}
run_preset() {
  local preset=$1
  shift
  step "cmake preset $preset: configure, build, test"
  build_preset "$preset" "$@"
  ctest --preset "$preset" -j "$jobs"
}

if [ "$mode" = "quick" ]; then
  run_preset dev
  summary
  echo "quick suite passed"
  exit 0
fi

step "style (.clang-format)"
bash scripts/format.sh

step "consumer view of the headers: every compiler x -O2/-O3 x x86-64 level, -Wall -Wextra -Werror"
bash scripts/check_consumer_warnings.sh

step "cmake preset avx512 (gcc -march=x86-64-v4): configure, build every target"
build_preset avx512
if [ "$host_avx512" = 1 ]; then
  echo "this host has avx512f: running the AVX-512 tests"
  ctest --preset avx512 -j "$jobs"
else
  if [ "${COLLAPSEKIT_HOST_ISA:-}" = avx2 ]; then why="COLLAPSEKIT_HOST_ISA=avx2 treats this host as one without avx512f"; else why="this host has no avx512f"; fi
  echo "SKIPPED running the AVX-512 tests: $why (they compiled; run them on an AVX-512 host)"
fi

if [ "$host_avx512" = 1 ]; then
  step "cmake preset dev: skipped, -march=native is x86-64-v4 on this host and the avx512 build ran"
else
  # The host's own width runs the tests and the installed-package consumers. The avx512
  # build compiled the examples, benchmarks and header checks already, and -O2 without
  # debug info is what the avx512 build uses.
  dev_args=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DCOLLAPSEKIT_HEADER_CHECKS=OFF
    -DCOLLAPSEKIT_BUILD_EXAMPLES=OFF -DCOLLAPSEKIT_BUILD_BENCHMARKS=OFF)
  if [ "${COLLAPSEKIT_HOST_ISA:-}" = avx2 ]; then
    dev_args+=(-DCMAKE_CXX_FLAGS=-march=x86-64-v3)  # what -march=native gives an AVX2 host
  fi
  run_preset dev "${dev_args[@]}"
fi

# The AVX2 kernels run under the asan preset (-march=x86-64-v3 with ASan + UBSan), which
# replaced a separate avx2 preset run: one compile of the suite fewer.
for preset in sse2 asan; do
  run_preset "$preset"
done

step "meson (SSE2 baseline, -Dnative_arch=false): configure, build, test"
# The Meson build is also the suite's SSE2 run (the sse2 preset builds only the
# scalar-only program): one compile of the suite proves both. -O1 without debug info.
# Its test list is explicit, so first check that it names every test file CMake globs
# (except the thread-count tests test_parallel_*, which the CMake presets run).
missing=$(for f in tests/test_*.cpp; do
  b=$(basename "$f")
  case $b in test_parallel_*) continue ;; esac
  grep -q "'$b'" tests/meson.build || echo "$b"
done)
if [ -n "$missing" ]; then
  echo "tests/meson.build does not list: $missing" >&2
  exit 1
fi
meson_opts=(-Doptimization=1 -Ddebug=false -Dnative_arch=false)
if [ -d build/meson ]; then meson setup --reconfigure build/meson "${meson_opts[@]}" >/dev/null; else meson setup build/meson "${meson_opts[@]}" >/dev/null; fi
meson test -C build/meson --num-processes "$jobs" --print-errorlogs

if [ -f scripts/test_python.sh ]; then
  step "python bindings"
  bash scripts/test_python.sh
fi

summary
echo "all suites passed in $(($(date +%s) - start))s (host: $([ "$host_avx512" = 1 ] && echo AVX-512 || echo 'no AVX-512'), $(nproc) cores)"
