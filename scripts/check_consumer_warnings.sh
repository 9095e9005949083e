#!/usr/bin/env bash
# Compiles tests/consumer/all_measures.cpp the way a consumer does, with nothing but
# -std=c++17 -Wall -Wextra -Werror and the include directory: GCC at -O2 and -O3 and every
# clang found (clang++, clang++-16) at -O2, at baseline x86-64, x86-64-v3 and x86-64-v4. Each
# binary the host can run is run (it checks its own numbers). Prints one line per build.
# COLLAPSEKIT_JOBS sets the parallelism (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${COLLAPSEKIT_JOBS:-$(nproc)}"
out=build/consumer-warnings
mkdir -p "$out"

compilers=(g++)
for c in clang++ clang++-16; do command -v "$c" >/dev/null && compilers+=("$c"); done
levels=(x86-64 x86-64-v3 x86-64-v4)
host_runs() {  # can this host run code built for level $1?
  case $1 in
    x86-64) return 0 ;;
    x86-64-v3) grep -qw avx2 /proc/cpuinfo ;;
    x86-64-v4) grep -qw avx512f /proc/cpuinfo ;;
  esac
}

build_one() {
  local cxx=$1 opt=$2 level=$3
  local name="${cxx}_${opt#-}_${level}"
  if ! "$cxx" -std=c++17 "$opt" -march="$level" -Wall -Wextra -Werror -Iinclude \
      tests/consumer/all_measures.cpp -o "$out/$name" 2>"$out/$name.log"; then
    echo "FAIL  $cxx $opt -march=$level: does not compile warning-free"; head -5 "$out/$name.log"; return 1
  fi
  if host_runs "$level"; then
    if ! "$out/$name" >"$out/$name.out"; then
      echo "FAIL  $cxx $opt -march=$level: wrong results"; cat "$out/$name.out"; return 1
    fi
    echo "ok    $cxx $opt -march=$level: warning-free, ran"
  else
    echo "ok    $cxx $opt -march=$level: warning-free (this host cannot run it: skipped the run)"
  fi
}
export -f build_one host_runs
export out

# GCC's -Wmaybe-uninitialized, -Warray-bounds and -Wstringop-* come from its optimisers, so
# GCC builds at -O2 and -O3; clang's warnings come from its front end and do not change
# with the optimisation level, so clang builds at -O2 only.
for cxx in "${compilers[@]}"; do
  opts=(-O2 -O3)
  [[ $cxx == clang* ]] && opts=(-O2)
  for opt in "${opts[@]}"; do for level in "${levels[@]}"; do
    echo "$cxx $opt $level"
  done; done
done | xargs -P "$jobs" -L 1 bash -c 'build_one "$@"' _ | sort
