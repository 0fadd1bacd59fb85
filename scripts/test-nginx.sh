#!/usr/bin/env bash
# Serves dist/ with Debian's nginx and exactly web/nginx.conf (only its `listen` line
# changed, to a free loopback port), run unprivileged as in the container. Checks every
# header with real HTTP requests, printing each response's headers as served, then runs
# the browser smoke test against that server. nginx is always stopped at the end.
#   scripts/test-nginx.sh                 uses dist/ (runs scripts/build-web.sh if missing)
#   COWLAB_DIST=<dir> scripts/test-nginx.sh   serves another build instead
#   COWLAB_NGINX_KEEP=1 ...               leaves the screenshot and logs in the work dir
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
conf_src=web/nginx.conf
dist=${COWLAB_DIST:-$here/dist}
if [ -z "${COWLAB_DIST:-}" ] && [ ! -f dist/index.html ]; then
  echo "[nginx] dist/ is missing: running scripts/build-web.sh"
  bash scripts/build-web.sh
fi
[ -f "$dist/index.html" ] || { echo "[nginx] no index.html in $dist" >&2; exit 1; }
command -v nginx >/dev/null || { echo "[nginx] nginx is missing (scripts/setup.sh installs nginx-light)" >&2; exit 1; }

fails=0
ok()   { printf '  ok    %s\n' "$*"; }
bad()  { printf '  FAIL  %s\n' "$*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# --- a prefix like the container's: html/ (the site, read-only) and var/ (writable) ----
work=$(mktemp -d /tmp/cowlab-nginx.XXXXXX)
chmod 755 "$work"
prefix=$work/prefix
mkdir -p "$prefix/var"
cp -R "$dist" "$prefix/html"
chmod -R a+rX "$prefix/html"
site=$prefix/html   # the copy served: checks compare with it, even if dist/ is rebuilt meanwhile
log=$prefix/var/nginx.log
: >"$log"
# As root, run nginx as nobody: the master process is then unprivileged, as in the image.
run_as=()
if [ "$(id -u)" = 0 ]; then
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  chown -R nobody:nogroup "$prefix/var"
fi

nginx_pid=
cleanup() {
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  if [ "${COWLAB_NGINX_KEEP:-0}" = 1 ]; then echo "[nginx] kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the configuration: web/nginx.conf with only `listen 8080;` changed ------------------
[ "$(grep -c '^ *listen 8080;$' "$conf_src")" = 1 ] \
  || { echo "[nginx] $conf_src must contain exactly one 'listen 8080;' line" >&2; exit 1; }
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
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

port=
for _ in 1 2 3 4 5; do
  p=$(free_port)
  render "$p"
  "${run_as[@]}" "${nginx_cmd[@]}" -g 'daemon off;' >>"$log" 2>&1 &
  nginx_pid=$!
  for _ in $(seq 50); do
    kill -0 "$nginx_pid" 2>/dev/null || break
    curl -s -o /dev/null "http://127.0.0.1:$p/" && { port=$p; break; }
    sleep 0.1
  done
  [ -n "$port" ] && break
  kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=
done
[ -n "$port" ] || { echo "[nginx] nginx did not start:" >&2; cat "$log" >&2; exit 1; }
base="http://127.0.0.1:$port"
echo "[nginx] serving $dist at $base/ (pid $nginx_pid), exactly $conf_src but:"
diff "$conf_src" "$work/nginx.conf" | sed 's/^/  /' || true
master_user=$(ps -o user= -p "$nginx_pid" | tr -d ' ')
check "the master process runs unprivileged (user $master_user)" test "$master_user" != root

# --- requests --------------------------------------------------------------------------
# get NAME PATH [curl args...]: fetches into $work/NAME.b, prints the headers as served and
# keeps them in H["NAME|lower-case-name"] (H["NAME|:status"] for the status code).
declare -A H=()
get() {
  local name=$1 path=$2 line key; shift 2
  curl -sS --max-time 10 -D "$work/$name.h" -o "$work/$name.b" "$@" "$base$path"
  echo
  echo "GET $path${*:+  ($*)}"
  while IFS= read -r line; do
    line=${line%$'\r'}
    [ -n "$line" ] || continue
    printf '    %s\n' "$line"
    if [[ $line =~ ^HTTP/[0-9.]+\ ([0-9]+) ]]; then
      H["$name|:status"]=${BASH_REMATCH[1]}
    elif [[ $line == *:* ]]; then
      key=${line%%:*}; key=${key,,}
      H["$name|$key"]=${line#*: }
    fi
  done <"$work/$name.h"
}
status() { printf '%s' "${H["$1|:status"]-}"; }
header() { printf '%s' "${H["$1|${2,,}"]-}"; }   # NAME HEADER -> its value, or nothing
has_header() { [ -n "${H["$1|${2,,}"]+set}" ]; }
lacks_header() { ! has_header "$@"; }
not() { ! "$@"; }
is() { [ "$1" = "$2" ]; }
matches() { [[ $1 =~ $2 ]]; }

# The policy a page carries in its <meta>; its header must be the very same string.
meta_csp_of() {
  /usr/bin/python3 - "$1" <<'PY'
import html, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
for tag in re.findall(r"<meta\b[^>]*>", text, re.I | re.S):
    if re.search(r"http-equiv\s*=\s*[\"']?content-security-policy", tag, re.I):
        m = re.search(r"content\s*=\s*(\"([^\"]*)\"|'([^']*)')", tag, re.I | re.S)
        if m:
            print(html.unescape(m.group(2) if m.group(2) is not None else m.group(3)))
            break
PY
}
meta_csp=$(meta_csp_of "$site/index.html")

# Headers every response carries, error pages included; and what must never be there.
security_checks() {  # NAME LABEL [PAGE]: PAGE's <meta> policy is expected (index.html's)
  local n=$1 l=$2 page=${3:-index.html} want csp
  want=$meta_csp
  [ "$page" = index.html ] || want=$(meta_csp_of "$site/$page")
  csp=$(header "$n" Content-Security-Policy)
  check "$l: Content-Security-Policy equals $page's <meta> policy" is "$csp" "$want"
  check "$l: X-Content-Type-Options: nosniff" is "$(header "$n" X-Content-Type-Options)" nosniff
  check "$l: Referrer-Policy is set" matches "$(header "$n" Referrer-Policy)" '^(no-referrer|strict-origin|strict-origin-when-cross-origin|same-origin|origin)$'
  check "$l: no X-Frame-Options (course pages embed the playground)" lacks_header "$n" X-Frame-Options
  check "$l: CSP frame-ancestors, if any, allows embedding" not matches "$csp" "frame-ancestors +('none'|'self')"
  check "$l: no Cross-Origin-Opener-Policy" lacks_header "$n" Cross-Origin-Opener-Policy
  check "$l: no Cross-Origin-Embedder-Policy" lacks_header "$n" Cross-Origin-Embedder-Policy
}

hashed_re='[.-][0-9a-f]{8,}\.(js|mjs|wasm|css|data|json|png|svg|woff2)$'
long_cache='public, max-age=31536000, immutable'
type_for() {
  case $1 in
    *.html) echo 'text/html; charset=utf-8' ;;
    *.js|*.mjs) echo 'application/javascript; charset=utf-8' ;;
    *.wasm) echo 'application/wasm' ;;
    *.css) echo 'text/css; charset=utf-8' ;;
    *.json|*.map) echo 'application/json; charset=utf-8' ;;
    *.svg) echo 'image/svg+xml; charset=utf-8' ;;
    *.png) echo 'image/png' ;;
    *.txt|*.cow) echo 'text/plain; charset=utf-8' ;;
    *) echo '' ;;
  esac
}

