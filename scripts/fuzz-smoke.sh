#!/usr/bin/env bash
# Short fuzzing run of every libFuzzer target: builds them with clang (ASan +
# UBSan, libhush instrumented for coverage) in build/fuzz, then runs each for
# N seconds (default 10) on a scratch copy of its committed corpus, so new
# inputs never land in fuzz/corpus by accident. Exits non-zero on the first
# crash, leak or sanitizer report; the reproducer is left in build/fuzz/crashes.
#   scripts/fuzz-smoke.sh [SECONDS] [TARGET...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

seconds=${1:-10}
shift || true
build="$HUSH_ROOT/build/fuzz"

if [[ ! -f "$build/build.ninja" ]]; then
  mkdir -p "$build"
  # Tests stay on: the fuzz targets link hush_test_support, defined under tests/.
  # HUSH_BUILD_FUZZ compiles everything with -fsanitize=fuzzer-no-link, so
  # coverage reaches into libhush, not only the targets' own files.
  CC=clang CXX=clang++ hush_configure "$build" -DHUSH_BUILD_FUZZ=ON -DHUSH_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHUSH_BUILD_BENCH=OFF -DHUSH_BUILD_SERVER=OFF -DHUSH_BUILD_CLIENT=OFF
fi

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=()
  for f in "$HUSH_ROOT"/fuzz/*.cpp; do
    grep -q LLVMFuzzerTestOneInput "$f" && targets+=("$(basename "$f" .cpp)")
  done
fi

cmake --build "$build" -j "${HUSH_JOBS}" --target "${targets[@]/#/fuzz_}"

mkdir -p "$build/crashes"
status=0
for t in "${targets[@]}"; do
  work="$build/corpus-smoke/$t"
  rm -rf "$work" && mkdir -p "$work"
  if [[ -d "$HUSH_ROOT/fuzz/corpus/$t" ]]; then cp -r "$HUSH_ROOT/fuzz/corpus/$t/." "$work/"; fi
  # Stateful targets read the input as a program: let it be long from the start.
  extra=()
  [[ $t == decrypt_* ]] && extra=(-len_control=0 -max_len=512)
  echo "== $t: ${seconds}s"
  if ! "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 "${extra[@]}" \
      -artifact_prefix="$build/crashes/$t-" "$work" 2>"$build/$t.log"; then
    tail -n 40 "$build/$t.log"
    echo "!! $t failed: reproducer in $build/crashes/" >&2
    status=1
  else
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+[[:space:]]+DONE)' "$build/$t.log" || true
  fi
done
exit $status
