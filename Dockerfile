# cowlab in a container: the WebAssembly playground served by nginx on port 8080.
#   docker build -t cowlab . && docker run -p 8080:8080 cowlab    -> http://localhost:8080/
#
# Only steps the tested path uses too (docs/hosting.md):
#   build:    scripts/setup.sh and scripts/build-web.sh, exactly as on a developer's
#             machine (Debian packages, Debian source packages and the pinned npm packages;
#             here nodejs is Debian's 18);
#   runtime:  Debian's nginx (nginx-light, the package scripts/setup.sh installs) with
#             web/nginx.conf unchanged, started by the command scripts/test-nginx.sh runs:
#             unprivileged, prefix = html/ (the site) + var/ (pid and temporary files).

# ---- build: dist/ ---------------------------------------------------------------------
FROM debian:bookworm AS build
WORKDIR /src
# The set-up first, so that its layer (about 3 minutes) is reused while only sources change.
COPY scripts/setup.sh scripts/setup.sh
COPY package.json package-lock.json* ./
RUN bash scripts/setup.sh
COPY . .
RUN bash scripts/build-web.sh && test -f dist/index.html

# ---- runtime: nginx serving dist/ -------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light curl \
 && rm -rf /var/lib/apt/lists/*
# An unprivileged user; only var/ is writable by it, the site is owned by root.
RUN useradd --uid 10001 --user-group --home-dir /srv/cowlab --no-create-home \
      --shell /usr/sbin/nologin cowlab \
 && mkdir -p /srv/cowlab/var \
 && chown cowlab:cowlab /srv/cowlab/var
COPY web/nginx.conf /etc/nginx/cowlab.conf
COPY --from=build /src/dist/ /srv/cowlab/html/
RUN chmod -R a+rX /srv/cowlab/html
USER cowlab
# The configuration test of scripts/test-nginx.sh. Its output goes to a file the user owns,
# because nginx opens /dev/stdout (the access log) itself.
RUN nginx -p /srv/cowlab/ -c /etc/nginx/cowlab.conf -e stderr -t >/srv/cowlab/var/nginx-t.log 2>&1 \
 || { cat /srv/cowlab/var/nginx-t.log; exit 1; }; rm -f /srv/cowlab/var/nginx-t.log
EXPOSE 8080
# SIGQUIT: nginx finishes the requests in flight, then exits.
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/ || exit 1
CMD ["nginx", "-p", "/srv/cowlab/", "-c", "/etc/nginx/cowlab.conf", "-e", "stderr", "-g", "daemon off;"]
