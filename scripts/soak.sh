#!/usr/bin/env bash
# Soak test of the web playground's live mode (tests/browser/soak.mjs): random edits of the
# examples in headless chromium for a while, printing the WebAssembly memory after the first
# minute and at the end, and the slowest update. Not part of scripts/test.sh.
#   scripts/soak.sh [--minutes N] [--seed S] [--no-build]
# Builds dist/ first (scripts/build-web.sh) unless --no-build, and serves it on a free
# loopback port.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
minutes=10 seed=1 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=${2:?--minutes needs a number}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "soak: unknown option $1 (--minutes N, --seed S, --no-build)" >&2; exit 2 ;;
  esac
done
case "$minutes" in ''|*[!0-9.]*) echo "soak: --minutes takes a number" >&2; exit 2 ;; esac
[ "$build" = 1 ] && bash scripts/build-web.sh
[ -f dist/index.html ] || { echo "soak: dist/ is missing: run scripts/build-web.sh" >&2; exit 1; }

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
log=$(mktemp)
trap 'stop_server; rm -f "$log"' EXIT
trap 'exit 130' INT TERM
start_http_server() {
  /usr/bin/python3 scripts/serve-dist.py "$here/dist" "$1" >"$log" 2>&1 &
  server_pid=$!
}
serve_on_free_port start_http_server || { echo "soak: the server did not start" >&2; cat "$log" >&2; exit 1; }
COWLAB_URL=http://127.0.0.1:$port/ COWLAB_SOAK_MINUTES=$minutes COWLAB_SOAK_SEED=$seed \
  node --test-reporter=tap --test-timeout=$(( (${minutes%.*} + 10) * 60000 )) tests/browser/soak.mjs
