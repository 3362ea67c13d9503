#!/usr/bin/env bash
# Installs every Debian package Linecrew needs: host toolchain and libraries,
# the arm64 (multiarch) libraries with the aarch64 cross compiler and qemu-user,
# and, when the mirror serves a usable set, the armhf equivalents.
# Idempotent; run as root (CI and the developer machines are root).
# Writes build/armhf-status.txt: "ok" or the reason armhf is unavailable.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST_PKGS=(
  build-essential cmake pkg-config file ca-certificates
  protobuf-compiler protobuf-compiler-grpc libgrpc++-dev libprotobuf-dev
  libsqlite3-dev sqlite3 libssl-dev libboost-dev libgtest-dev libgmock-dev
  nlohmann-json3-dev libcli11-dev libcpp-httplib-dev clang-format
  python3 python3-grpcio python3-protobuf
  g++-aarch64-linux-gnu qemu-user
  libgps-dev gpsd gpsd-clients  # GpsdSource; gpsfake (in gpsd-clients) for its test
  libncurses-dev  # the handheld's terminal UI (linecrew-device ui)
  chromium fonts-wqy-zenhei  # headless browser test of the customer tracking page (zh-CN text)
  libphonenumber-dev  # core: phone numbers normalised and validated (also :arm64/:armhf below); server: redaction
  clang libclang-rt-14-dev clang-tidy  # the ASan+UBSan build, libFuzzer fuzzers and lint (scripts/build.sh sanitize)
)
# core links libphonenumber, and the handheld links core: it is needed for every architecture.
ARM64_PKGS=(libgrpc++-dev:arm64 libprotobuf-dev:arm64 libsqlite3-dev:arm64 libgtest-dev:arm64 libncurses-dev:arm64
  libphonenumber-dev:arm64)
ARMHF_PKGS=(g++-arm-linux-gnueabihf libgrpc++-dev:armhf libprotobuf-dev:armhf libsqlite3-dev:armhf libgtest-dev:armhf
  libncurses-dev:armhf libphonenumber-dev:armhf)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

apt_update() { # a broken index for one architecture (seen for armhf) must not stop the rest
  $SUDO apt-get update -q || echo "setup: warning: apt-get update reported errors; continuing with the indexes it fetched"
}

missing() { # prints the packages of "$@" that are not installed
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

need_arch() { # a newly added architecture needs a fresh package index
  if ! dpkg --print-foreign-architectures | grep -qx "$1"; then
    $SUDO dpkg --add-architecture "$1"
  fi
}

mkdir -p build
need_arch arm64
need_arch armhf
todo=$(missing "${HOST_PKGS[@]}" "${ARM64_PKGS[@]}")
updated=0
if [ -n "$todo" ]; then
  echo "setup: installing host and arm64 packages:" $todo
  apt_update
  updated=1
  $SUDO apt-get install -y -q --no-install-recommends "${HOST_PKGS[@]}" "${ARM64_PKGS[@]}"
else
  echo "setup: host and arm64 packages already installed"
fi

# armhf is best effort: a mirror with a broken armhf index must not stop the rest.
#
# Seen on this project's mirror: the armhf security index is missing, so
# libssl3:armhf exists only in an older version than the host's libssl3 from
# bookworm-security, and multiarch cannot co-install two versions of a
# "Multi-Arch: same" package: apt refuses every armhf library. Then
# unpack_armhf downloads the armhf .debs (the dependency closure) with
# `apt-get download` and unpacks only their armhf directories
# (/usr/lib/arm-linux-gnueabihf, /usr/include/arm-linux-gnueabihf, the armhf
# loader, and headers not already there), leaving dpkg's own packages as they
# are. The cross toolchain and qemu-arm find them where multiarch would have
# put them. The marker file records what was unpacked.
ARMHF_MARKER=/usr/lib/arm-linux-gnueabihf/linecrew-unpacked.txt
unpack_armhf() {
  local libs=() p
  for p in "${ARMHF_PKGS[@]}"; do [[ "$p" == *:armhf ]] && libs+=("$p"); done
  $SUDO apt-get install -y -q --no-install-recommends g++-arm-linux-gnueabihf >/dev/null || return 1
  local closure
  closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances "${libs[@]}" 2>/dev/null | grep -E '^[a-z0-9][^ ]*:armhf$' | sort -u) || return 1
  [ -n "$closure" ] || return 1
  rm -rf build/armhf-debs build/armhf-root && mkdir -p build/armhf-debs build/armhf-root
  (cd build/armhf-debs && apt-get download $closure >/dev/null 2>&1) || return 1
  for d in build/armhf-debs/*.deb; do dpkg-deb -x "$d" build/armhf-root || return 1; done
  local r=build/armhf-root
  $SUDO mkdir -p /usr/lib/arm-linux-gnueabihf /usr/include/arm-linux-gnueabihf
  $SUDO cp -a "$r/usr/lib/arm-linux-gnueabihf/." /usr/lib/arm-linux-gnueabihf/ &&
    $SUDO cp -an "$r/lib/arm-linux-gnueabihf/." /usr/lib/arm-linux-gnueabihf/ &&
    $SUDO cp -a "$r/usr/include/arm-linux-gnueabihf/." /usr/include/arm-linux-gnueabihf/ &&
    $SUDO cp -rn "$r/usr/include/." /usr/include/ || return 1
  [ -e /usr/lib/ld-linux-armhf.so.3 ] || $SUDO ln -s arm-linux-gnueabihf/ld-linux-armhf.so.3 /usr/lib/ld-linux-armhf.so.3
  (cd build/armhf-debs && ls *.deb) | $SUDO tee "$ARMHF_MARKER" >/dev/null
  rm -rf build/armhf-root
}

unpacked_all() { # did the last unpack_armhf cover every armhf library asked for now (the list grows)?
  local p
  [ -s "$ARMHF_MARKER" ] || return 1
  for p in "${ARMHF_PKGS[@]}"; do
    [[ "$p" == *:armhf ]] || continue
    grep -q "^${p%:armhf}_" "$ARMHF_MARKER" || return 1
  done
}

todo=$(missing "${ARMHF_PKGS[@]}")
if [ -z "$todo" ]; then
  echo ok > build/armhf-status.txt
elif unpacked_all && command -v arm-linux-gnueabihf-g++ >/dev/null; then
  echo ok > build/armhf-status.txt
  echo "setup: armhf libraries were unpacked from .debs earlier ($ARMHF_MARKER)"
else
  [ "$updated" = 1 ] || apt_update
  if log=$($SUDO apt-get install -y -q --no-install-recommends "${ARMHF_PKGS[@]}" 2>&1); then
    echo ok > build/armhf-status.txt
  else
    why="$(echo "$log" | grep -E '^(E:| )' | tail -3 | tr '\n' ' ')"
    echo "setup: apt cannot install the armhf libraries ($why); unpacking their .debs instead"
    if unpack_armhf; then
      echo ok > build/armhf-status.txt
    else
      echo "armhf packages could not be installed: $why; unpacking the .debs failed too" > build/armhf-status.txt
    fi
  fi
fi
echo "setup: armhf: $(cat build/armhf-status.txt)"
