#!/usr/bin/env bash
# Runs every example script through `cowlab check` (each must run to the end with every
# expect holding): the ctest tests example.* (examples/CMakeLists.txt), one per file.
# Builds the cowlab command first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
cmake --build build --target cowlab >/dev/null
count=$(ctest --test-dir build -N -R '^example\.' | sed -n 's/^Total Tests: //p')
[ "${count:-0}" -gt 0 ] || { echo "[examples] ctest found no example tests" >&2; exit 1; }
ctest --test-dir build -R '^example\.' --output-on-failure -j2
