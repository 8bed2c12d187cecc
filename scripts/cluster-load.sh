#!/usr/bin/env bash
# Relay throughput, latency and CPU per component on 1, 2 and 3 hushd nodes
# over one PostgreSQL and one Redis (issue #17, "Scale, measured"). For each
# node count: a fresh cluster (scripts/cluster.sh), then hush-load spreading
# its connections over the nodes, once with every message staying on its
# node (same-node) and, from two nodes on, once with every message going to
# another node (cross-node: the storing node publishes a wake-up on Redis and
# the recipient's node reads the mailbox from PostgreSQL). Prints one
# Markdown table: messages/s, send -> push p50/p99, and CPU milliseconds per
# 1,000 messages of the hushd nodes (summed), PostgreSQL (postmaster and
# every backend, exited ones included), Redis and hush-load.
#
#   scripts/cluster-load.sh            N = 1 2 3; a --max row and a --rate row per pairing; 10 s windows (~5 min)
#   scripts/cluster-load.sh --smoke    N = 1 2, one short --rate row each: does it work (~1 min)
#
# Settings (environment): NODES ("1 2 3"), LOADS ("max rate:1000": closed
# loop, then an open loop at 1,000 messages/s), ACCOUNTS (240, one connection
# each; a multiple of 2 x nodes), DURATION (10 s), WARMUP (2 s), DIR
# (/tmp/hush-cluster-load), PG_OPTS (extra postgres options; default none:
# PostgreSQL's defaults, fsync on), BUILD=0 (use build/release as it is).
# Everything runs on this machine: CPU is shared by every component, so read
# the CPU columns rather than expect a speed-up from more nodes. The ports
# are scripts/cluster.sh's (55432, 56379, 58441-58443): nothing else may hold
# them. Each cluster is stopped and its folder deleted when its rows are done;
# hush-load's full reports stay in DIR/load-*.log.
set -euo pipefail
source "$(dirname "$0")/env.sh"

nodes_list=${NODES:-1 2 3}
loads=${LOADS:-max rate:1000}
accounts=${ACCOUNTS:-240}
duration=${DURATION:-10}
warmup=${WARMUP:-2}
if [ "${1:-}" = --smoke ]; then
  nodes_list=${NODES:-1 2}
  loads=${LOADS:-rate:200}
  accounts=${ACCOUNTS:-24}
  duration=${DURATION:-2}
  warmup=${WARMUP:-1}
elif [ -n "${1:-}" ]; then
  sed -n '13,14p' "$0"
  exit 1
fi
dir=${DIR:-/tmp/hush-cluster-load}
build="$HUSH_ROOT/build/release"
load_bin="$build/tools/hush_load/hush-load"

if [ "${BUILD:-1}" != 0 ]; then
  "$HUSH_ROOT/scripts/install-deps.sh"
  mkdir -p "$build"
  hush_configure "$build" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$build" -j "$HUSH_JOBS" --target hushd hush-load >"$build.cluster-load-build.log" 2>&1 ||
    { tail -30 "$build.cluster-load-build.log"; exit 1; }
fi
for port in 55432 56379 58441 58442 58443; do
  if ss -Hltn "sport = :$port" | grep -q .; then
    echo "port $port is in use (another cluster? scripts/cluster.sh stop DIR)" >&2
    exit 1
  fi
done

current=
current_nodes=
# Stops the cluster in $current and waits until its processes are gone, so
# the next one can take the same ports.
stop_cluster() {
  [ -n "$current" ] || return 0
  local pids=()
  for f in "$current"/node*.pid "$current/redis.pid"; do [ -f "$f" ] && pids+=("$(cat "$f")"); done
  HUSH_CLUSTER_NODES=$current_nodes "$HUSH_ROOT/scripts/cluster.sh" stop "$current" >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$current"
  current=
}
trap stop_cluster EXIT

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
rows=()
started=$(date -u +%H:%M)
for n in $nodes_list; do
  d="$dir/nodes-$n"
  rm -rf "$d"
  mkdir -p "$d"
  printf 'log_level = "warn"\n' >"$d/hushd.toml"
  current=$d current_nodes=$n
  HUSH_CLUSTER_NODES=$n HUSH_CLUSTER_BUILD=0 HUSH_CLUSTER_PG_OPTS="${PG_OPTS:-}" \
    "$HUSH_ROOT/scripts/cluster.sh" start "$d" >"$d/cluster.log" 2>&1 || { cat "$d/cluster.log" >&2; exit 1; }
  args=(--ca "$d/node1/tls/cert.pem" --accounts "$accounts" --accounts-file "$d/accounts.txt"
    --warmup "$warmup" --duration "$duration" --drain 5
    --cpu "postgres=$(head -1 "$d/pg/data/postmaster.pid")" --cpu "redis=$(cat "$d/redis.pid")")
  for i in $(seq "$n"); do
    args+=(--node "127.0.0.1:$((58440 + i))" --cpu "hushd=$(cat "$d/node$i.pid")")
  done
  pairings=same-node
  [ "$n" -ge 2 ] && pairings="same-node cross-node"
  for load in $loads; do
    case $load in
      max) mode=(--max) label=max ;;
      rate:*) mode=(--rate "${load#rate:}") label="${load#rate:}/s" ;;
      *) echo "LOADS: max or rate:N, not $load" >&2; exit 1 ;;
    esac
    for pairing in $pairings; do
      log="$dir/load-$n-nodes-${label//\//-per-}-$pairing.log"  # "1000/s" -> "1000-per-s"
      echo "nodes=$n pairing=$pairing load=$label ..." >&2
      "$load_bin" "${args[@]}" "${mode[@]}" --pairing "$pairing" >"$log" 2>&1 ||
        { echo "hush-load failed ($log):" >&2; tail -20 "$log" >&2; exit 1; }
      r=$(grep '^RESULT' "$log")
      rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$n" "$pairing" "$label" \
        "$(field msgs_per_s "$r")" "$(field p50_ms "$r")" "$(field p99_ms "$r")" \
        "$(field cpu_ms_per_1k_hushd "$r")" "$(field cpu_ms_per_1k_postgres "$r")" \
        "$(field cpu_ms_per_1k_redis "$r")" "$(field cpu_ms_per_1k_hush-load "$r")" \
        "$(sed -n 's/.*loadavg="\([^ ]*\).*/\1/p' <<<"$r")")")
    done
  done
  stop_cluster
done

echo
echo "hush-load over 1..N hushd nodes, one PostgreSQL, one Redis; $accounts connections, 256 B messages,"
echo "${duration} s windows after ${warmup} s warm-up; $(date -u +%F) $started-$(date -u +%H:%M) UTC," \
  "$(nproc) cores, PostgreSQL options: ${PG_OPTS:-defaults}"
echo
echo "| nodes | pairing | load | msgs/s | p50 ms | p99 ms | hushd ms/1k msgs | PostgreSQL ms/1k | Redis ms/1k | hush-load ms/1k | load avg |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
