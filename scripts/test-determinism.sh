#!/usr/bin/env bash
# Determinism: the native build and the WebAssembly build (under node) give
# byte-identical JSON for the same script.
#   1. the ctest tests determinism.* (fuzz/determinism.cmake): cowlab-json-dump gives the
#      same JSON in repeated native runs, and natively and as WebAssembly;
#   2. `cowlab run --json` for every example and every script in fuzz/corpus/ (output and
#      exit status compared; scripts that stop on an error are compared too);
#   3. cowlab-json-dump (fuzz/json_dump.cpp: the same Session calls in one process) for
#      every script of the fuzzing corpora in build-fuzz/, when a campaign made them.
# Builds: build-determinism/ (native) and build-determinism-wasm/ (Emscripten).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs PATH=/usr/bin:$PATH   # emcc needs Debian's python3 and acorn
command -v emcmake >/dev/null && command -v node >/dev/null ||
  { echo "test-determinism: emscripten and node are needed (scripts/setup.sh)" >&2; exit 1; }

# The WebAssembly cowlab and cowlab-json-dump read the host's files under node, as the
# native ones do (cowlab_node_program in CMakeLists.txt).
emcmake cmake -S . -B build-determinism-wasm -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-determinism-wasm --target cowlab cowlab-json-dump >/dev/null
cmake -S . -B build-determinism -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON \
  -DCOWLAB_WASM_BUILD_DIR="$PWD/build-determinism-wasm" >/dev/null
cmake --build build-determinism --target cowlab cowlab-json-dump >/dev/null

# 1. The ctest tests (both must be there: none may be skipped silently).
count=$(ctest --test-dir build-determinism -N -R '^determinism\.' | sed -n 's/^Total Tests: //p')
[ "${count:-0}" = 2 ] || { echo "test-determinism: expected 2 ctest tests determinism.*, found ${count:-0}" >&2; exit 1; }
ctest --test-dir build-determinism -R '^determinism\.' --output-on-failure

native=build-determinism/shell/cowlab
wasm="node build-determinism-wasm/shell/cowlab.js"
out=build-determinism/out
rm -rf "$out"; mkdir -p "$out"

# 2. cowlab run --json, one process per script.
same=0; differ=0; errors=0
for f in examples/*.cow fuzz/corpus/*; do
  [ -f "$f" ] || continue
  n=0; w=0
  $native run --json "$f" >"$out/native.json" 2>/dev/null || n=$?
  $wasm run --json "$f" >"$out/wasm.json" 2>/dev/null || w=$?
  [ "$n" = 2 ] && errors=$((errors + 1))
  if [ "$n" = "$w" ] && cmp -s "$out/native.json" "$out/wasm.json"; then
    same=$((same + 1))
  else
    differ=$((differ + 1))
    echo "DIFFERENT: $f (exit native $n, wasm $w)"
    diff <(tr ',' '\n' <"$out/native.json") <(tr ',' '\n' <"$out/wasm.json") | head -10 || true
  fi
done
echo "cowlab run --json: $same identical, $differ different ($errors stopped on a script error)"

# 3. The fuzzing corpora, in batches of 400 scripts per process.
corpora=()
for d in build-fuzz/campaign/corpus-fuzz_session build-fuzz/corpus-fuzz_session; do
  [ -d "$d" ] && corpora+=("$d")
done
if [ ${#corpora[@]} -gt 0 ]; then
  # A snapshot: a running campaign replaces corpus files under our feet.
  mkdir -p "$out/corpus"
  for d in "${corpora[@]}"; do cp -r "$d" "$out/corpus/$(basename "$d")"; done
  find "$out/corpus" -type f -print0 | sort -z >"$out/list"
  xargs -0 -n 400 build-determinism/fuzz/cowlab-json-dump <"$out/list" >"$out/corpus-native.tsv"
  xargs -0 -n 400 node build-determinism-wasm/fuzz/cowlab-json-dump.js <"$out/list" >"$out/corpus-wasm.tsv"
  total=$(wc -l <"$out/corpus-native.tsv")
  ok=$(cut -f2 "$out/corpus-native.tsv" | grep -cv error || true)
  if cmp -s "$out/corpus-native.tsv" "$out/corpus-wasm.tsv"; then
    echo "fuzz corpora: $total scripts ($ok run without error), all identical"
  else
    differ=$((differ + 1))
    echo "fuzz corpora: DIFFERENT output (first differing lines):"
    diff "$out/corpus-native.tsv" "$out/corpus-wasm.tsv" | head -6 | cut -c1-300
  fi
else
  echo "fuzz corpora: none yet (scripts/test-fuzz.sh or scripts/fuzz-campaign.sh makes them)"
fi
[ "$differ" -eq 0 ]
