#!/usr/bin/env bash
# Crash soak of hushd: the crash test (tests/crash) with a hundred SIGKILL
# cycles (SOAK_CYCLES to change) on SQLite, PostgreSQL and a three-node
# cluster (PostgreSQL + Redis, one node killed per cycle; Redis killed under
# load), printing lost, duplicated and redelivered counts per run. Builds the test in
# BUILD_DIR (default build/soak, Release; HUSH_SANITIZE=ON for ASan).
# Exit status: non-zero if any backend lost or duplicated a message.
set -euo pipefail
source "$(dirname "$0")/env.sh"
BUILD_DIR=${BUILD_DIR:-$HUSH_ROOT/build/soak}
CYCLES=${SOAK_CYCLES:-100}
mkdir -p "$BUILD_DIR"
hush_configure "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} -DHUSH_BUILD_BENCH=OFF \
  -DHUSH_SANITIZE=${HUSH_SANITIZE:-OFF} ${SOAK_CMAKE_ARGS:-}
cmake --build "$BUILD_DIR" -j"$HUSH_JOBS" --target hushd hushd_crash_test >"$BUILD_DIR.build.log" 2>&1 || {
  tail -40 "$BUILD_DIR.build.log" >&2
  exit 1
}

status=0
# name and gtest filter of each run
runs=(
  "Sqlite Sqlite/*"
  "Postgres Postgres/*"
  "Cluster HushdClusterCrash.KilledNodesLoseNothingAndTheirClientsMoveToTheOthers"
  "ClusterRedis HushdClusterCrash.KilledRedisLosesNothingAndPushResumes"
)
for run in "${runs[@]}"; do
  read -r name filter <<<"$run"
  log="$BUILD_DIR/soak-$name.log"
  echo "== $name: $CYCLES cycles (log: $log)"
  if ! HUSH_CRASH_CYCLES=$CYCLES timeout 3600 "$BUILD_DIR/tests/crash/hushd_crash_test" \
      --gtest_filter="$filter" >"$log" 2>&1; then
    status=1
    grep -E "Failure|error|Expected|Which is" "$log" | head -20 >&2 || true
  fi
  line=$(grep '^crash-test ' "$log" || echo "crash-test backend=$name (no counts: see the log)")
  echo "$line"
  # The three figures the soak is for, one per line.
  for key in lost stored_twice duplicates_after_dedup wire_duplicates redelivered acknowledged delivered; do
    printf '  %-24s %s\n' "$key" "$(sed -n "s/.* $key=\([0-9]*\).*/\1/p" <<<"$line")"
  done
done
exit $status
