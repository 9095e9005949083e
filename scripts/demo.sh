#!/usr/bin/env bash
# Quick-start command 1: install what is missing, build the examples, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release -DCOLLAPSEKIT_BUILD_BENCHMARKS=OFF -DCOLLAPSEKIT_BUILD_EXAMPLES=ON >/dev/null
demo=quickstart
[ -f examples/collapse_demo.cpp ] && demo=collapse_demo
cmake --build --preset release --target "$demo"
"./build/release/examples/$demo" "$@"
