#!/usr/bin/env bash
# Runs every libFuzzer fuzzer of the sanitizer build (scripts/build.sh
# sanitize) for a bounded time, starting from its shipped seed corpus
# (tests/fuzz/corpus/<name>, copied: the shipped corpus is not changed) and
# prints executions and coverage per target. A crash fails the run; libFuzzer
# leaves the input as build/fuzz/<name>/crash-*: add it to
# tests/fuzz/regressions/<name>/ so the replay test keeps it fixed.
# Usage: scripts/fuzz.sh [seconds per target, default 20] [names...]
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
shift || true
bin=build/sanitize/tests/fuzz
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(time zones config nmea tracking_path requests)
failed=0
printf '%-14s %10s %8s %8s %s\n' target execs cov ft result
for n in "${names[@]}"; do
  exe="$bin/${n}_fuzz"
  [ -x "$exe" ] || { echo "fuzz: $exe is not built" >&2; failed=1; continue; }
  work="build/fuzz/$n"
  rm -rf "$work" && mkdir -p "$work/corpus"
  cp tests/fuzz/corpus/"$n"/* "$work/corpus/"
  log="$work/fuzz.log"
  # A fixed seed (LINECREW_FUZZ_SEED, default 1) makes a run repeatable; set another to explore further.
  (cd "$work" && "$OLDPWD/$exe" -seed="${LINECREW_FUZZ_SEED:-1}" -max_total_time="$secs" -print_final_stats=1 \
    -timeout=10 -rss_limit_mb=2048 corpus >fuzz.log 2>&1)
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
  ft=$(echo "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
  result=ok
  if [ $rc != 0 ]; then
    result="CRASH (rc $rc): $(ls "$work"/crash-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -1)"
    failed=1
    grep -E "ERROR|SUMMARY|what\(\)|terminate" "$log" | head -5
  fi
  printf '%-14s %10s %8s %8s %s\n' "$n" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $failed
