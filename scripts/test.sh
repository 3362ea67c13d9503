#!/usr/bin/env bash
# Sets up, builds and runs ALL tests: native, then the device client and its
# tests built for aarch64 and run under qemu-user, then armhf when its
# packages could be installed (else says so plainly), then the native suite
# again under ASan+UBSan (clang) with the fuzzers' replays, each fuzzer for a
# bounded time, clang-tidy, and the format and layer checks.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
bash scripts/setup.sh || { echo "test: set-up failed" >&2; exit 1; }

failed=0
passed_total=0
failed_total=0
run_ctest() { # run_ctest <build dir> <label>
  local log="$1/ctest.log"
  echo "== $2 tests =="
  (cd "$1" && ctest -j2 --output-on-failure) | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line total fails
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1)
  total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
  fails=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
  if [ -n "$line" ]; then
    passed_total=$((passed_total + total - fails))
    failed_total=$((failed_total + fails))
  fi
  [ "$rc" = 0 ] || failed=1
}

echo "== native build =="
bash scripts/build.sh native || exit 1
run_ctest build/native "native"

echo "== aarch64 build (device client + tests, cross-compiled) =="
bash scripts/build.sh aarch64 || exit 1
file build/aarch64/device/linecrew-device
file build/aarch64/device/linecrew-device | grep -q "ARM aarch64" || { echo "test: device binary is not aarch64" >&2; failed=1; }
echo "aarch64 tests run under: $(cd build/aarch64 && ctest -N -V 2>/dev/null | grep -m1 'Test command' | sed 's/.*Test command: //' | cut -d' ' -f1)"
run_ctest build/aarch64 "aarch64 (qemu-user)"

armhf_status=$(cat build/armhf-status.txt 2>/dev/null || echo "unknown")
if [ "$armhf_status" = ok ]; then
  echo "== armhf build =="
  if bash scripts/build.sh armhf; then
    file build/armhf/device/linecrew-device
    run_ctest build/armhf "armhf (qemu-user)"
  else
    failed=1
  fi
else
  echo "== armhf: SKIPPED: $armhf_status =="
fi

echo "== sanitizer build (clang, ASan+UBSan, libFuzzer instrumentation; no simulator) =="
if bash scripts/build.sh sanitize; then
  # An ASan or UBSan report aborts the process, so the test that met it fails.
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_ctest build/sanitize "native under ASan+UBSan (with the fuzzers' corpus and regression replays)"
  unset ASAN_OPTIONS UBSAN_OPTIONS
  echo "== fuzzers (${LINECREW_FUZZ_SECONDS:-20} s each, from tests/fuzz/corpus) =="
  bash scripts/fuzz.sh "${LINECREW_FUZZ_SECONDS:-20}" || failed=1
else
  failed=1
fi

echo "== lint (clang-tidy, .clang-tidy; every finding is an error) =="
bash scripts/check-tidy.sh build/native || failed=1

echo "== format check =="
bash scripts/check-format.sh || failed=1

echo "== layer check (no include of a layer above; docs/architecture.md) =="
python3 scripts/check-layers.py || failed=1

echo "test summary: native + aarch64$([ "$armhf_status" = ok ] && echo " + armhf") + sanitizers"
echo "${passed_total} passed, ${failed_total} failed"
exit $failed
