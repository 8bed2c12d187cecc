#!/usr/bin/env bash
# PostgreSQL plan-stability benchmark (issue #17, item 5): one hushd on a
# PostgreSQL started here in a temporary folder, then PG_ROUNDS (5) rounds of
# `hush-load --max` in a row on the same database, so every round after the
# first meets tables (sent, dead queue and body tuples) the earlier rounds
# grew. Passes when no round's throughput falls more than
# PG_ROUNDS_TOLERANCE percent (20) below the first round's (a faster round
# is shown, not failed: on a shared machine the neighbours come and go);
# prints one line per round with the CPU per relayed message of hushd and of
# PostgreSQL (its server processes over the whole round: what a plan that
# scans a growing table shows even when the neighbours blur the throughput)
# and the load average (read the figures with it).
#
#   scripts/pg-rounds.sh                      # build/release, builds hushd and hush-load first
#   BUILD_DIR=build/other PG_ROUNDS_BUILD=0 scripts/pg-rounds.sh   # another build, as it is
#   PG_ROUNDS_PG_OPTS="-c shared_preload_libraries=auto_explain -c auto_explain.log_min_duration=50" \
#     PG_ROUNDS_SERVER_LOG=/tmp/pg.log scripts/pg-rounds.sh          # the plans of slow statements
#
# Everything it starts (PostgreSQL, hushd) is stopped and deleted on exit.
set -euo pipefail
source "$(dirname "$0")/env.sh"
BUILD_DIR=${BUILD_DIR:-$HUSH_ROOT/build/release}
ROUNDS=${PG_ROUNDS:-5}
TOLERANCE=${PG_ROUNDS_TOLERANCE:-20}
ACCOUNTS=${PG_ROUNDS_ACCOUNTS:-200}
DURATION=${PG_ROUNDS_DURATION:-8}
if [ "${PG_ROUNDS_BUILD:-1}" = 1 ]; then
  cmake --build "$BUILD_DIR" -j"$HUSH_JOBS" --target hushd hush-load
fi
HUSHD="$BUILD_DIR/server/src/app/hushd"
LOAD="$BUILD_DIR/tools/hush_load/hush-load"
PGBIN=${HUSH_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}

WORK=$(mktemp -d /tmp/hush-pg-rounds-XXXXXX)
chmod 711 "$WORK"  # postgres must reach its folder inside
mkdir -p "$WORK/pg" "$WORK/hushd"
# initdb and postgres refuse to run as root: the database folder is postgres's.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres: "$WORK/pg"; fi
HUSHD_PID=
cleanup() {
  if [ -n "$HUSHD_PID" ]; then kill "$HUSHD_PID" 2>/dev/null && wait "$HUSHD_PID" 2>/dev/null || true; fi
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  if [ -n "${PG_ROUNDS_SERVER_LOG:-}" ]; then cp "$WORK/pg/log" "$PG_ROUNDS_SERVER_LOG" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -A trust -U postgres -E UTF8 >/dev/null
# PostgreSQL's defaults otherwise (fsync on, autovacuum on): what an operator runs.
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$WORK/pg ${PG_ROUNDS_PG_OPTS:-}" start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres hush

printf 'log_level = "warn"\n' >"$WORK/hushd.toml"
"$HUSHD" --data "$WORK/hushd" --listen 127.0.0.1:0 --config "$WORK/hushd.toml" \
  --store "postgresql://postgres@127.0.0.1:$PGPORT/hush" >"$WORK/hushd.out" 2>"$WORK/hushd.err" &
HUSHD_PID=$!
for _ in $(seq 200); do
  grep -q 'listening on' "$WORK/hushd.out" 2>/dev/null && break
  kill -0 "$HUSHD_PID" 2>/dev/null || { cat "$WORK/hushd.err" >&2; exit 1; }
  sleep 0.1
done
PORT=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$WORK/hushd.out" | cut -d: -f2)
[ -n "$PORT" ] || { echo "hushd did not start" >&2; cat "$WORK/hushd.err" >&2; exit 1; }

# CPU seconds (user + system) of the PostgreSQL server processes now alive.
TICKS=$(getconf CLK_TCK)
pg_cpu() {
  local pm
  pm=$(head -1 "$WORK/pg/data/postmaster.pid")
  for p in "$pm" $(pgrep -P "$pm"); do cat "/proc/$p/stat" 2>/dev/null; done |
    awk -v t="$TICKS" '{ s += $14 + $15 } END { printf "%.3f", s / t }'
}

first=
status=0
for round in $(seq "$ROUNDS"); do
  cpu0=$(pg_cpu)
  out=$("$LOAD" --ca "$WORK/hushd/tls/cert.pem" --connect "127.0.0.1:$PORT" --server-pid "$HUSHD_PID" \
    --accounts "$ACCOUNTS" --accounts-file "$WORK/accounts.txt" \
    --max --warmup 2 --duration "$DURATION" --drain 5 2>&1) || { echo "$out" >&2; exit 1; }
  cpu1=$(pg_cpu)
  result=$(grep '^RESULT' <<<"$out")
  pushed=$(sed -n 's/.*pushed \([0-9]*\) (unique).*/\1/p' <<<"$out")
  pg_us=$(awk -v a="$cpu0" -v b="$cpu1" -v n="${pushed:-0}" 'BEGIN { if (n > 0) printf "%.1f", (b - a) * 1e6 / n; else print "-" }')
  rate=$(sed -n 's/.* msgs_per_s=\([0-9]*\).*/\1/p' <<<"$result")
  p99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$result")
  cpu=$(sed -n 's/.* hushd_cpu_us_per_msg=\([0-9.]*\).*/\1/p' <<<"$result")
  load=$(sed -n 's/.* loadavg="\([^"]*\)".*/\1/p' <<<"$result")
  first=${first:-$rate}
  pct=$(( rate * 100 / (first > 0 ? first : 1) ))
  verdict=ok
  if [ "$pct" -lt $(( 100 - TOLERANCE )) ]; then
    verdict="BELOW $(( 100 - TOLERANCE ))%"
    status=1
  elif [ "$pct" -gt $(( 100 + TOLERANCE )) ]; then
    verdict="faster (a quieter moment?)"
  fi
  printf 'round %d: %6d msgs/s (%3d%% of round 1)  p99 %8s ms  hushd %6s us/msg  postgres %6s us/msg  load %s  %s\n' \
    "$round" "$rate" "$pct" "$p99" "$cpu" "$pg_us" "$load" "$verdict"
done
rows=$(as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d hush -Atc \
  "SELECT (SELECT COUNT(*) FROM sent) || ' sent rows, ' || pg_size_pretty(pg_database_size('hush'))")
echo "database after $ROUNDS rounds: $rows"
[ "$status" = 0 ] && echo "PASS: no round below $(( 100 - TOLERANCE ))% of the first" || echo "FAIL: a round fell below $(( 100 - TOLERANCE ))% of the first"
exit $status
