#!/usr/bin/env bash
# Configures and builds one flavour. Usage: scripts/build.sh native|aarch64|armhf|sanitize [cmake args...]
# Build trees: build/native, build/aarch64, build/armhf, build/sanitize.
# sanitize: one clang build with ASan+UBSan for the test suites and the
# libFuzzer fuzzers (tests/fuzz); no simulator (its storms run natively).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:?usage: scripts/build.sh native|aarch64|armhf|sanitize}
shift
jobs=${LINECREW_JOBS:-2}
case "$flavour" in
  native)
    cmake -S . -B build/native -DLINECREW_BUILD_SERVER=ON -DLINECREW_BUILD_DEVICE=ON "$@" >build/native-configure.log 2>&1 ||
      { cat build/native-configure.log; exit 1; }
    cmake --build build/native -j"$jobs"
    ;;
  sanitize)
    CC=clang CXX=clang++ cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DLINECREW_SANITIZE=ON -DLINECREW_FUZZ=ON \
      -DLINECREW_BUILD_SIM=OFF "$@" >build/sanitize-configure.log 2>&1 || { cat build/sanitize-configure.log; exit 1; }
    cmake --build build/sanitize -j"$jobs"
    ;;
  aarch64 | armhf)
    triplet=aarch64-linux-gnu
    [ "$flavour" = armhf ] && triplet=arm-linux-gnueabihf
    # The device client alone, its tests run under qemu against the native server.
    cmake -S . -B "build/$flavour" -DCMAKE_TOOLCHAIN_FILE="cross/$triplet.cmake" \
      -DLINECREW_BUILD_SERVER=OFF -DLINECREW_BUILD_DEVICE=ON \
      -DLINECREW_NATIVE_SERVER_BIN="$PWD/build/native/server/linecrew-server" "$@" \
      >"build/$flavour-configure.log" 2>&1 || { cat "build/$flavour-configure.log"; exit 1; }
    cmake --build "build/$flavour" -j"$jobs"
    ;;
  *) echo "unknown flavour '$flavour'" >&2; exit 2 ;;
esac
