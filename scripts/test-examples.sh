#!/usr/bin/env bash
# Runs every example script through `cowlab check` (each must run to the end with every
# expect holding). Builds the cowlab command first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target cowlab >/dev/null
shopt -s nullglob
files=(examples/*.cow examples/*/*.cow)
[ ${#files[@]} -gt 0 ] || { echo "[examples] no examples found" >&2; exit 1; }
./build/shell/cowlab check "${files[@]}"
