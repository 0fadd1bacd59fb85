#!/usr/bin/env bash
# Sets up, builds and runs every test: native (Catch2 + examples), sanitizers, WASM under
# node, native/WASM determinism, the browser, nginx, the real-kernel bridge, fuzzing and
# benchmark smoke runs.
# Each part lives in scripts/test-<part>.sh; this runs them in order and sums up.
#   scripts/test.sh            everything
#   scripts/test.sh native web only the named parts
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh || { echo "setup failed" >&2; exit 1; }

parts=(native examples sanitize wasm web nginx validate fuzz determinism bench)  # determinism after fuzz: it checks the corpora fuzz grew
[ $# -gt 0 ] && parts=("$@")
passed=0; failed=0; failed_names=()
for p in "${parts[@]}"; do
  s="scripts/test-$p.sh"
  [ -f "$s" ] || continue
  echo "=== $p ==="
  start=$(date +%s)
  if bash "$s"; then
    passed=$((passed + 1)); echo "=== $p: ok ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1)); failed_names+=("$p"); echo "=== $p: FAILED ($(( $(date +%s) - start )) s)"
  fi
done
echo
[ $failed -gt 0 ] && echo "failed parts: ${failed_names[*]}"
echo "test parts: $passed passed, $failed failed"
[ $failed -eq 0 ]
