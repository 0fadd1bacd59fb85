#!/usr/bin/env python3
"""serve-dist.py DIR PORT: serves DIR on 127.0.0.1:PORT as `python3 -m http.server` does,
plus the header web/nginx.conf sends for the same reason, Access-Control-Allow-Origin: *.
A page framed with <iframe sandbox="allow-scripts"> has an opaque origin ("null"), so
its fetch of cowlab.wasm is cross-origin and needs that header (docs/hosting.md).
DIR is looked up per request, so a later build of dist/ is served at once."""
import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: serve-dist.py DIR PORT")
    handler = functools.partial(Handler, directory=sys.argv[1])
    with http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), handler) as server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
