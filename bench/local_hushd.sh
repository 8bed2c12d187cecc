# Sourced by the client benchmarks (client_roundtrips.sh, daemon_throughput.sh):
# a hushd on a loopback port with its data in "$data/server", and `as`, the
# hush CLI as one user. Needs $hushd, $hush_bin and $data set, and the hushd
# configuration in "$data/hushd.toml". Sets hushd_pid, address and cert; the
# EXIT trap stops hushd and removes $data.

start_local_hushd() {
  mkdir -p "$data/server"
  "$hushd" --data "$data/server" --listen 127.0.0.1:0 --config "$data/hushd.toml" \
    >"$data/server/hushd.out" 2>"$data/server/hushd.log" &
  hushd_pid=$!
  trap stop_local_hushd EXIT
  for _ in $(seq 1 200); do
    grep -q '^hushd listening on ' "$data/server/hushd.out" 2>/dev/null && break
    sleep 0.1
  done
  address=$(sed -n 's/^hushd listening on \([^ ]*\) .*/\1/p' "$data/server/hushd.out")
  cert=$(awk '/^hushd tls certificate /{print $4}' "$data/server/hushd.out")
  [ -n "$address" ] || { echo "hushd did not start" >&2; cat "$data/server/hushd.log" >&2; exit 1; }
}

stop_local_hushd() {
  kill -TERM "$hushd_pid" 2>/dev/null || true
  wait "$hushd_pid" 2>/dev/null || true
  rm -rf "$data"
}

as() {  # as USER ARGS...: hush for USER (key file), quiet
  local who=$1
  shift
  "$hush_bin" --home "$data/$who" --key-file "$data/$who.key" "$@" >/dev/null 2>>"$data/errors.log"
}
