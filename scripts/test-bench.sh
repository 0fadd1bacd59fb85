#!/usr/bin/env bash
# Smoke run of the benchmarks (small sizes, one run each): checks that cowlab-bench runs
# natively and as WebAssembly under node and prints its figures. Asserts no timing:
# speed targets are judged by scripts/bench.sh and recorded in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."

check() {  # check OUTPUT NAMES...: every named benchmark printed a JSON line, no errors
  local out=$1; shift
  for name in "$@"; do
    grep -q "^{\"bench\":\"$name\"" "$out" || { echo "test-bench: no result for $name" >&2; return 1; }
  done
  if grep '^{' "$out" | grep -q '"error"'; then
    echo "test-bench: a benchmark reported an error:" >&2; grep '"error"' "$out" >&2; return 1
  fi
}

cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench --target cowlab-bench >/dev/null
./build-bench/bench/cowlab-bench --quick | tee build-bench/smoke.out
names=(sim_fork_16MiB sim_cow_faults script_nginx script_redis memory_private memory_forked ui_frame)
[ "$(uname -s)" = Linux ] && names+=(statement_overhead)
[ "$(uname -s)" = Linux ] && names+=(real_fork real_cow_faults)
check build-bench/smoke.out "${names[@]}"

export NODE_PATH=/usr/share/nodejs PATH=/usr/bin:$PATH
if command -v emcmake >/dev/null && command -v node >/dev/null; then
  emcmake cmake -S . -B build-bench-wasm -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-bench-wasm --target cowlab-bench >/dev/null
  node build-bench-wasm/bench/cowlab-bench.js --quick --no-real | tee build-bench-wasm/smoke.out
  check build-bench-wasm/smoke.out sim_fork_16MiB sim_cow_faults script_nginx script_redis memory_private
else
  echo "test-bench: emscripten or node missing: WASM smoke run skipped"
fi
echo "test-bench: ok (figures above; no timing is asserted)"
