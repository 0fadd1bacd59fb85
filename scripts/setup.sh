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
native_pkgs=(g++ cmake ninja-build catch2 dpkg-dev)
web_pkgs=(emscripten libsdl2-dev libgl-dev xvfb xauth chromium nginx-light clang llvm libclang-rt-14-dev python3 imagemagick curl ca-certificates help2man)
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
src="$cache/src"
missing_src=()
ls -d "$src"/imgui-*/ >/dev/null 2>&1 || missing_src+=(imgui)
ls -d "$src"/libsdl2-*/ >/dev/null 2>&1 || missing_src+=(libsdl2)
if [ ${#missing_src[@]} -gt 0 ]; then
  # An active (not commented-out) deb-src entry, one-line or deb822 style.
  if ! grep -rqsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/ \
     && ! grep -rqsE '^Types:.*deb-src' /etc/apt/sources.list.d/; then
    # Same archive as the existing Debian entry (a mirror, if the machine uses one).
    uri=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
    [ -n "$uri" ] || uri=$(sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\/debian\)[[:space:]].*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1)
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    log "adding a deb-src entry for bookworm main ($uri)"
    as_root tee /etc/apt/sources.list.d/cowlab-src.sources >/dev/null <<SRC
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
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
if [ ! -f "$here/node_modules/playwright-core/package.json" ] || [ ! -f "$here/node_modules/lz-string/package.json" ]; then
  log "npm install (playwright-core, lz-string)"
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

# Paths the builds read.
cat > "$cache/paths.env" <<PATHS
COWLAB_IMGUI_DIR=$imgui_dir
COWLAB_SDL2_WASM_DIR=$sdl_prefix/lib/cmake/SDL2
PATHS
log "ready (cache: $cache)"
