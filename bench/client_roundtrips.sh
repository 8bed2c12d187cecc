#!/usr/bin/env bash
# Client round trips and wall time (issue #16): `hush send` to a known
# contact, `hush send` to a first contact and `hush receive` of one message,
# each RUNS times against a local hushd (SQLite, TLS, loopback), as p50/p90
# in milliseconds; and the requests each of them made, counted from hushd's
# debug log ("request" lines, by kind). The sender unlocks its store with a
# key file (no Argon2id in the timings) and has one device.
#
# Usage: bench/client_roundtrips.sh [--runs N] [--bin BUILD_DIR]
#   BUILD_DIR holds server/src/app/hushd and cli/hush (default build/release).
# Prints one line per measurement; the data folder is removed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=100
bin="$root/build/release"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --bin) bin=${2:?--bin needs a build folder}; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 1 ;;
  esac
  shift
done
hushd="$bin/server/src/app/hushd"
hush_bin="$bin/cli/hush"
[ -x "$hushd" ] && [ -x "$hush_bin" ] || { echo "no hushd or hush under $bin" >&2; exit 1; }

data=$(mktemp -d /tmp/hush-roundtrips-XXXXXX)
# Limits raised so that a hundred registrations and lookups from one
# address fit; debug logging gives one "request" line per request.
cat >"$data/hushd.toml" <<'TOML'
log_level = "debug"
registration_burst = 10000
registration_per_minute = 10000
lookup_burst = 100000
bundle_fetch_burst = 100000
TOML
source "$root/bench/local_hushd.sh"
start_local_hushd

register() { as "$1" register --server "https://$address" --username "$1" --ca "$cert"; }
now_ns() { date +%s%N; }
# p50 and p90 of the numbers (ms) in file $1.
percentiles() { sort -n "$1" | awk '{v[NR]=$1} END {printf "p50 %.1f ms  p90 %.1f ms", v[int((NR+1)/2)], v[int(NR*0.9+0.5)]}'; }
log_lines() { wc -l <"$data/server/hushd.log"; }
# Requests by kind of the account whose id is $3, in hushd's log after line
# $1, per run ($2 runs): "kind count ... | total".
requests_since() {
  tail -n +"$(($1 + 1))" "$data/server/hushd.log" | grep "event=request peer=$3\." |
    sed -n 's/.* kind=\([a-z_]*\).*/\1/p' | sort | uniq -c |
    awk -v n="$2" '{printf "%s %.2f, ", $2, $1 / n; total += $1} END {printf "total %.2f per run", total / n}'
}
account_of() { "$hush_bin" --home "$data/$1" --key-file "$data/$1.key" --json whoami | sed -n 's/.*"account_id":"\([0-9a-f]*\)".*/\1/p'; }

register alice
register bob
for i in $(seq 1 "$runs"); do register "rcpt$i"; done
as alice send bob "hello"  # a session with bob: he is a known contact from now on
as bob receive --wait 5

alice_id=$(account_of alice)
bob_id=$(account_of bob)
[ -n "$alice_id" ] && [ -n "$bob_id" ] || { echo "whoami gave no account id" >&2; exit 1; }

: >"$data/known.ms"
start=$(log_lines)
for i in $(seq 1 "$runs"); do
  t0=$(now_ns)
  as alice send bob "known contact $i"
  echo $((($(now_ns) - t0) / 1000)) | awk '{print $1 / 1000}' >>"$data/known.ms"
done
sleep 0.2
echo "send, known contact:  $(percentiles "$data/known.ms")  requests: $(requests_since "$start" "$runs" "$alice_id")"
as bob receive --wait 5  # the hundred messages, out of the way

: >"$data/first.ms"
start=$(log_lines)
for i in $(seq 1 "$runs"); do
  t0=$(now_ns)
  as alice send "rcpt$i" "first contact"
  echo $((($(now_ns) - t0) / 1000)) | awk '{print $1 / 1000}' >>"$data/first.ms"
done
sleep 0.2
echo "send, first contact:  $(percentiles "$data/first.ms")  requests: $(requests_since "$start" "$runs" "$alice_id")"

: >"$data/receive.ms"
start=$(log_lines)
for i in $(seq 1 "$runs"); do
  as alice send bob "to receive $i"
  t0=$(now_ns)
  as bob receive --wait 5
  echo $((($(now_ns) - t0) / 1000)) | awk '{print $1 / 1000}' >>"$data/receive.ms"
done
sleep 0.2
echo "receive, one message: $(percentiles "$data/receive.ms")  requests: $(requests_since "$start" "$runs" "$bob_id")"
grep -v "^created key file" "$data/errors.log" | sort | uniq -c | head | sed "s/^/stderr: /" || true
exit 0
