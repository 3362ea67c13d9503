#!/usr/bin/env bash
# clang-tidy with the project's .clang-tidy over its own sources (core,
# storage, planner, server, device, sim; not generated code, not the tests),
# from a build's compile_commands.json. Every check kept is an error: any
# finding fails. Usage: scripts/check-tidy.sh [build dir, default build/native] [file...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/native}
shift || true
if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files 'core/*.cc' 'storage/*.cc' 'planner/*.cc' 'server/*.cc' 'device/*.cc' 'sim/*.cc')
fi
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json (build it first)" >&2; exit 1; }
# GCC-only warning flags in a GCC build's commands are not clang's business.
log=$(mktemp)
if run-clang-tidy -p "$build" -j "${LINECREW_JOBS:-2}" -quiet -extra-arg=-Wno-unknown-warning-option \
  "${files[@]}" >"$log" 2>&1; then
  echo "tidy: ${#files[@]} files clean"
  rm -f "$log"
else
  sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E "(warning|error): " | sort -u
  echo "tidy: findings above (full log: $log)" >&2
  exit 1
fi