echo
echo "[nginx] CSP of index.html's <meta>: ${meta_csp:-<none>}"
check "index.html carries a Content-Security-Policy <meta>" test -n "$meta_csp"

# The page itself, by / and by name; and a conditional request (no-cache stays cheap).
get root /
check "/: 200" is "$(status root)" 200
check "/: Content-Type text/html" is "$(header root Content-Type)" 'text/html; charset=utf-8'
check "/: Cache-Control: no-cache" is "$(header root Cache-Control)" no-cache
check "/: body is dist/index.html" cmp -s "$work/root.b" "$site/index.html"
security_checks root /
get index /index.html
check "/index.html: 200, Cache-Control: no-cache" is "$(status index) $(header index Cache-Control)" "200 no-cache"
security_checks index /index.html
etag=$(header index ETag)
get index304 /index.html -H "If-None-Match: $etag"
check "/index.html with its ETag: 304 Not Modified" is "$(status index304)" 304

# Every served file: type, caching (content-hashed names vs the rest) and compression.
hashed=0; i=0
while IFS= read -r rel; do
  path=/$rel; n=f$((++i))
  want_type=$(type_for "$rel")
  [ -n "$want_type" ] || continue
  get "$n" "$path"
  check "$path: 200, Content-Type $want_type" is "$(status "$n") $(header "$n" Content-Type)" "200 $want_type"
  check "$path: identity body without Accept-Encoding" eval 'cmp -s "$work/$n.b" "$site/$rel" && ! has_header "$n" Content-Encoding'
  if [[ $rel =~ $hashed_re ]]; then
    hashed=$((hashed + 1))
    check "$path: content-hashed name, Cache-Control: $long_cache" is "$(header "$n" Cache-Control)" "$long_cache"
  else
    check "$path: Cache-Control: no-cache" is "$(header "$n" Cache-Control)" no-cache
  fi
  case $rel in
    *.html) check "$rel carries a Content-Security-Policy <meta>" test -n "$(meta_csp_of "$site/$rel")"
            security_checks "$n" "$path" "$rel" ;;
    *) security_checks "$n" "$path" ;;
  esac
  size=$(stat -c %s "$site/$rel")
  case $rel in *.html|*.js|*.mjs|*.wasm|*.css|*.json|*.svg|*.txt|*.cow) ;; *) continue ;; esac
  if [ -f "$site/$rel.gz" ] || [ "$size" -ge 1024 ]; then
    get "$n.gz" "$path" -H 'Accept-Encoding: gzip'
    check "$path: Content-Encoding: gzip with Accept-Encoding: gzip" is "$(header "$n.gz" Content-Encoding)" gzip
    check "$path: Vary: Accept-Encoding" is "$(header "$n.gz" Vary)" Accept-Encoding
    check "$path: same Content-Type when compressed" is "$(header "$n.gz" Content-Type)" "$want_type"
    check "$path: gunzipped body is the file" eval 'gzip -dc <"$work/$n.gz.b" | cmp -s - "$site/$rel"'
    if [ -f "$site/$rel.gz" ]; then
      check "$path: the build's $rel.gz served as is (gzip_static)" cmp -s "$work/$n.gz.b" "$site/$rel.gz"
    fi
  fi
