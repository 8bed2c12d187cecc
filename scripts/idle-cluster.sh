#!/usr/bin/env bash
# Many idle authenticated TLS WebSocket connections across several hushd
# nodes at once (issue #17, "Scale, measured"): one PostgreSQL, one Redis,
# NODES hushd nodes (scripts/cluster.sh), and one hush-load process per node
# (each process, like each node, is held to the container's 20,000 open
# files). Every connection is its own account's device, so Redis holds one
# presence subscription per connection, as in production.
#   scripts/idle-cluster.sh [TOTAL] [NODES]     defaults: 100000 6
# Registers TOTAL accounts on the first run (saved in $DIR/accounts-N.txt and
# reused), opens every connection, waits until the nodes' /metrics count
# TOTAL open WebSockets, then reports the memory of each node, of Redis and of
# each hush-load, and holds them HOLD seconds (default 60). DIR defaults to
# /tmp/hush-idle; the cluster is stopped at the end (data kept).
set -euo pipefail
source "$(dirname "$0")/env.sh"

total=${1:-100000}
nodes=${2:-6}
dir=${DIR:-/tmp/hush-idle}
hold=${HOLD:-60}
# TLS handshakes in flight per hush-load process: all of them share the
# machine with the nodes, and a handshake starved past hushd's deadline fails.
concurrency=${OPEN_CONCURRENCY:-32}
per=$(((total + nodes - 1) / nodes))
build="$HUSH_ROOT/build/release"
mkdir -p "$dir"

# Limits a public node would keep are raised for a load generator on
# loopback: it registers from a few 127.x addresses and holds thousands of
# connections per address. The safety-net mailbox poll stays at its default.
cat >"$dir/hushd.toml" <<EOF
log_level = "warn"
max_connections_per_address = 0
registration_burst = 1000000
registration_per_minute = 1000000
registration_global_burst = 1000000
registration_global_per_second = 1000000
EOF

hush_configure "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$HUSH_JOBS" --target hushd hush-load >"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log"; exit 1; }
HUSH_CLUSTER_NODES=$nodes "$HUSH_ROOT/scripts/cluster.sh" start "$dir" >/dev/null
trap 'HUSH_CLUSTER_NODES=$nodes "$HUSH_ROOT/scripts/cluster.sh" stop "$dir" >/dev/null' EXIT

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
metric() { curl -s "http://127.0.0.1:$((59460 + $1))/metrics" | awk -v m="$2" '$1 == m {print int($2)}'; }
redis_rss() { redis-cli -p 56379 info memory | awk -F: '/^used_memory_rss:/ {print int($2 / 1024)}' | tr -d '\r'; }
cert="$dir/node1/tls/cert.pem"
load() {  # load NODE ARGS...
  local n=$1
  shift
  "$build/tools/hush_load/hush-load" --ca "$cert" --connect "127.0.0.1:$((58440 + n))" \
    --server-pid "$(cat "$dir/node$n.pid")" --accounts "$per" --accounts-file "$dir/accounts-$n.txt" "$@"
}

declare -A node_before
for n in $(seq "$nodes"); do node_before[$n]=$(rss_kib "$(cat "$dir/node$n.pid")"); done
redis_before=$(redis_rss)

# Registration first (one process per node, all at once), so that the timed
# opening below starts with every account in PostgreSQL.
started=$(date +%s)
for n in $(seq "$nodes"); do load "$n" --idle 1 --hold 0 >"$dir/register-$n.log" 2>&1 & done
wait
# hush-load saves what it registered and registers what is missing on the next
# run (a registration refused under load is simply retried there).
echo "registered $(cat "$dir"/accounts-*.txt | wc -l) of $((nodes * per)) accounts in $(($(date +%s) - started)) s"

started=$(date +%s)
pids=()
for n in $(seq "$nodes"); do
  load "$n" --idle "$per" --threads 2 --open-concurrency "$concurrency" --hold 570 >"$dir/idle-$n.log" 2>&1 &
  pids+=($!)
done
# Until every connection is open, or the count has not grown for 60 s (a
# connection hush-load could not open is not retried: the report says so).
open=0 best=0 still=0
for _ in $(seq 3600); do
  open=0
  for n in $(seq "$nodes"); do open=$((open + $(metric "$n" hushd_websockets_open))); done
  [ "$open" -ge "$((nodes * per))" ] && break
  if [ "$open" -gt "$best" ]; then best=$open still=0; else still=$((still + 1)); fi
  [ "$still" -ge 60 ] && break
  sleep 1
done
echo "open WebSockets: $open of $((nodes * per)) after $(($(date +%s) - started)) s"
sleep 5

node_total=0
printf '%-6s %12s %14s %16s %14s\n' node websockets "RSS before MiB" "RSS with MiB" "bytes/conn"
for n in $(seq "$nodes"); do
  pid=$(cat "$dir/node$n.pid")
  now=$(rss_kib "$pid")
  ws=$(metric "$n" hushd_websockets_open)
  node_total=$((node_total + now))
  printf '%-6s %12s %14s %16s %14s\n' "$n" "$ws" $((node_before[$n] / 1024)) $((now / 1024)) \
    $(((now - node_before[$n]) * 1024 / (ws > 0 ? ws : 1)))
done
redis_now=$(redis_rss)
subscribed=$(redis-cli -p 56379 pubsub numpat | tr -d '\r')
channels=$(redis-cli -p 56379 pubsub channels '*' | wc -l)
load_total=0
for p in $(pgrep -x hush-load); do load_total=$((load_total + $(rss_kib "$p"))); done
echo "nodes: $((node_total / 1024)) MiB in all"
echo "redis: ${redis_before} KiB -> ${redis_now} KiB RSS, $channels channels ($subscribed patterns): $(((redis_now - redis_before) * 1024 / (open > 0 ? open : 1))) bytes per connection"
echo "hush-load: $((load_total / 1024)) MiB in all over $nodes processes"
for n in $(seq "$nodes"); do echo "node $n mailbox polls so far: $(metric "$n" hushd_mailbox_polls_total)"; done
echo "RESULT mode=idle-cluster nodes=$nodes connections=$open node_rss_mib=$((node_total / 1024)) redis_rss_kib=$redis_now"
sleep "$hold"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
