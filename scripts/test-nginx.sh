#!/usr/bin/env bash
# Serves dist/ with Debian's nginx and exactly web/nginx.conf (only its `listen` line
# changed, to a free loopback port), run unprivileged as in the container, and runs the
# tests against it with node's test runner (TAP output):
#   tests/browser/smoke-url.mjs  the page alone and framed by a page of another origin
#   tests/browser/embed.mjs      the embedding suite (course page, postMessage, &origins=)
#   tests/browser/nginx.mjs      every header, status and body, request by request (a table),
#                                and, last, no serious error in nginx's log
# nginx is always stopped at the end.
#   scripts/test-nginx.sh                     uses dist/ (runs scripts/build-web.sh if missing)
#   COWLAB_DIST=<dir> scripts/test-nginx.sh   serves another build instead
#   COWLAB_NGINX_KEEP=1 ...                   leaves the served copy and the log in the work dir
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
conf_src=web/nginx.conf
dist=${COWLAB_DIST:-$here/dist}
if [ -z "${COWLAB_DIST:-}" ] && [ ! -f dist/index.html ]; then
  echo "[nginx] dist/ is missing: running scripts/build-web.sh"
  bash scripts/build-web.sh
fi
[ -f "$dist/index.html" ] || { echo "[nginx] no index.html in $dist" >&2; exit 1; }
command -v nginx >/dev/null || { echo "[nginx] nginx is missing (scripts/setup.sh installs nginx-light)" >&2; exit 1; }

# --- a prefix like the container's: html/ (the site, read-only) and var/ (writable) ----
work=$(mktemp -d /tmp/cowlab-nginx.XXXXXX)
chmod 755 "$work"
prefix=$work/prefix
mkdir -p "$prefix/var"
cp -R "$dist" "$prefix/html"
chmod -R a+rX "$prefix/html"
log=$prefix/var/nginx.log
: >"$log"
# As root, run nginx as nobody: the master process is then unprivileged, as in the image.
run_as=()
if [ "$(id -u)" = 0 ]; then
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  chown -R nobody:nogroup "$prefix/var"
fi

stop_signal=QUIT  # nginx finishes the requests in flight, then exits
cleanup() {
  stop_server
  if [ "${COWLAB_NGINX_KEEP:-0}" = 1 ]; then echo "[nginx] kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the configuration: web/nginx.conf with only `listen 8080;` changed ------------------
[ "$(grep -c '^ *listen 8080;$' "$conf_src")" = 1 ] \
  || { echo "[nginx] $conf_src must contain exactly one 'listen 8080;' line" >&2; exit 1; }
render() {  # port -> $work/nginx.conf
  sed "s/^\( *\)listen 8080;\$/\1listen 127.0.0.1:$1;/" "$conf_src" >"$work/nginx.conf"
  [ "$(diff "$conf_src" "$work/nginx.conf" | grep -c '^[<>]')" = 2 ] \
    || { echo "[nginx] templating changed more than the listen line" >&2; exit 1; }
}
nginx_cmd=(nginx -p "$prefix/" -c "$work/nginx.conf" -e stderr)

render 8080
# nginx opens /dev/stdout (the access log) itself: as nobody, that must be a file nobody
# may write, hence every run's output goes to $log (owned by nobody), never to a pipe.
echo "[nginx] $(nginx -v 2>&1); nginx -t:"
"${run_as[@]}" "${nginx_cmd[@]}" -t >>"$log" 2>&1 || { cat "$log" >&2; echo "[nginx] nginx -t failed" >&2; exit 1; }
sed 's/^/  /' "$log"; : >"$log"

start_nginx() {
  render "$1"
  "${run_as[@]}" "${nginx_cmd[@]}" -g 'daemon off;' >>"$log" 2>&1 &
  server_pid=$!
}
serve_on_free_port start_nginx || { echo "[nginx] nginx did not start:" >&2; cat "$log" >&2; exit 1; }
echo "[nginx] serving $dist at http://127.0.0.1:$port/ (pid $server_pid), exactly $conf_src but:"
diff "$conf_src" "$work/nginx.conf" | sed 's/^/  /' || true

# --- the tests ------------------------------------------------------------------------------
# Screenshots go to build-web/nginx-test/.
artifacts=$here/build-web/nginx-test
rm -rf "$artifacts"; mkdir -p "$artifacts"
export COWLAB_URL="http://127.0.0.1:$port/" COWLAB_ARTIFACTS="$artifacts"
export COWLAB_SITE="$prefix/html" COWLAB_NGINX_PID="$server_pid" COWLAB_NGINX_LOG="$log"
export COWLAB_SCREENSHOT="$artifacts/nginx-smoke.png"
browser_tests tests/browser/smoke-url.mjs tests/browser/embed.mjs tests/browser/nginx.mjs
