#!/usr/bin/env bash
# Installs every Debian 12 package Hush needs to build, test, benchmark and fuzz.
# Idempotent: when everything is present it prints nothing and exits at once.
set -euo pipefail

packages=(
  # toolchain
  build-essential g++ cmake ninja-build ccache pkg-config git clang-format
  clang libclang-rt-14-dev          # libFuzzer targets
  # libhush
  libsodium-dev libssl-dev libxeddsa-dev libprotobuf-dev protobuf-compiler libfmt-dev
  # hushd
  libboost1.81-dev libsqlite3-dev libpq-dev postgresql libtomlplusplus-dev openssl
  libhiredis-dev redis-server        # several nodes: wake-ups between them (tests start their own redis-server)
  # hush client
  libqrencode-dev nlohmann-json3-dev   # QR codes; JSON-RPC of `hush daemon` (cli/ only)
  # tests and benchmarks (peers are test-only: never linked into what we install)
  libgtest-dev libgmock-dev libbenchmark-dev libsignal-protocol-c-dev libolm-dev tmux sqlite3 python3
  zlib1g-dev libgcrypt20-dev        # ML-KEM vector files (.gz) and an independent SHAKE-128 stream
  valgrind                          # the KEM's constant-time test (memcheck)
)

# Node.js runs the npm test peers (tests/peers/kem-node); any node ≥ 18 will
# do, so Debian's is installed only when there is none.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

# npm peers, pinned by their committed package-lock.json; reinstalled only
# when the lockfile changed since the last install.
install_npm_peers() {
  local dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/peers/kem-node"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in tests/peers/kem-node"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  install_npm_peers
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_npm_peers