done < <(cd "$site" && find . -type f ! -name '*.gz' ! -name '.*' | sed 's|^\./||' | sort)
check "dist/ holds application/wasm files" eval 'ls "$site"/*.wasm >/dev/null 2>&1 || find "$site" -name "*.wasm" | grep -q .'

# Long-lived caching needs content-hashed names; when the build has none, prove the rule
# on a probe copy of the wasm file (test copy only: dist/ is untouched).
if [ "$hashed" = 0 ]; then
  echo
  echo "[nginx] note: no content-hashed file names in dist/; checking the caching rule on a probe"
  w=$(cd "$site" && find . -name '*.wasm' | head -n1 | sed 's|^\./||')
  cp "$site/$w" "$site/cowlab-probe.0123abcd.wasm"
  get probe /cowlab-probe.0123abcd.wasm
  check "probe hashed name: Cache-Control: $long_cache" is "$(header probe Cache-Control)" "$long_cache"
  rm -f "$site/cowlab-probe.0123abcd.wasm"
fi

# Errors: a plain 404 (no fallback to index.html), security headers still there, and no
# long caching of a missing hashed-looking name.
get missing /no-such-page
check "/no-such-page: 404" is "$(status missing)" 404
security_checks missing /no-such-page
get missing_hashed /cowlab.0123abcd.wasm
check "/cowlab.0123abcd.wasm (missing): 404 without Cache-Control" eval '[ "$(status missing_hashed)" = 404 ] && ! has_header missing_hashed Cache-Control'
get dotfile /.git/config
check "/.git/config: 404" is "$(status dotfile)" 404
check "no Server version (server_tokens off)" is "$(header root Server)" nginx

# --- the browser tests against this server ------------------------------------------------
# tests/browser/smoke-url.mjs: the page alone (ready, no console errors, the policy in
# force, a screenshot) and framed by a page of another origin; then the browser tests'
# own embedding suite (tests/browser/embed.mjs: the course page, postMessage, &origins=),
# here under nginx's headers. Screenshots go to build-web/nginx-test/.
artifacts=$here/build-web/nginx-test
rm -rf "$artifacts"; mkdir -p "$artifacts"
export COWLAB_URL="$base/" COWLAB_ARTIFACTS="$artifacts"
embed_url=
[ -f "$site/embed-example.html" ] && [ ! -f tests/browser/embed.mjs ] && embed_url="$base/embed-example.html"
echo
echo "[nginx] browser: COWLAB_URL=$COWLAB_URL node tests/browser/smoke-url.mjs"
if COWLAB_EMBED_URL="$embed_url" COWLAB_SCREENSHOT="$artifacts/nginx-smoke.png" node tests/browser/smoke-url.mjs; then
  ok "browser smoke test against nginx"
else
  bad "browser smoke test against nginx"
fi
if [ -f tests/browser/embed.mjs ] && [ -f "$site/embed-example.html" ]; then
  echo
  echo "[nginx] browser: COWLAB_URL=$COWLAB_URL node tests/browser/embed.mjs"
  if node tests/browser/embed.mjs 2>&1 | sed 's/^/  /'; then
    ok "browser embedding tests against nginx"
  else
    bad "browser embedding tests against nginx"
  fi
fi

echo
if grep -q '\[\(emerg\|alert\|crit\)\]' "$log"; then
  bad "nginx logged serious errors:"; grep '\[\(emerg\|alert\|crit\)\]' "$log" | sed 's/^/    /'
fi
echo "[nginx] $(grep -c '"GET ' "$log" || true) requests served; $fails failed checks"
[ "$fails" = 0 ]
