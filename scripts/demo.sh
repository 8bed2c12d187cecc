#!/usr/bin/env bash
# The main job on the embedded default: builds hushd and the `hush` command
# line, starts a local hushd (SQLite, TLS, ephemeral loopback port), walks
# alice and bob through an encrypted conversation, shows that their safety
# numbers match and that the server's database holds ciphertext only, and
# says how to carry on chatting by hand. Stops the server at the end unless
# --keep-running. Fails loudly at the first step that does not work.
set -euo pipefail
source "$(dirname "$0")/env.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/demo.sh [--keep-running] [--data DIR]
  --keep-running  leave hushd running at the end (its pid and how to stop it are printed)
  --data DIR      where the server and the two users live (default: a new folder under /tmp)
USAGE
}
keep_running=0
data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-running) keep_running=1 ;;
    --data) data=${2:?--data needs a folder}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 1 ;;
  esac
  shift
done

bold() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }
say() { printf '   %s\n' "$*"; }
fail() {
  printf '\ndemo: FAILED: %s\n' "$1" >&2
  [ -n "${2:-}" ] && [ -s "$2" ] && sed 's/^/   | /' "$2" >&2
  exit 1
}

"$HUSH_ROOT/scripts/install-deps.sh"
build="$HUSH_ROOT/build/release"
mkdir -p "$build"
bold "Building hushd and hush (build/release)"
hush_configure "$build" -DCMAKE_BUILD_TYPE=Release
if ! cmake --build "$build" -j "$HUSH_JOBS" --target hushd hush_cli_main >"$build.demo-build.log" 2>&1; then
  tail -40 "$build.demo-build.log" >"$build.demo-build.tail"
  fail "the build failed (full log: $build.demo-build.log)" "$build.demo-build.tail"
fi
hushd="$build/server/src/app/hushd"
hush_bin="$build/cli/hush"
say "hushd: $hushd"
say "hush:  $hush_bin"

if [ -z "$data" ]; then
  data=$(mktemp -d /tmp/hush-demo-XXXXXX)
elif [ -e "$data" ]; then
  [ -f "$data/.hush-demo" ] || fail "$data exists and is not a previous demo folder: pick another --data"
  rm -rf "$data"
fi
mkdir -p "$data/server"
touch "$data/.hush-demo"
data=$(cd "$data" && pwd)
log="$data/step.log"

# ---------------------------------------------------------------- the server
bold "Starting hushd on SQLite with TLS on an ephemeral loopback port"
"$hushd" --data "$data/server" --listen 127.0.0.1:0 >"$data/server/hushd.out" 2>"$data/server/hushd.log" &
hushd_pid=$!
stop_server() {
  if [ -n "${hushd_pid:-}" ] && kill -0 "$hushd_pid" 2>/dev/null; then
    kill -TERM "$hushd_pid" 2>/dev/null || true
    wait "$hushd_pid" 2>/dev/null || true
  fi
}
trap '[ "$keep_running" = 1 ] || stop_server' EXIT
for _ in $(seq 1 200); do
  grep -q '^hushd listening on ' "$data/server/hushd.out" 2>/dev/null && break
  kill -0 "$hushd_pid" 2>/dev/null || fail "hushd exited at start" "$data/server/hushd.log"
  sleep 0.1
done
grep -q '^hushd listening on ' "$data/server/hushd.out" || fail "hushd did not start in 20 s" "$data/server/hushd.log"
address=$(sed -n 's/^hushd listening on \([^ ]*\) .*/\1/p' "$data/server/hushd.out")
cert=$(awk '/^hushd tls certificate /{print $4}' "$data/server/hushd.out")
server="https://$address"
db="$data/server/hush.db"
sed 's/^/   /' "$data/server/hushd.out"
say "database: $db"

# ---------------------------------------------------------------- the users
# alice unlocks her store with a passphrase (HUSH_PASSPHRASE, Argon2id),
# bob with a key file; both pin hushd's self-signed certificate with --ca.
passphrase="correct horse battery staple"
alice() { HUSH_PASSPHRASE="$passphrase" "$hush_bin" --home "$data/alice" "$@"; }
bob() { "$hush_bin" --home "$data/bob" --key-file "$data/bob.key" "$@"; }
# step DESCRIPTION COMMAND...: runs it, shows its output indented, fails the demo if it fails.
step() {
  local what=$1
  shift
  if "$@" >"$log" 2>&1; then
    sed 's/^/   /' "$log"
  else
    fail "$what (exit $?)" "$log"
  fi
}

bold "Registering alice (passphrase) and bob (key file)"
step "registering alice" alice register --server "$server" --username alice --ca "$cert"
step "registering bob" bob register --server "$server" --username bob --ca "$cert"

