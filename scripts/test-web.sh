#!/usr/bin/env bash
# The web playground in a real browser, and cowlab-gui natively:
#   1. builds dist/ (scripts/build-web.sh) and the native `cowlab` (build/), whose
#      `run --json` output the page must reproduce byte for byte;
#   2. serves dist/ with Python's http.server (scripts/serve-dist.py: with
#      Access-Control-Allow-Origin, as web/nginx.conf) on a free loopback port and runs
#      tests/browser/playground.mjs, inspector.mjs, inspector-shots.mjs, embed.mjs,
#      tour.mjs, keys.mjs and the other tests/browser/*.mjs listed below in headless chromium, then perf.mjs
#      (time to first frame, frames per second);
#   3. builds cowlab-gui (build-gui-smoke/) and runs it under Xvfb with a screenshot;
#   4. builds and runs cowlab_gui_tests there: the App (web/app.cpp) under Catch2, with
#      ImGui headless (tests/gui/), e.g. the eager-copy comparison of the Cost view.
# Screenshots go to build-web/test-artifacts/. The server is always stopped.
#   COWLAB_TEST_ONLY=<part of a test name>   runs only the matching browser tests
# The browser tests use node's built-in test runner (node:test) and print TAP.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
artifacts=$here/build-web/test-artifacts
log() { printf '[web] %s\n' "$*"; }

bash scripts/build-web.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target cowlab >/tmp/cowlab-web-build.$$.log 2>&1 \
  || { tail -30 /tmp/cowlab-web-build.$$.log >&2; rm -f /tmp/cowlab-web-build.$$.log; exit 1; }
rm -f /tmp/cowlab-web-build.$$.log
rm -rf "$artifacts"; mkdir -p "$artifacts"

# --- serve dist/ on a free loopback port ------------------------------------------------
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
trap stop_server EXIT
trap 'exit 130' INT TERM
start_http_server() {
  /usr/bin/python3 scripts/serve-dist.py "$here/dist" "$1" >"$artifacts/server.log" 2>&1 &
  server_pid=$!
}
serve_on_free_port start_http_server || { log "the server did not start"; cat "$artifacts/server.log" >&2; exit 1; }
log "serving dist/ at http://127.0.0.1:$port/ (pid $server_pid)"

# --- the browser tests (node:test, TAP) ----------------------------------------------------
failed=0
export COWLAB_URL=http://127.0.0.1:$port/ COWLAB_ARTIFACTS=$artifacts COWLAB_BIN=$here/build/shell/cowlab
browser_tests tests/browser/playground.mjs tests/browser/inspector.mjs tests/browser/inspector-shots.mjs \
  tests/browser/embed.mjs tests/browser/tour.mjs tests/browser/keys.mjs \
  tests/browser/figure.mjs \
  tests/browser/predict.mjs \
  tests/browser/lecture.mjs \
  tests/browser/first-hour.mjs \
  tests/browser/embed-fuzz.mjs \
  tests/browser/mobile.mjs \
  tests/browser/preview.mjs \
  tests/browser/frames.mjs \
  tests/browser/perf.mjs || failed=$((failed + 1))
stop_server

# --- cowlab-gui under Xvfb ----------------------------------------------------------------
# shellcheck disable=SC1090
. "${COWLAB_CACHE:-$HOME/.cache/cowlab}/paths.env"
cmake -S . -B build-gui-smoke -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOWLAB_IMGUI_DIR="$COWLAB_IMGUI_DIR" >/dev/null
cmake --build build-gui-smoke --target cowlab-gui >"$artifacts/gui-build.log" 2>&1 \
  || { tail -30 "$artifacts/gui-build.log" >&2; log "not ok - cowlab-gui did not build"; exit 1; }
example=$(ls examples/*.cow | head -n1)
shot=$artifacts/cowlab-gui.ppm
if xvfb-run -a -s "-screen 0 1280x800x24" build-gui-smoke/web/cowlab-gui --frames=20 \
     --screenshot="$shot" "$example" >"$artifacts/gui.log" 2>&1 && [ -s "$shot" ]; then
  convert "$shot" "${shot%.ppm}.png"
  colours=$(identify -format '%k' "${shot%.ppm}.png")
  size=$(identify -format '%wx%h' "${shot%.ppm}.png")
  if [ "$colours" -ge 30 ]; then
    log "ok - cowlab-gui under Xvfb: $size screenshot with $colours colours: ${shot%.ppm}.png"
    sed 's/^/[web]     /' "$artifacts/gui.log"
  else
    log "not ok - cowlab-gui under Xvfb: the screenshot has only $colours colours"; failed=$((failed + 1))
  fi
else
  log "not ok - cowlab-gui under Xvfb did not run:"; cat "$artifacts/gui.log" >&2; failed=$((failed + 1))
fi

# --- the App under Catch2 (tests/gui/) --------------------------------------------------------
if cmake --build build-gui-smoke --target cowlab_gui_tests >"$artifacts/gui-tests-build.log" 2>&1; then
  if build-gui-smoke/web/cowlab_gui_tests --use-colour no >"$artifacts/gui-tests.log" 2>&1; then
    log "ok - cowlab_gui_tests: $(tail -n 2 "$artifacts/gui-tests.log" | tr -s '\n' ' ')"
  else
    cat "$artifacts/gui-tests.log" >&2; log "not ok - cowlab_gui_tests"; failed=$((failed + 1))
  fi
else
  tail -30 "$artifacts/gui-tests-build.log" >&2; log "not ok - cowlab_gui_tests did not build"; failed=$((failed + 1))
fi

# --- the live edit, natively (bench/app/live_edit.cpp): runs and prints; no timing asserted --
if cmake --build build-gui-smoke --target cowlab-live-edit-bench >"$artifacts/live-edit-build.log" 2>&1 &&
   build-gui-smoke/web/cowlab-live-edit-bench --runs 1 >"$artifacts/live-edit.log" 2>&1; then
  log "ok - cowlab-live-edit-bench: $(grep -E 'add a write line' "$artifacts/live-edit.log" | tr -s ' ')"
else
  tail -30 "$artifacts/live-edit-build.log" "$artifacts/live-edit.log" >&2
  log "not ok - cowlab-live-edit-bench"; failed=$((failed + 1))
fi

[ $failed -eq 0 ] && log "all web tests passed" || log "$failed web test part(s) failed"
[ $failed -eq 0 ]
