#!/usr/bin/env bash
# Runs the libhush benchmarks (Release) and prints each Hush row beside its
# peers and the primitive floor, as ratios. Extra arguments go to the
# benchmark binary (e.g. --benchmark_filter=OneWay).
#   scripts/bench.sh [--benchmark_min_time=1] ...
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$HUSH_ROOT/scripts/install-deps.sh"
dir="$HUSH_ROOT/build/release"
mkdir -p "$dir"
hush_configure "$dir" -DCMAKE_BUILD_TYPE=Release
cmake --build "$dir" -j "$HUSH_JOBS" --target session_bench crypto_bench >/dev/null
out="$dir/session_bench.json"
"$dir/bench/session_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out" --benchmark_out_format=json "$@" >/dev/null
python3 "$HUSH_ROOT/tools/bench_ratios.py" "$out"
