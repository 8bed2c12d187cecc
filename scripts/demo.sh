#!/usr/bin/env bash
# The main job on the embedded default. Until hushd and the client exist it
# is a short demonstration of libhush's crypto layer; issue #6 replaces it
# with a local server and two users talking.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$HUSH_ROOT/scripts/install-deps.sh"
dir="$HUSH_ROOT/build/release"
mkdir -p "$dir"
hush_configure "$dir" -DCMAKE_BUILD_TYPE=Release
cmake --build "$dir" -j "$HUSH_JOBS" --target hush-crypto-demo >/dev/null
"$dir/tools/hush-crypto-demo"
