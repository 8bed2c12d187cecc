#!/usr/bin/env python3
"""Pairs BM_Hush_X with BM_Floor_X, BM_Libsignal_X, BM_Olm_X and BM_OlmLive_X
from a Google Benchmark JSON file (median CPU time) and prints a Markdown
table of microseconds and ratios. Used by scripts/bench.sh."""
import json
import sys

IMPLS = ["Hush", "Floor", "Libsignal", "Olm", "OlmLive"]
# Hush-only rows compared with another row's floor and peers: a first-contact
# setup does the same work on the floor's and the peers' side as Setup (they
# check no identity key either way).
SAME_AS = {"SetupFirstContact": "Setup"}


def main(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        name = b.get("run_name", b["name"]).replace("_median", "")
        parts = name.split("_", 2)
        if len(parts) < 3 or parts[0] != "BM" or parts[1] not in IMPLS:
            continue
        unit = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]]
        rows.setdefault(parts[2], {})[parts[1]] = b["cpu_time"] * unit
    print("| operation | Hush µs | floor µs | Hush/floor | libsignal-protocol-c µs | libsignal/Hush | libolm µs (pickled / live) | olm/Hush |")
    print("|---|---|---|---|---|---|---|---|")
    for op in sorted(rows):
        r = dict(rows.get(SAME_AS.get(op, op), {}))
        r.update(rows[op])
        h = r.get("Hush")
        if h is None:
            continue

        def fmt(x):
            return "–" if x is None else (f"{x:.1f}" if x < 100 else f"{x:.0f}")

        def ratio(a, b):
            return "–" if a is None or b is None else f"{a / b:.2f}×"

        olm = r.get("Olm")
        live = r.get("OlmLive")
        print(f"| {op} | {fmt(h)} | {fmt(r.get('Floor'))} | {ratio(h, r.get('Floor'))} | "
              f"{fmt(r.get('Libsignal'))} | {ratio(r.get('Libsignal'), h)} | {fmt(olm)} / {fmt(live)} | "
              f"{ratio(min(x for x in (olm, live) if x is not None) if (olm or live) else None, h)} |")


if __name__ == "__main__":
    main(sys.argv[1])
