#!/usr/bin/env bash
# Messages per second one `hush daemon` sends (issue #16): to one contact,
# and to a group of ten members (the sender and nine others, one device
# each), against a local hushd (SQLite, TLS, loopback). The requests go in
# one after the other over the daemon's --stdio JSON-RPC (the daemon runs
# them one at a time); the rate is (N2 - N1) / (T(N2) - T(N1)) over two runs
# of N1 and N2 sends, so that the daemon's start-up (store open, connection)
# cancels out. Each run repeats REPS times; the median rate is printed.
#
# Usage: bench/daemon_throughput.sh [--sends N] [--reps R] [--bin BUILD_DIR]
#   N sends in the long run (default 300; the short run has 1), R
#   repetitions (default 3). BUILD_DIR holds server/src/app/hushd and
#   cli/hush (default build/release).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sends=300
reps=3
bin="$root/build/release"
while [ $# -gt 0 ]; do
  case "$1" in
    --sends) sends=${2:?--sends needs a number}; shift ;;
    --reps) reps=${2:?--reps needs a number}; shift ;;
    --bin) bin=${2:?--bin needs a build folder}; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 1 ;;
  esac
  shift
done
hushd="$bin/server/src/app/hushd"
hush_bin="$bin/cli/hush"
[ -x "$hushd" ] && [ -x "$hush_bin" ] || { echo "no hushd or hush under $bin" >&2; exit 1; }

data=$(mktemp -d /tmp/hush-daemon-bench-XXXXXX)
# Room for every message of the runs in each mailbox, and registrations
# from one address.
cat >"$data/hushd.toml" <<'TOML'
registration_burst = 10000
registration_per_minute = 10000
lookup_burst = 100000
bundle_fetch_burst = 100000
queue_cap = 100000
sender_share = 0
TOML
source "$root/bench/local_hushd.sh"
start_local_hushd

for who in alice bob member1 member2 member3 member4 member5 member6 member7 member8; do
  as "$who" register --server "https://$address" --username "$who" --ca "$cert"
done

# daemon_run FILE: feeds FILE's JSON-RPC lines to alice's daemon over
# --stdio; prints the wall time in ms and checks every request was answered
# without an error.
daemon_run() {
  local t0 t1 out="$data/out.jsonl" want
  want=$(grep -c '"id"' "$1")
  t0=$(date +%s%N)
  "$hush_bin" --home "$data/alice" --key-file "$data/alice.key" daemon --stdio --socket "$data/d.sock" \
    <"$1" >"$out" 2>>"$data/errors.log"
  t1=$(date +%s%N)
  local answered errors
  answered=$(grep -c '"result"' "$out" || true)
  errors=$(grep -c '"error"' "$out" || true)
  if [ "$answered" -lt "$want" ] || [ "$errors" -ne 0 ]; then
    echo "daemon answered $answered of $want requests, $errors errors:" >&2
    grep '"error"' "$out" | head -3 >&2
    exit 1
  fi
  echo $(((t1 - t0) / 1000000))
}
# requests KIND N: N send (or groupSend) lines.
requests() {
  local kind=$1 n=$2 i
  for i in $(seq 1 "$n"); do
    if [ "$kind" = one ]; then
      printf '{"jsonrpc":"2.0","method":"send","params":{"recipient":"bob","message":"message %d"},"id":%d}\n' "$i" "$i"
    else
      printf '{"jsonrpc":"2.0","method":"groupSend","params":{"group":"ten","message":"message %d"},"id":%d}\n' "$i" "$i"
    fi
  done
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Sessions first (and the group), so that the runs measure the steady state.
printf '%s\n' \
  '{"jsonrpc":"2.0","method":"send","params":{"recipient":"bob","message":"hello"},"id":1}' \
  '{"jsonrpc":"2.0","method":"groupCreate","params":{"name":"ten","members":["bob","member1","member2","member3","member4","member5","member6","member7","member8"]},"id":2}' \
  '{"jsonrpc":"2.0","method":"groupSend","params":{"group":"ten","message":"hello all"},"id":3}' >"$data/setup.jsonl"
daemon_run "$data/setup.jsonl" >/dev/null

for kind in one group; do
  requests "$kind" 1 >"$data/short.jsonl"
  requests "$kind" "$sends" >"$data/long.jsonl"
  : >"$data/rates"
  for _ in $(seq 1 "$reps"); do
    short=$(daemon_run "$data/short.jsonl")
    long=$(daemon_run "$data/long.jsonl")
    awk -v n="$((sends - 1))" -v a="$short" -v b="$long" 'BEGIN {printf "%.1f\n", n * 1000 / (b - a)}' >>"$data/rates"
  done
  label=$([ "$kind" = one ] && echo "to one contact     " || echo "to a 10-member group")
  echo "daemon sends $label: median $(median <"$data/rates") msgs/s over $reps reps ($(tr '\n' ' ' <"$data/rates")); $sends sends per run"
done
exit 0
