#!/usr/bin/env bash
# Checks that every C++ source follows .clang-format (generated code excluded).
# With --fix, rewrites the files instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(--dry-run --Werror)
[ "${1:-}" = --fix ] && mode=(-i)
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cc' '*.h' | grep -v '\.pb\.')
clang-format "${mode[@]}" "${files[@]}"
echo "format: ${#files[@]} files checked"
