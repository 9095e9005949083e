#!/usr/bin/env bash
# The Python bindings' tests (called by scripts/test.sh when present):
#   1. a fresh .venv (system site-packages: numpy, scipy, POT, pandas, matplotlib, nbclient
#      come from Debian), the package installed offline with pip, pytest on python/tests
#      (which also executes python/notebooks/model_collapse.ipynb headless);
#   2. the same module built through CMake (-DCOLLAPSEKIT_BUILD_PYTHON=ON) and through
#      Meson (-Dpython=enabled), niced, while pytest runs; each imported once from its
#      build tree.
# COLLAPSEKIT_JOBS sets the compile parallelism (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${COLLAPSEKIT_JOBS:-$(nproc)}"
py=/usr/bin/python3
start=$(date +%s)
step() { echo; echo "--- [python $(( $(date +%s) - start ))s] $*"; }
# The CMake and Meson builds are checks that those routes build and import the module;
# -O1 keeps them quick on 2 cores (the pip build, the one tested and benchmarked, is -O2),
# and so do unity builds of 6 sources a batch: the binding sources instantiate many of the
# same templates, and one batch compiles them once (measured: 193 -> 106 s of CPU for the
# CMake build). The pip build compiles every source on its own, so a source that misses an
# include still fails there.
# Not -O0: without __OPTIMIZE__ GCC 12 defines the AVX-512BW blend intrinsics as macros,
# whose casts fail on xsimd 8.1's batches (xsimd::select on integer batches), so an
# AVX-512 host cannot build the module at -O0.
check_opt="${COLLAPSEKIT_PYTHON_CHECK_OPT:--O1}"

step "venv + offline pip install (-march=native build of collapsekit._core)"
rm -rf .venv python/build python/collapsekit.egg-info python/collapsekit/_core*.so
"$py" -m venv --system-site-packages .venv
CK_BUILD_JOBS="$jobs" .venv/bin/pip install --no-build-isolation --no-index -q ./python
# Import from outside the source tree so the installed package is the one tested.
(cd /tmp && "$OLDPWD/.venv/bin/python" -c \
  "import collapsekit as ck; print('installed', ck.__version__, 'simd', ck.simd_arch(), 'at', ck.__file__)")

# The CMake and Meson builds of the module only compile, and pytest leaves a core idle
# most of the time: the builds run beside pytest (niced, so the tests keep their pace),
# one after the other, into a log that is printed when they are done.
build_checks() {
  set -e
  echo "--- CMake build of the module (-DCOLLAPSEKIT_BUILD_PYTHON=ON)"
  cmake -S . -B build/python-check-cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="$check_opt -DNDEBUG" \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=6 -DCOLLAPSEKIT_BUILD_PYTHON=ON -DCOLLAPSEKIT_BUILD_TESTS=OFF -DCOLLAPSEKIT_BUILD_BENCHMARKS=OFF \
    -DCOLLAPSEKIT_BUILD_EXAMPLES=OFF -DCOLLAPSEKIT_INSTALL=OFF -DPython_EXECUTABLE="$py" >/dev/null
  cmake --build build/python-check-cmake --target collapsekit_python -j "$jobs"
  echo "--- Meson build of the module (-Dpython=enabled)"
  local meson_opts=(-Dpython=enabled -Dtests=disabled -Dexamples=disabled -Ddebug=false -Doptimization=${check_opt#-O}
                    -Dunity=on -Dunity_size=6)
  if [ -d build/python-check-meson ]; then
    meson setup --reconfigure build/python-check-meson "${meson_opts[@]}" >/dev/null
  else
    meson setup build/python-check-meson "${meson_opts[@]}" >/dev/null
  fi
  meson compile -C build/python-check-meson -j "$jobs"
}
mkdir -p build
build_log=build/python-build-checks.log
step "pytest (includes the notebook, run headless through nbclient), with the CMake and Meson builds of the module beside it"
export py jobs check_opt
export -f build_checks
nice -n 10 bash -c build_checks > "$build_log" 2>&1 &
builds=$!
# Stop the background builds if pytest fails (set -e leaves through this trap).
trap 'kill "$builds" 2>/dev/null || true' EXIT
MPLBACKEND=Agg .venv/bin/python -m pytest -q -p no:cacheprovider python/tests
step "waiting for the CMake and Meson builds of the module"
if ! wait "$builds"; then
  cat "$build_log"
  echo "the CMake or Meson build of the module failed (log above: $build_log)" >&2
  exit 1
fi
trap - EXIT
grep -E '^--- |Linking' "$build_log"

# Imports the module from a build tree (not the venv) and checks where it came from.
import_from() {
  local dir=$1
  (cd /tmp && PYTHONPATH="$dir" "$py" -c "
import collapsekit as ck, os, sys
assert os.path.realpath(ck.__file__).startswith(os.path.realpath(sys.argv[1])), ck.__file__
assert ck.simd_arch() != 'sse2', ck.simd_arch()
print('imported', ck.__file__, 'simd', ck.simd_arch())
" "$dir")
}
step "import the CMake-built and the Meson-built module"
import_from "$PWD/build/python-check-cmake/python"
import_from "$PWD/build/python-check-meson/python"

step "python bindings passed"
