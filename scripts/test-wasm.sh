#!/usr/bin/env bash
# The ctest tests built with Emscripten into build-wasm-tests/ and run under node: the
# Catch2 suite (tests/), every example through the WebAssembly cowlab, and the determinism
# of its JSON. The engine must behave the same as WebAssembly as natively.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# Emscripten's tools need Debian's python3 and acorn from Debian's node modules.
export NODE_PATH=/usr/share/nodejs
export PATH=/usr/bin:$PATH
command -v emcmake >/dev/null || { echo "[wasm] emscripten is missing: run scripts/setup.sh" >&2; exit 1; }
node=$(command -v node)
build=build-wasm-tests
# The emulator must be plain node: emcmake's default adds a node flag that no longer
# exists, and ctest then silently finds no tests.
emcmake cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CROSSCOMPILING_EMULATOR="$node" >/dev/null
cmake --build "$build" --target cowlab_tests cowlab cowlab-json-dump
count=$(ctest --test-dir "$build" -N | sed -n 's/^Total Tests: //p')
[ "${count:-0}" -gt 0 ] || { echo "[wasm] ctest found no tests" >&2; exit 1; }
echo "[wasm] running the suite under node $("$node" --version)"
# -V shows Catch2's output: failures in full, then the count of test cases and assertions.
set +e
ctest --test-dir "$build" -V | grep -v '^[0-9]*: Test command:\|^UpdateCTestConfiguration\|^Parse Config\|^Constructing\|^Checking test dependency\|^Updating test list\|^Test project\|^ *Start \|^test [0-9]'
status=${PIPESTATUS[0]}
exit "$status"
