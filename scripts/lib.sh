# Shell functions the test scripts share (sourced, not run):
#   serve_on_free_port START   starts a server on a free loopback port
#   stop_server                stops it
#   browser_tests FILE...      runs browser tests with node's test runner, TAP output
# shellcheck shell=bash

# A free TCP port on 127.0.0.1 (Debian's python3: the emcc wrapper may have put another first).
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve_on_free_port START: calls `START PORT`, which starts a server on 127.0.0.1:PORT in
# the background and sets server_pid, until the server answers an HTTP request within 5 s
# (five ports are tried: another process may take a free port first). Sets port; returns 1
# when no server came up. stop_server stops it with $stop_signal (TERM unless set).
server_pid=
port=
serve_on_free_port() {
  local start=$1 p
  port=
  for _ in 1 2 3 4 5; do
    p=$(free_port)
    "$start" "$p"
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      curl -s -o /dev/null "http://127.0.0.1:$p/" && { port=$p; return 0; }
      sleep 0.1
    done
    stop_server
  done
  return 1
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -"${stop_signal:-TERM}" "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# browser_tests FILE...: runs each file of tests/browser/ with node's built-in test runner
# (node:test, TAP output), one file at a time (perf.mjs measures: nothing may run beside
# it). COWLAB_TEST_ONLY=<text> keeps only the tests whose name contains <text>. Returns 1
# when any file failed.
browser_tests() {
  local file status=0 only=()
  if [ -n "${COWLAB_TEST_ONLY:-}" ]; then
    only=("--test-name-pattern=$(printf '%s' "$COWLAB_TEST_ONLY" | sed 's/[][\\.*^$?+(){}|/]/\\&/g')")
  fi
  for file in "$@"; do
    node --test-reporter=tap "${only[@]}" "$file" || status=1
  done
  return "$status"
}
