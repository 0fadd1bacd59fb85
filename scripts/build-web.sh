#!/usr/bin/env bash
# Builds the web playground with Emscripten into build-web/ and assembles dist/, a static
# folder any web server can serve (single-threaded: no COOP/COEP headers needed):
#   index.html, embed-example.html     revalidated on every visit
#   favicon.svg, icon-192.png, icon-512.png, cowlab.webmanifest, og-image.png
#                                      fixed names (the manifest and link previews name them)
#   cowlab-embed.js                    the <cowlab-playground> element: a fixed name that
#                                      course pages link to (a short cache lifetime)
#   cowlab.<hash>.js / .wasm, cowlab-host.<hash>.js, cowlab-mirror.<hash>.js,
#   cowlab-touch.<hash>.js, lz-string.min.<hash>.js,
#   cowlab.<hash>.css, embed-example.<hash>.js / .css
#                                      content-hashed: cacheable forever
#   *.gz next to the js, wasm, css and html, for nginx's gzip_static
# Needs scripts/setup.sh to have run (it writes ~/.cache/cowlab/paths.env).
#   COWLAB_PUBLIC_URL=https://example.org/cowlab/   where dist/ will be served: link previews
#       (og:image, twitter:image) need the picture's absolute URL, so without it index.html
#       carries no image tag.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
paths=${COWLAB_CACHE:-$HOME/.cache/cowlab}/paths.env
[ -f "$paths" ] || { echo "build-web: $paths is missing: run scripts/setup.sh first" >&2; exit 1; }
# shellcheck disable=SC1090
. "$paths"
[ -f "$COWLAB_IMGUI_DIR/imgui.cpp" ] || { echo "build-web: no Dear ImGui in $COWLAB_IMGUI_DIR: run scripts/setup.sh" >&2; exit 1; }
[ -f "$COWLAB_SDL2_WASM_DIR/SDL2Config.cmake" ] || { echo "build-web: no SDL2 for WASM in $COWLAB_SDL2_WASM_DIR: run scripts/setup.sh" >&2; exit 1; }
[ -f web/app.cpp ] || { echo "build-web: web/app.cpp (the panels) is missing" >&2; exit 1; }
[ -f node_modules/lz-string/libs/lz-string.min.js ] || { echo "build-web: node_modules/lz-string is missing: run scripts/setup.sh" >&2; exit 1; }

# Emscripten's tools need Debian's python3 and acorn from Debian's node modules.
export NODE_PATH=/usr/share/nodejs
export PATH=/usr/bin:$PATH

build=build-web
emcmake cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCOWLAB_IMGUI_DIR="$COWLAB_IMGUI_DIR" -DSDL2_DIR="$COWLAB_SDL2_WASM_DIR" >/dev/null
cmake --build "$build" --target cowlab-web

# --- dist/ ------------------------------------------------------------------------------
out=$(mktemp -d "$here/.dist.XXXXXX")
trap 'rm -rf "$out"' EXIT
hash_of() { sha256sum "$1" | cut -c1-12; }
# put SRC STEM EXT: copies SRC to $out/STEM.<hash>.EXT and prints the new name.
put() {
  local name
  name="$2.$(hash_of "$1").$3"
  cp "$1" "$out/$name"
  printf '%s' "$name"
}
wasm=$(put "$build/web/cowlab.wasm" cowlab wasm)
js=$(put "$build/web/cowlab.js" cowlab js)
host=$(put web/cowlab-host.js cowlab-host js)
mirror=$(put web/cowlab-mirror.js cowlab-mirror js)
touch_js=$(put web/cowlab-touch.js cowlab-touch js)
lz=$(put node_modules/lz-string/libs/lz-string.min.js lz-string.min js)
css=$(put web/cowlab.css cowlab css)
embed_js=$(put web/embed-example.js embed-example js)
embed_css=$(put web/embed-example.css embed-example css)

# Link previews: the picture's absolute URL, or no image tag.
public=${COWLAB_PUBLIC_URL:-}
og_sed='/^<!-- cowlab:og-image -->$/d'
if [ -n "$public" ]; then
  [[ "$public" =~ ^https?://[A-Za-z0-9._~:/%-]+$ ]] \
    || { echo "build-web: COWLAB_PUBLIC_URL must be an http(s) URL without query or fragment: $public" >&2; exit 1; }
  image="${public%/}/og-image.png"
  og_sed="s|^<!-- cowlab:og-image -->\$|<meta property=\"og:image\" content=\"$image\"><meta name=\"twitter:image\" content=\"$image\">|"
fi

sed -e "s|href=\"cowlab.js\"|href=\"$js\"|" -e "s|href=\"cowlab.wasm\"|href=\"$wasm\"|" \
    -e "s|src=\"lz-string.min.js\"|src=\"$lz\"|" \
    -e "s|src=\"cowlab-host.js\"|src=\"$host\"|" \
    -e "s|src=\"cowlab-mirror.js\"|src=\"$mirror\"|" -e "s|src=\"cowlab-touch.js\"|src=\"$touch_js\"|" \
    -e "s|href=\"cowlab.css\"|href=\"$css\"|" \
    -e "$og_sed" \
    index.html >"$out/index.html"
sed -e "s|src=\"embed-example.js\"|src=\"$embed_js\"|" -e "s|href=\"embed-example.css\"|href=\"$embed_css\"|" \
    web/embed-example.html >"$out/embed-example.html"
cp web/cowlab-embed.js "$out/cowlab-embed.js"
cp web/favicon.svg web/icon-192.png web/icon-512.png web/cowlab.webmanifest docs/og-image.png "$out/"
for f in "$js" "$wasm" "$lz" "$host" "$mirror" "$touch_js" "$css" "$embed_js" "$embed_css" cowlab-embed.js; do
  grep -qF "$f" "$out/index.html" "$out/embed-example.html" \
    || { echo "build-web: $f is not referenced: index.html or embed-example.html changed?" >&2; exit 1; }
done

# Pre-compressed copies (same mtime as the original, as gzip_static expects).
for f in "$out"/*.js "$out"/*.wasm "$out"/*.css "$out"/*.html "$out"/*.svg "$out"/*.webmanifest; do
  gzip -9 -n -k "$f"
  touch -r "$f" "$f.gz"
done
chmod -R a+rX "$out"

rm -rf dist
mv "$out" dist
trap - EXIT
gz() { gzip -9 -n -c "$1" | wc -c; }
printf 'build-web: dist/ ready: %s %d bytes (gzip %d), %s %d bytes (gzip %d)\n' \
  "$js" "$(wc -c <"dist/$js")" "$(gz "dist/$js")" "$wasm" "$(wc -c <"dist/$wasm")" "$(gz "dist/$wasm")"