phrases=("Meet me at the old lighthouse at nine" "Bring the blue umbrella, it will rain"
  "The password for the boathouse is marmalade")
reply="Lighthouse at nine, blue umbrella, marmalade: got it"

bold "alice sends bob three messages (bob is offline)"
for p in "${phrases[@]}"; do step "alice sending to bob" alice send bob "$p"; done

bold "What the server holds for bob right now (sqlite3 on $(basename "$db"))"
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed"
sqlite3 -readonly -header -column "$db" "
  SELECT q.seq, s.username AS sender, lower(hex(q.message_id)) AS message_id,
         length(b.content) AS bytes, lower(hex(substr(b.content, 1, 20))) || '...' AS ciphertext
  FROM queue q JOIN bodies b ON b.id = q.body_id JOIN accounts r ON r.id = q.account_id
       JOIN accounts s ON s.id = q.sender_account
  WHERE r.username = 'bob' ORDER BY q.seq;" >"$log" 2>&1 || fail "reading the server database" "$log"
sed 's/^/   /' "$log"
[ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM queue q JOIN accounts a ON a.id = q.account_id WHERE a.username = 'bob'")" -ge 3 ] ||
  fail "bob's mailbox should hold the three messages"
say "The server sees who writes to whom and when (to deliver), never what: each body is ciphertext."
say "Message lengths are padded, so they do not reveal the texts' lengths."
check_no_plaintext() {
  local found=0
  for p in "${phrases[@]}" "$reply"; do
    for f in "$data"/server/hush.db*; do
      if grep -a -q -F "$p" "$f"; then
        say "FOUND \"$p\" in $(basename "$f")"
        found=1
      fi
    done
  done
  [ "$found" = 0 ] || fail "plaintext found in the server's files"
  say "grep for each phrase in $(cd "$data/server" && echo hush.db*): not found"
}
check_no_plaintext

bold "bob comes online and receives"
step "bob receiving" bob receive --wait 10
step "bob replying" bob send alice "$reply"
step "alice receiving" alice receive --wait 10

bold "Safety numbers: each side computes the same 60 digits"
alice_sn=$(alice --json safety-number bob 2>"$log") || fail "alice's safety number" "$log"
bob_sn=$(bob --json safety-number alice 2>"$log") || fail "bob's safety number" "$log"
alice_digits=$(printf '%s' "$alice_sn" | sed -n 's/.*"grouped":"\([0-9 ]*\)".*/\1/p')
bob_digits=$(printf '%s' "$bob_sn" | sed -n 's/.*"grouped":"\([0-9 ]*\)".*/\1/p')
say "alice sees: $alice_digits"
say "bob sees:   $bob_digits"
[ -n "$alice_digits" ] && [ "$alice_digits" = "$bob_digits" ] || fail "the safety numbers differ"
say "They match: nobody sits between alice and bob. (\`hush safety-number bob --qr\` draws it as a QR code.)"
step "alice verifying bob" alice verify bob --yes
step "bob verifying alice" bob verify alice --yes

bold "alice's history with bob (from her encrypted local store)"
step "alice's history" alice history bob

bold "What the server holds now"
remaining=$(sqlite3 -readonly "$db" "SELECT count(*) FROM queue") || fail "reading the server database"
bodies=$(sqlite3 -readonly "$db" "SELECT count(*) FROM bodies")
say "mailbox rows: $remaining, message bodies: $bodies (delivered messages are deleted once acknowledged)"
check_no_plaintext
for who in alice bob; do
  for p in "${phrases[@]}" "$reply"; do
    for f in "$data/$who"/hush.db*; do grep -a -q -F "$p" "$f" && fail "plaintext found in $who's local store ($(basename "$f"))"; done
  done
done
say "and none in alice's or bob's local store either (message bodies are sealed with XChaCha20-Poly1305)"

bold "Carry on by hand"
cat <<EOF_HELP
   In two terminals (the server must be running: scripts/demo.sh --keep-running):

     HUSH_PASSPHRASE='$passphrase' $hush_bin --home $data/alice chat bob
     $hush_bin --home $data/bob --key-file $data/bob.key chat alice

   Other commands: $hush_bin --help   (reference: docs/cli.md)
EOF_HELP

if [ "$keep_running" = 1 ]; then
  bold "hushd keeps running"
  say "pid $hushd_pid on $server; stop it with: kill $hushd_pid"
  say "data: $data"
else
  stop_server
  bold "hushd stopped"
  say "data left in $data (run with --keep-running to keep the server up)"
fi
