#!/usr/bin/env bash
# A local three-node hushd cluster for trying issue #17's setup on one
# machine: one PostgreSQL, one Redis, three hushd nodes on loopback ports,
# all in one folder. Not for production (docs/deploy.md, "Several nodes").
#   scripts/cluster.sh start [DIR]   build hushd if needed, start everything, print how to connect
#   scripts/cluster.sh stop [DIR]    stop everything started in DIR and keep the data
#   scripts/cluster.sh status [DIR]  which parts run
# DIR defaults to /tmp/hush-cluster. Ports: PostgreSQL 55432, Redis 56379,
# hushd 58441-58443 (metrics 59461-59463). HUSH_CLUSTER_NODES=N (1-9) starts
# N nodes instead of three; DIR/hushd.toml, if present, configures every node.
# HUSH_CLUSTER_BUILD=0 uses build/release as it is (a caller that built
# hushd already); HUSH_CLUSTER_PG_OPTS adds postgres options ("-c fsync=off").
set -euo pipefail
source "$(dirname "$0")/env.sh"

cmd=${1:-}
dir=${2:-/tmp/hush-cluster}
nodes=${HUSH_CLUSTER_NODES:-3}
[[ "$nodes" =~ ^[1-9]$ ]] || { echo "HUSH_CLUSTER_NODES must be 1-9"; exit 1; }
pg_port=55432
redis_port=56379
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local build="$HUSH_ROOT/build/release"
  if [ "${HUSH_CLUSTER_BUILD:-1}" != 0 ]; then
    "$HUSH_ROOT/scripts/install-deps.sh"
    mkdir -p "$build"
    hush_configure "$build" -DCMAKE_BUILD_TYPE=Release
    cmake --build "$build" -j "$HUSH_JOBS" --target hushd hush_cli_main >"$build.cluster-build.log" 2>&1 ||
      { tail -30 "$build.cluster-build.log"; exit 1; }
  fi
  mkdir -p "$dir"
  if [ ! -d "$dir/pg" ]; then
    mkdir -p "$dir/pg"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir/pg"
    as_postgres "$pgbin/initdb" -D "$dir/pg/data" -A trust -U postgres >"$dir/initdb.log"
  fi
  if ! as_postgres "$pgbin/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1; then
    as_postgres "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
      -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c max_connections=100 ${HUSH_CLUSTER_PG_OPTS:-}" \
      start >/dev/null
    as_postgres "$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'hush'" | grep -q 1 ||
      as_postgres "$pgbin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres hush
  fi
  if ! running "$dir/redis.pid"; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
    for _ in $(seq 50); do [ -f "$dir/redis.pid" ] && break; sleep 0.1; done
  fi
  local urls=() cert="$dir/node1/tls/cert.pem" key="$dir/node1/tls/key.pem" config=()
  [ -f "$dir/hushd.toml" ] && config=(--config "$dir/hushd.toml")
  for n in $(seq "$nodes"); do
    local port=$((58440 + n)) tls=()
    urls+=("https://127.0.0.1:$port")
    running "$dir/node$n.pid" && continue
    # One certificate for the service: node 1 makes it, the others use it.
    [ "$n" -gt 1 ] && tls=(--tls-cert "$cert" --tls-key "$key")
    "$build/server/src/app/hushd" --data "$dir/node$n" --listen "127.0.0.1:$port" \
      --metrics-listen "127.0.0.1:$((59460 + n))" "${tls[@]}" "${config[@]}" \
      --store "postgresql://postgres@127.0.0.1:$pg_port/hush" --redis "127.0.0.1:$redis_port" \
      >"$dir/node$n.out" 2>"$dir/node$n.log" &
    echo $! >"$dir/node$n.pid"
    for _ in $(seq 100); do grep -q "listening on" "$dir/node$n.out" 2>/dev/null && break; sleep 0.1; done
    grep -q "listening on" "$dir/node$n.out" || { echo "node $n did not start:"; cat "$dir/node$n.log"; exit 1; }
  done
  local list
  list=$(IFS=,; echo "${urls[*]}")
  cat <<DONE
cluster running in $dir: PostgreSQL 127.0.0.1:$pg_port, Redis 127.0.0.1:$redis_port, hushd ${urls[*]}
try it:
  $build/cli/hush --home $dir/alice register --server $list --username alice --ca $cert
  $build/cli/hush --home $dir/bob register --server $list --username bob --ca $cert
  $build/cli/hush --home $dir/alice send bob hello; $build/cli/hush --home $dir/bob receive
  kill -9 \$(cat $dir/node1.pid)   # clients move to the next node by themselves
metrics: curl -s http://127.0.0.1:59461/metrics | grep -E 'redis|wakeups'
stop:    $0 stop $dir
DONE
}

stop() {
  for pidfile in "$dir"/node*.pid; do
    [ -f "$pidfile" ] || continue
    if running "$pidfile"; then kill "$(cat "$pidfile")"; fi
    rm -f "$pidfile"
  done
  if running "$dir/redis.pid"; then kill "$(cat "$dir/redis.pid")"; fi
  if [ -d "$dir/pg/data" ]; then as_postgres "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast stop >/dev/null 2>&1 || true; fi
  echo "cluster in $dir stopped (data kept; rm -rf $dir to forget it)"
}

status() {
  for n in $(seq "$nodes"); do running "$dir/node$n.pid" && echo "node $n: running" || echo "node $n: stopped"; done
  running "$dir/redis.pid" && echo "redis: running" || echo "redis: stopped"
  as_postgres "$pgbin/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1 && echo "postgresql: running" || echo "postgresql: stopped"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,9p' "$0"; exit 1 ;;
esac
