#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs what is missing (scripts/setup.sh),
# builds dist/ (scripts/build-web.sh) and serves it with Python's http.server
# (scripts/serve-dist.py, which adds Access-Control-Allow-Origin as web/nginx.conf) at
#   http://127.0.0.1:8000/      (PORT=8123 scripts/serve.sh serves on another port)
# Ctrl-C stops the server.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
port=${PORT:-8000}
[[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] \
  || { echo "serve: PORT must be a port number, not '$port'" >&2; exit 2; }

bash scripts/setup.sh
bash scripts/build-web.sh

# Debian's python3 (it maps .wasm to application/wasm, which streaming compilation needs).
py=/usr/bin/python3
"$py" -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null \
  || { echo "serve: port $port is in use; try PORT=8123 $0" >&2; exit 1; }
echo
echo "cowlab is served at http://127.0.0.1:$port/   (embedding example: http://127.0.0.1:$port/embed-example.html)"
echo "Press Ctrl-C to stop."
# The folder is named per request, so a later build-web.sh is served at once; the server
# ends with status 0 on Ctrl-C.
exec "$py" scripts/serve-dist.py "$here/dist" "$port"
