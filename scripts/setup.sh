#!/usr/bin/env bash
# Installs what cowlab needs on a fresh Debian 12 machine; does nothing when it is there.
#   scripts/setup.sh            everything (native, tests, web, browser tests)
#   scripts/setup.sh --native   only what the native build and tests need
# Downloads only from Debian's archive (deb and deb-src) and the npm registry.
# Slow, reusable products live in $COWLAB_CACHE (default ~/.cache/cowlab), keyed by version.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${COWLAB_CACHE:-$HOME/.cache/cowlab}
mode=${1:-all}
mkdir -p "$cache"
log() { printf '[setup] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages -------------------------------------------------------------
native_pkgs=(g++ cmake ninja-build catch2 dpkg-dev help2man)
web_pkgs=(emscripten libsdl2-dev libgl-dev xvfb xauth chromium nginx-light clang llvm libclang-rt-14-dev python3 imagemagick curl ca-certificates)
pkgs=("${native_pkgs[@]}")
[ "$mode" = --native ] || pkgs+=("${web_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
updated=0
apt_update() { [ $updated = 1 ] || { log "apt-get update"; as_root apt-get update -qq; updated=1; }; }
if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm: only when missing (a nodejs from another packager conflicts with Debian's npm).
if [ "$mode" != --native ]; then
  command -v node >/dev/null || { apt_update; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null; }
  command -v npm >/dev/null || { apt_update; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
fi
[ "$mode" = --native ] && exit 0

# --- Debian source packages: Dear ImGui and SDL2 ---------------------------------
# The deb-src entry is made from the machine's own Debian entry for $suite (same archive,
# same key), so a machine that uses a mirror keeps using it.
suite=bookworm
src_list=/etc/apt/sources.list.d/cowlab-src.sources
# Prints "URI<TAB>KEYRING" of the first active `deb` entry for $suite (KEYRING may be empty).
debian_archive() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      function flush() {
        if (!found && uri != "" && enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " suite " ")) {
          print uri "\t" keyring; found = 1
        }
        types = suites = uri = keyring = enabled = ""
      }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      /^[^[:space:]]/ { key = tolower($1); $1 = ""; sub(/^[[:space:]]+/, "") }
      key == "types:" { types = $0 } key == "suites:" { suites = $0 } key == "enabled:" { enabled = $0 }
      key == "uris:" { split($0, u, /[[:space:]]+/); uri = u[1] }
      key == "signed-by:" && $0 ~ /^\// { keyring = $0 }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      $1 != "deb" { next }
      { i = 2; keyring = "" }
      $2 ~ /^\[/ {
        for (; i <= NF; i++) {
          if ($i ~ /^\[?signed-by=/) { keyring = $i; sub(/^\[?signed-by=/, "", keyring); sub(/\]$/, "", keyring) }
          if ($i ~ /\]$/) { i++; break }
        }
      }
      $(i + 1) == suite { print $i "\t" keyring }' "$f"
  done
}

add_deb_src() {
  local archive uri keyring
  archive=$(debian_archive | head -n1)
  if [ -z "$archive" ]; then
    log "no Debian entry for $suite in /etc/apt/sources.list or /etc/apt/sources.list.d/."
    log "Write a deb-src entry for $suite main into $src_list:"
    log "  Types: deb-src"
    log "  URIs: <the Debian archive or mirror this machine uses>"
    log "  Suites: $suite"
    log "  Components: main"
    log "then run scripts/setup.sh again."
    exit 1
  fi
  uri=${archive%%$'\t'*}; keyring=${archive#*$'\t'}
  log "adding a deb-src entry for $suite main ($uri) in $src_list"
  {
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$suite"
    [ -z "$keyring" ] || printf 'Signed-By: %s\n' "$keyring"
  } | as_root tee "$src_list" >/dev/null
}

src="$cache/src"
missing_src=()
ls -d "$src"/imgui-*/ >/dev/null 2>&1 || missing_src+=(imgui)
ls -d "$src"/libsdl2-*/ >/dev/null 2>&1 || missing_src+=(libsdl2)
if [ ${#missing_src[@]} -gt 0 ]; then
  # An active (not commented-out) deb-src entry, one-line or deb822 style.
  if ! grep -rqsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/ \
     && ! grep -rqsE '^Types:.*deb-src' /etc/apt/sources.list.d/; then
    add_deb_src
    updated=0
  fi
  apt_update
  mkdir -p "$src"
  log "fetching source packages ${missing_src[*]} into $src"
  (cd "$src" && apt-get source -qq "${missing_src[@]}" >"$src/apt-get-source.log" 2>&1) \
    || { cat "$src/apt-get-source.log" >&2; log "apt-get source ${missing_src[*]} failed"; exit 1; }
  rm -f "$src/apt-get-source.log"
fi
imgui_dir=$(ls -d "$src"/imgui-*/ | head -n1); imgui_dir=${imgui_dir%/}
sdl_dir=$(ls -d "$src"/libsdl2-*/ | head -n1); sdl_dir=${sdl_dir%/}

# --- SDL2 built with Emscripten, cached by version -------------------------------
sdl_ver=$(basename "$sdl_dir" | sed 's/^libsdl2-//')
sdl_prefix="$cache/sdl2-wasm-$sdl_ver"
if [ ! -f "$sdl_prefix/lib/cmake/SDL2/SDL2Config.cmake" ]; then
  log "building SDL2 $sdl_ver for WebAssembly (about 2 minutes, once)"
  export NODE_PATH=/usr/share/nodejs PATH=/usr/bin:$PATH
  b=$(mktemp -d)
  emcmake cmake -S "$sdl_dir" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$sdl_prefix.tmp" -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF \
    -DSDL_AUDIO=OFF -DSDL_THREADS=OFF -DSDL_PTHREADS=OFF >"$b.log" 2>&1 || { cat "$b.log"; exit 1; }
  cmake --build "$b" >>"$b.log" 2>&1 && cmake --install "$b" >>"$b.log" 2>&1 || { tail -50 "$b.log"; exit 1; }
  rm -rf "$sdl_prefix"; mv "$sdl_prefix.tmp" "$sdl_prefix"; rm -rf "$b" "$b.log"
fi

# --- npm packages (pinned; Playwright never downloads a browser) -----------------
npm_missing=
for pkg in playwright-core lz-string axe-core; do
  [ -f "$here/node_modules/$pkg/package.json" ] || npm_missing="$npm_missing $pkg"
done
if [ -n "$npm_missing" ]; then
  log "npm install (missing:$npm_missing)"
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

# Paths the builds read, and the same under names without versions (CMakePresets.json).
cat > "$cache/paths.env" <<PATHS
COWLAB_IMGUI_DIR=$imgui_dir
COWLAB_SDL2_WASM_DIR=$sdl_prefix/lib/cmake/SDL2
PATHS
[ "$(readlink "$cache/imgui" || true)" = "$imgui_dir" ] || ln -sfn "$imgui_dir" "$cache/imgui"
[ "$(readlink "$cache/sdl2-wasm" || true)" = "$sdl_prefix" ] || ln -sfn "$sdl_prefix" "$cache/sdl2-wasm"
log "ready (cache: $cache)"
