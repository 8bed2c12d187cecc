#!/usr/bin/env bash
# Version-4 ratios that a noisy machine cannot fake (issue #15): every V4 row
# of session_bench (BM_HushV4_* and its BM_FloorV4_*) run ROUNDS times, each
# run a separate short process, Hush and floor alternating back to back
# (which of the two goes first alternates too), so a slow spell of the VM hits
# both sides of a ratio alike. Prints, per row, the minimum and the median of
# wall (real) and CPU time for Hush and for the floor, and the ratios of the
# minima and of the medians. Noise (other processes, a busy host, a cold
# cache) only ever adds time, so the minima are the figures closest to the
# code's own cost; the medians show how far a typical run drifts from them.
# The last column is the median of each round's own ratio (a Hush run over
# the floor run right beside it): a slow spell that lasts a whole round
# cancels out of it, so it is the steadiest figure while the machine is busy.
#   bench/v4_ratio.sh [--build DIR] [--rounds N] [--min-time SECONDS]
#     --build DIR   build tree holding bench/session_bench (default build/release;
#                   if DIR has a build.ninja, session_bench is built there first)
#     --rounds N    runs of each row per side (default 11)
#     --min-time S  --benchmark_min_time of each run (default 0.2)
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
dir="$HUSH_ROOT/build/release"
rounds=11
min_time=0.2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) dir=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--rounds N] [--min-time SECONDS]" >&2; exit 2 ;;
  esac
done
if [[ "$dir" == "$HUSH_ROOT/build/release" && ! -e "$dir/build.ninja" ]]; then
  mkdir -p "$dir"
  hush_configure "$dir" -DCMAKE_BUILD_TYPE=Release
fi
if [[ -e "$dir/build.ninja" ]]; then
  cmake --build "$dir" -j "$HUSH_JOBS" --target session_bench >/dev/null
fi
bench="$dir/bench/session_bench"
[[ -x "$bench" ]] || { echo "$0: no $bench" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rows=(Setup OneWay/256 OneWay/4096 PingPong/256)
for ((round = 0; round < rounds; ++round)); do
  if ((round % 2 == 0)); then sides=(HushV4 FloorV4); else sides=(FloorV4 HushV4); fi
  for row in "${rows[@]}"; do
    for side in "${sides[@]}"; do
      "$bench" --benchmark_filter="^BM_${side}_${row}\$" --benchmark_min_time="$min_time" \
        --benchmark_format=json >"$out/${side}_${row//\//_}_$round.json" 2>/dev/null
    done
  done
done

python3 - "$out" "$rounds" "${rows[@]}" <<'PY'
import glob
import json
import os
import statistics
import sys

out_dir, rounds, rows = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def runs(side, row):
    """Real and CPU time (µs) of each round's run of one side of a row, by round."""
    out = {}
    for path in glob.glob(os.path.join(out_dir, f"{side}_{row.replace('/', '_')}_*.json")):
        round_no = int(path.rsplit("_", 1)[1].split(".")[0])
        for b in json.load(open(path))["benchmarks"]:
            out[round_no] = (b["real_time"] * scale[b["time_unit"]], b["cpu_time"] * scale[b["time_unit"]])
    if not out:
        sys.exit(f"v4_ratio: no result for {side} {row}")
    return out


print(f"{rounds} alternating runs per side; times in µs; ratio = Hush / floor")
print("| row | clock | Hush min | Hush median | floor min | floor median | ratio of minima | ratio of medians "
      "| median of paired ratios |")
print("|---|---|---|---|---|---|---|---|---|")
for row in rows:
    hush, floor = runs("HushV4", row), runs("FloorV4", row)
    for clock, k in (("real", 0), ("CPU", 1)):
        h = [t[k] for t in hush.values()]
        f = [t[k] for t in floor.values()]
        paired = [hush[r][k] / floor[r][k] for r in hush if r in floor]
        hm, fm = min(h), min(f)
        hd, fd = statistics.median(h), statistics.median(f)
        print(f"| {row} | {clock} | {hm:.1f} | {hd:.1f} | {fm:.1f} | {fd:.1f} | {hm / fm:.2f}× | {hd / fd:.2f}× "
              f"| {statistics.median(paired):.2f}× |")
PY
