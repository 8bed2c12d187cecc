#!/usr/bin/env bash
# Version-4 comparison (issue #15): session_bench's BM_HushV4_* and
# BM_FloorV4_* rows beside libsignal-client 0.103 timed inside Node
# (tests/peers/kem-node/bench-signal.mjs) in the same run, as one Markdown
# table, plus the Node boundary's cost (an empty native call, an empty await).
# All times are wall-clock (Node has no per-thread CPU clock to compare with),
# so run it on an idle machine. Extra arguments go to session_bench.
#   bench/run_v4_compare.sh [--benchmark_min_time=1] ...
#   HUSH_NODE_MIN_SECONDS=1   seconds per libsignal-client row
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
dir="$HUSH_ROOT/build/release"
peer="$HUSH_ROOT/tests/peers/kem-node"
mkdir -p "$dir"
hush_configure "$dir" -DCMAKE_BUILD_TYPE=Release
cmake --build "$dir" -j "$HUSH_JOBS" --target session_bench >/dev/null
[[ -d "$peer/node_modules/@signalapp/libsignal-client" ]] ||
  (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

hush_json="$dir/session_bench_v4.json"
node_json="$dir/libsignal_client_v4.json"
"$dir/bench/session_bench" --benchmark_filter='V4' --benchmark_out="$hush_json" --benchmark_out_format=json \
  "$@" >/dev/null
node "$peer/bench-signal.mjs" "${HUSH_NODE_MIN_SECONDS:-1}" >"$node_json"

python3 - "$hush_json" "$node_json" <<'PY'
import json
import sys

hush = json.load(open(sys.argv[1]))
node = json.load(open(sys.argv[2]))
rows = {}  # operation -> {"HushV4": bench row, "FloorV4": bench row}
for b in hush["benchmarks"]:
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
        continue
    name = b.get("run_name", b["name"])
    parts = name.split("_", 2)
    if len(parts) == 3 and parts[1] in ("HushV4", "FloorV4"):
        rows.setdefault(parts[2], {})[parts[1]] = b
client = {r["name"]: r for r in node["rows"]}


def us(b):
    return None if b is None else b["real_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]]


def fmt(x, digits=1):
    return "–" if x is None else f"{x:.{digits}f}"


def ratio(a, b):
    return "–" if a is None or b is None else f"{a / b:.2f}×"


print("| operation | Hush v4 µs | floor v4 µs | Hush/floor | libsignal-client µs (incl. Node) | client/Hush "
      "| bytes/msg Hush / client | SPQR bytes/msg Hush / client |")
print("|---|---|---|---|---|---|---|---|")
for op in ["Setup", "OneWay/256", "OneWay/4096", "PingPong/256"]:
    h, f, c = rows.get(op, {}).get("HushV4"), rows.get(op, {}).get("FloorV4"), client.get(op)
    ch = None if c is None else c["ns_per_op"] / 1e3
    print(f"| {op} | {fmt(us(h))} | {fmt(us(f))} | {ratio(us(h), us(f))} | {fmt(ch)} | {ratio(ch, us(h))} "
          f"| {fmt(h and h.get('bytes_per_message'), 0)} / {fmt(c and c.get('bytes_per_message'), 0)} "
          f"| {fmt(h and h.get('spqr_bytes_per_message'))} / {fmt(c and c.get('spqr_bytes_per_message'))} |")
b = {r["name"]: r["ns_per_op"] for r in node["boundary"]}
print()
print(f"Node boundary ({node['library']}): an empty native call {b['native_call']:.0f} ns, "
      f"an empty await {b['empty_await']:.0f} ns (each store callback costs at least one await).")
PY
