#!/usr/bin/env bash
# The benchmarks (docs/performance.md) in one command: the native cowlab-bench (against the real
# kernel), then the same benchmarks built with Emscripten and run under node, and the
# WASM/native ratio of every simulated figure.
#   scripts/bench.sh [--quick] [--runs N]     (arguments go to both runs)
# Results: build-bench/native.jsonl and build-bench-wasm/wasm.jsonl (one JSON line per
# benchmark); docs/performance.md explains them.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")

echo "=== native (build-bench/)"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench --target cowlab-bench >/dev/null
./build-bench/bench/cowlab-bench "${args[@]}" | tee build-bench/native.out
grep '^{' build-bench/native.out > build-bench/native.jsonl

imgui=$(sed -n 's/^COWLAB_IMGUI_DIR=//p' ~/.cache/cowlab/paths.env 2>/dev/null || true)
if [ -n "$imgui" ]; then
  echo
  echo "=== the playground's live edit, natively (build-bench-gui/web/cowlab-live-edit-bench)"
  cmake -S . -B build-bench-gui -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOWLAB_IMGUI_DIR="$imgui" >/dev/null
  cmake --build build-bench-gui --target cowlab-live-edit-bench >/dev/null
  runs=9; [ "${1:-}" = --quick ] && runs=1
  ./build-bench-gui/web/cowlab-live-edit-bench --runs "$runs"
fi

echo
echo "=== WebAssembly under node (build-bench-wasm/)"
export NODE_PATH=/usr/share/nodejs PATH=/usr/bin:$PATH   # see docs: emcc needs both
if ! command -v emcmake >/dev/null; then
  echo "emscripten is missing (scripts/setup.sh installs it): no WASM figures" >&2
  exit 0
fi
emcmake cmake -S . -B build-bench-wasm -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench-wasm --target cowlab-bench >/dev/null
node build-bench-wasm/bench/cowlab-bench.js --no-real "${args[@]}" | tee build-bench-wasm/wasm.out
grep '^{' build-bench-wasm/wasm.out > build-bench-wasm/wasm.jsonl

echo
echo "=== WASM / native, simulated parts (target: <= 1.5)"
node - build-bench/native.jsonl build-bench-wasm/wasm.jsonl <<'JS'
const fs = require('fs');
const load = f => Object.fromEntries(fs.readFileSync(f, 'utf8').trim().split('\n')
  .map(l => JSON.parse(l)).map(r => [r.bench, r]));
const [native, wasm] = [load(process.argv[2]), load(process.argv[3])];
// The time-like figure of each simulated benchmark (faults/s is inverted).
const keys = [['sim_ms', 1], ['ns_per_fault', 1], ['ms', 1], ['sim_fork_ms', 1]];
let worst = 0;
for (const [name, w] of Object.entries(wasm)) {
  const n = native[name];
  if (!n) continue;
  const k = keys.find(([key]) => key in w && key in n && n[key] > 0);
  if (!k) continue;
  const ratio = w[k[0]] / n[k[0]];
  worst = Math.max(worst, ratio);
  console.log(JSON.stringify({bench: 'wasm_vs_native', of: name, figure: k[0],
    native: n[k[0]], wasm: w[k[0]], ratio: +ratio.toFixed(3), target_met: ratio <= 1.5}));
}
console.log(`worst WASM/native ratio: ${worst.toFixed(2)} (target <= 1.5: ${worst <= 1.5 ? 'met' : 'NOT met'})`);
JS
