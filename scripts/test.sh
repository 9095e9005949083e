#!/usr/bin/env bash
# Quick-start command 2: install what is missing, then build and run the whole suite:
#   style check; CMake + ctest at three SIMD widths with gcc and clang (host/AVX-512,
#   AVX2, SSE2 + scalar-only); AddressSanitizer + UBSan; Meson + meson test; the
#   installed-package consumers; the Python bindings' tests and notebook.
# `scripts/test.sh quick` runs only the dev build's ctest, for local iteration.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
jobs="${COLLAPSEKIT_JOBS:-$(nproc)}"
start=$(date +%s)
step() { echo; echo "=== [$(( $(date +%s) - start ))s] $*"; }

step setup
bash scripts/setup.sh

run_preset() {
  local preset=$1
  step "cmake preset $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
}

if [ "$mode" = "quick" ]; then
  run_preset dev
  step "quick suite passed"
  exit 0
fi

step "style (.clang-format)"
bash scripts/format.sh

for preset in dev avx2 sse2 asan; do
  run_preset "$preset"
done

step "meson: configure, build, test"
# -O1 without debug info: the dev preset already runs the suite optimised; this proves the Meson build.
meson_opts=(-Doptimization=1 -Ddebug=false)
if [ -d build/meson ]; then meson setup --reconfigure build/meson "${meson_opts[@]}" >/dev/null; else meson setup build/meson "${meson_opts[@]}" >/dev/null; fi
meson test -C build/meson --num-processes "$jobs" --print-errorlogs

if [ -f scripts/test_python.sh ]; then
  step "python bindings"
  bash scripts/test_python.sh
fi

step "all suites passed in $(( $(date +%s) - start ))s"
