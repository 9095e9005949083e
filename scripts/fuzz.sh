#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang 16 with -fsanitize=fuzzer,address,
# undefined) and runs each for SECONDS on a copy of its seed corpus.
#
#   scripts/fuzz.sh [-j N] [SECONDS] [TARGET...]
#
#   SECONDS   per target (default 60); TARGET names (default: every fuzz_* target)
#   -j N      run N targets at a time (default $FUZZ_JOBS, else 1); CI with 2 cores: -j 2
#
# Before fuzzing, each target replays its reproducers in tests/fuzz/regressions/<target>/
# (if any). New corpus entries go to a work directory, never into the git tree: a fresh
# temporary one, or $FUZZ_WORK (kept, so that repeated runs build on each other). Crash,
# leak, timeout and out-of-memory reproducers go to $FUZZ_ARTIFACTS (default
# build/fuzz/artifacts). Memory is capped (-rss_limit_mb=2048 -malloc_limit_mb=512), so an
# allocation sized by a forged field is a finding, not a slow success.
# Prints per target: executions, coverage (cov: edges, ft: features, from libFuzzer's final
# stats) and the result; exits 1 on any finding, naming the reproducer, 2 on a usage error.
# Other knobs: FUZZ_CXX (clang++-16), FUZZ_BUILD_DIR (build/fuzz), FUZZ_BUILD_JOBS (2),
# FUZZ_CXXFLAGS (-march=native), FUZZ_OPT (-O2), FUZZ_TIMEOUT (10: seconds one input may
# take before it counts as a hang; raise it for campaigns on a busy or niced machine, where
# a starved process otherwise reports inputs that run in 0.2 s as timeouts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="${FUZZ_JOBS:-1}"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -j) jobs="${2:?-j needs a number}"; shift 2 ;;
    -j*) jobs="${1#-j}"; shift ;;
    --jobs=*) jobs="${1#--jobs=}"; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"
seconds=60
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then seconds="$1"; shift; fi
all_targets=(fuzz_deserialize_histogram fuzz_deserialize_entropy fuzz_deserialize_ngram_counts
             fuzz_deserialize_hyperloglog fuzz_tokenizer fuzz_vector_measures fuzz_simd_vs_scalar)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [[ ! " ${all_targets[*]} " == *" $t "* ]]; then
    echo "fuzz.sh: unknown target '$t' (known: ${all_targets[*]})" >&2
    exit 2
  fi
done
if ! [[ "$jobs" =~ ^[1-9][0-9]*$ ]]; then echo "fuzz.sh: -j needs a positive number" >&2; exit 2; fi

cxx="${FUZZ_CXX:-clang++-16}"
# Absolute paths: each target runs in its own work directory.
build="$(realpath -m "${FUZZ_BUILD_DIR:-$root/build/fuzz}")"
artifacts="$(realpath -m "${FUZZ_ARTIFACTS:-$build/artifacts}")"
start=$(date +%s)
# Symbolised stacks in the logs (Debian's clang-16 has no llvm-symbolizer of its own).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer >/dev/null 2>&1; then
  export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer)"
fi

echo "=== building ${#targets[@]} fuzz targets in $build ($cxx)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="${FUZZ_OPT:--O2}" -DCMAKE_CXX_FLAGS="${FUZZ_CXXFLAGS:--march=native}" \
  -DCOLLAPSEKIT_FUZZ=ON -DCOLLAPSEKIT_BUILD_TESTS=OFF -DCOLLAPSEKIT_BUILD_BENCHMARKS=OFF \
  -DCOLLAPSEKIT_BUILD_EXAMPLES=OFF -DCOLLAPSEKIT_INSTALL=OFF -DCOLLAPSEKIT_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j "${FUZZ_BUILD_JOBS:-2}" --target "${targets[@]}"
built=$(date +%s)
echo "=== built in $((built - start)) s; fuzzing ${#targets[@]} targets for $seconds s each, $jobs at a time"

if [ -n "${FUZZ_WORK:-}" ]; then
  work="$(realpath -m "$FUZZ_WORK")"
  mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/collapsekit-fuzz.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$artifacts"

# One target: replay its regressions, then fuzz. Writes $work/<target>/{log,rc}.
run_target() {
  local t="$1" bin="$build/tests/fuzz/$1" dir="$work/$1"
  mkdir -p "$dir/corpus"
  local seeds="$root/tests/fuzz/corpus/$t" regressions="$root/tests/fuzz/regressions/$t"
  [ -d "$seeds" ] && cp -n "$seeds"/* "$dir/corpus/" 2>/dev/null || true
  local limits=(-rss_limit_mb=2048 -malloc_limit_mb=512 -timeout="${FUZZ_TIMEOUT:-10}")
  : >"$dir/log"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! "$bin" "${limits[@]}" "$regressions"/* >>"$dir/log" 2>&1; then
      echo "regression" >"$dir/rc"
      return
    fi
  fi
  local rc=0
  (cd "$dir" && "$bin" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 \
     -artifact_prefix="$artifacts/$t-" corpus >>"$dir/log" 2>&1) || rc=$?
  echo "$rc" >"$dir/rc"
}

running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
wait

status=0
printf '\n%-32s %12s %8s %8s %8s  %s\n' target executions exec/s cov ft result
for t in "${targets[@]}"; do
  dir="$work/$t"
  log="$dir/log"
  rc="$(cat "$dir/rc" 2>/dev/null || echo missing)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -1)"
  # The last status line ("#N DONE cov: C ft: F ..." or the last progress line).
  last="$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)"
  cov="$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")"
  if [ "$rc" = 0 ]; then
    result=ok
  else
    status=1
    reproducer="$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //' || true)"
    if [ "$rc" = regression ]; then
      result="FAILED replaying tests/fuzz/regressions/$t (log: $log)"
    elif [ "$rc" = 72 ]; then  # libFuzzer's exit code on SIGINT / SIGTERM
      result="INTERRUPTED from outside (no finding; log: $log)"
    else
      result="FINDING (exit $rc) reproducer: ${reproducer:-none written} (log: $log)"
    fi
    if [ -z "${FUZZ_WORK:-}" ]; then  # the work directory goes away: keep the log
      cp "$log" "$artifacts/$t.log"
      result="${result/log: $log/log: $artifacts/$t.log}"
    fi
  fi
  printf '%-32s %12s %8s %8s %8s  %s\n' "$t" "${execs:--}" "${speed:--}" "${cov:--}" "${ft:--}" "$result"
  if [ "$rc" != 0 ]; then
    grep -E '\*\*\* (input|collapsekit fuzz finding)|ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$log" | head -5 | sed 's/^/    /' || true
  fi
done
echo "=== $(( $(date +%s) - start )) s in all (build $((built - start)) s)"
exit $status
