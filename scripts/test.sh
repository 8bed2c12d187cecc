#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs ctest.
#   scripts/test.sh              Release build (build/release)
#   scripts/test.sh --sanitize   ASan+UBSan build (build/asan)
# Ends with ctest's summary; exits non-zero if anything failed.
# Tests labelled "long" (minutes each, e.g. the 1,000,000-test ML-KEM run) are
# skipped here and so in CI; run them with: ctest -L long.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$HUSH_ROOT/scripts/install-deps.sh"

mode=release
[ "${1:-}" = "--sanitize" ] && mode=asan
dir="$HUSH_ROOT/build/$mode"
mkdir -p "$dir"

if [ "$mode" = asan ]; then
  # -O1 -g1: what the sanitizers recommend, with line tables for their
  # reports; it halves the compile time of the Beast files (186 -> 92 s for
  # ws_session.cpp) against -O2 -g, which keeps CI's cold build in budget.
  hush_configure "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHUSH_SANITIZE=ON -DHUSH_BUILD_BENCH=OFF \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  hush_configure "$dir" -DCMAKE_BUILD_TYPE=Release
fi

echo "== building ($mode) =="
cmake --build "$dir" -j "$HUSH_JOBS" 2>&1 | tail -n 30
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

echo "== testing ($mode) =="
cd "$dir"
ctest --output-on-failure -j "$HUSH_JOBS" --timeout 900 -LE long
