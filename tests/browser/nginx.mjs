// What nginx, configured by exactly web/nginx.conf, answers for the site: a table with one
// row per request (the path and request headers; the status, headers and body expected),
// each expectation a test. scripts/test-nginx.sh starts nginx on a copy of dist/ and runs
//   COWLAB_URL=http://127.0.0.1:PORT/ COWLAB_SITE=<the copy nginx serves>
//   COWLAB_NGINX_PID=<master process> COWLAB_NGINX_LOG=<its log>
//     node --test-reporter=tap tests/browser/nginx.mjs
// The status line and headers of every response are printed as TAP comments.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';

const base = process.env.COWLAB_URL;
const site = process.env.COWLAB_SITE;
if (!base || !site) {
  console.error('nginx.mjs: set COWLAB_URL (the server) and COWLAB_SITE (the folder it serves)');
  process.exit(2);
}

// --- what web/nginx.conf promises ------------------------------------------------------
const longCache = 'public, max-age=31536000, immutable';
const embedCache = 'public, max-age=300';  // cowlab-embed.js: a fixed name other sites link to
const hashedName = /[.-][0-9a-f]{8,}\.(js|mjs|wasm|css|data|json|png|svg|woff2)$/;
const typeOf = {
  html: 'text/html; charset=utf-8', js: 'application/javascript; charset=utf-8',
  mjs: 'application/javascript; charset=utf-8', wasm: 'application/wasm',
  css: 'text/css; charset=utf-8', json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8', svg: 'image/svg+xml; charset=utf-8',
  png: 'image/png', txt: 'text/plain; charset=utf-8', cow: 'text/plain; charset=utf-8',
  webmanifest: 'application/manifest+json',
};
const compressible = new Set(['html', 'js', 'mjs', 'wasm', 'css', 'json', 'svg', 'txt', 'cow', 'webmanifest']);
const extension = (rel) => path.extname(rel).slice(1);

// An expected header: [name, want, label?]. want is the exact value (a string), a
// RegExp it matches, ABSENT, or not(RegExp) for a value that must not match.
const ABSENT = Symbol('absent');
const not = (re) => ({ not: re });

// The Content-Security-Policy a page carries in its <meta> ('' when none): its header must
// be the very same string.
const entities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function unescapeHtml(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, e) => {
    if (e[0] !== '#') return entities[e] ?? all;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}
function metaCsp(page) {
  const text = fs.readFileSync(path.join(site, page), 'utf8');
  for (const tag of text.match(/<meta\b[^>]*>/gis) || []) {
    if (!/http-equiv\s*=\s*["']?content-security-policy/i.test(tag)) continue;
    const m = /content\s*=\s*("([^"]*)"|'([^']*)')/is.exec(tag);
    if (m) return unescapeHtml(m[2] ?? m[3]);
  }
  return '';
}

// Headers every response carries, error pages included, with PAGE's <meta> policy; and
// what must never be there (framing is allowed: course pages embed the playground).
function security(page = 'index.html') {
  return [
    ['content-security-policy', metaCsp(page), `Content-Security-Policy equals ${page}'s <meta> policy`],
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', /^(no-referrer|strict-origin|strict-origin-when-cross-origin|same-origin|origin)$/],
    ['x-frame-options', ABSENT, 'no X-Frame-Options (course pages embed the playground)'],
    ['content-security-policy', not(/frame-ancestors +('none'|'self')/), 'CSP frame-ancestors, if any, allows embedding'],
    ['cross-origin-opener-policy', ABSENT],
    ['cross-origin-embedder-policy', ABSENT],
    ['access-control-allow-origin', '*', 'Access-Control-Allow-Origin: * (a sandboxed frame has an opaque origin)'],
  ];
}

// The served files (no .gz, no dot files), relative to the site.
function siteFiles(dir = site) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return siteFiles(full);
    return e.name.endsWith('.gz') || e.name.startsWith('.') ? [] : [path.relative(site, full)];
  }).sort();
}
const files = siteFiles();
const hashedFiles = files.filter((rel) => hashedName.test(rel));

// --- the table ---------------------------------------------------------------------------
// A row: { path, request: {header: value or () => value}, status, headers: [...],
//          body: {file} (the bytes of that site file) or {gunzip} (gunzipped, that file),
//          setup/cleanup: what to do to the site around the request }.
let etagOfIndex = null;  // the ETag /index.html was served with (its row comes first)

// A site file: its type, its caching (content-hashed names vs the rest), its policy, and,
// when nginx may compress it, the same request with Accept-Encoding: gzip.
function fileRows(rel) {
  const type = typeOf[extension(rel)];
  if (!type) return [];
  const rows = [{
    path: '/' + rel, status: 200, body: { file: rel },
    headers: [
      ['content-type', type], ['content-encoding', ABSENT, 'no Content-Encoding without Accept-Encoding'],
      ['cache-control', hashedName.test(rel) ? longCache : rel === 'cowlab-embed.js' ? embedCache : 'no-cache'],
      ...security(rel.endsWith('.html') ? rel : 'index.html'),
    ],
  }];
  const gz = fs.existsSync(path.join(site, rel + '.gz'));
  if (compressible.has(extension(rel)) && (gz || fs.statSync(path.join(site, rel)).size >= 1024)) {
    rows.push({
      path: '/' + rel, request: { 'Accept-Encoding': 'gzip' }, status: 200, body: { gunzip: rel },
      headers: [['content-encoding', 'gzip'], ['vary', 'Accept-Encoding'],
                ['content-type', type, `same Content-Type when compressed: ${type}`]],
      ...(gz && { gzFile: rel + '.gz' }),
    });
  }
  return rows;
}

// Long-lived caching needs content-hashed names; when the build has none, the rule is
// proved on a probe copy of the wasm file (in the served copy only: dist/ is untouched).
function probeRows() {
  if (hashedFiles.length > 0) return [];
  const wasm = files.find((rel) => rel.endsWith('.wasm'));
  const probe = path.join(site, 'cowlab-probe.0123abcd.wasm');
  return [{
    path: '/cowlab-probe.0123abcd.wasm', status: 200, headers: [['cache-control', longCache]],
    setup: () => fs.copyFileSync(path.join(site, wasm), probe), cleanup: () => fs.rmSync(probe, { force: true }),
  }];
}

const rows = [
  // The page, by / and by name; and a conditional request (no-cache stays cheap).
  { path: '/', status: 200, body: { file: 'index.html' },
    headers: [['content-type', 'text/html; charset=utf-8'], ['cache-control', 'no-cache'],
              ['server', 'nginx', 'no Server version (server_tokens off)'], ...security()] },
  { path: '/index.html', status: 200, keepEtag: true, headers: [['cache-control', 'no-cache'], ...security()] },
  { path: '/index.html', request: { 'If-None-Match': () => etagOfIndex }, status: 304, headers: [] },
  // Every served file: type, caching, compression.
  ...files.flatMap(fileRows),
  ...probeRows(),
  // Errors: a plain 404 (no fallback to index.html), the security headers still there, no
  // long caching of a missing hashed-looking name, and no dot files.
  { path: '/no-such-page', status: 404, headers: security() },
  { path: '/cowlab.0123abcd.wasm', status: 404, headers: [['cache-control', ABSENT, 'no Cache-Control on a 404']] },
  { path: '/.git/config', status: 404, headers: [] },
];

// --- the runner ----------------------------------------------------------------------------
function get(urlPath, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(urlPath, base), { headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath}: no answer in 10 s`)));
    req.on('error', reject);
  });
}

const title = (name) => name.replace(/(^|-)([a-z])/g, (all, dash, c) => dash + c.toUpperCase());
function describeWant(name, want) {
  if (want === ABSENT) return `no ${title(name)}`;
  if (want instanceof RegExp) return `${title(name)} matches ${want}`;
  return `${title(name)}: ${want}`;
}

function checkHeader(value, name, want) {
  if (want === ABSENT) assert.equal(value, undefined, `${name} must be absent`);
  else if (want instanceof RegExp) assert.match(value ?? '', want);
  else if (want.not) assert.doesNotMatch(value ?? '', want.not);
  else assert.equal(value, want);
}

for (const row of rows) {
  const request = row.request || {};
  const label = `GET ${row.path}` + Object.keys(request).map((k) => ` (${k})`).join('');
  describe(label, () => {
    let answer = null;  // fetched by the first test, once
    const response = async () => {
      if (!answer) {
        const headers = {};
        for (const [k, v] of Object.entries(request)) headers[k] = typeof v === 'function' ? v() : v;
        row.setup?.();
        try { answer = await get(row.path, headers); } finally { row.cleanup?.(); }
        if (row.keepEtag) etagOfIndex = answer.res.headers.etag;
      }
      return answer;
    };
    test(`status ${row.status}`, async (t) => {
      const { res } = await response();
      t.diagnostic(`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`);
      for (let i = 0; i < res.rawHeaders.length; i += 2) t.diagnostic(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      assert.equal(res.statusCode, row.status);
    });
    for (const [name, want, what] of row.headers) {
      test(what || describeWant(name, want), async () => {
        checkHeader((await response()).res.headers[name], name, want);
      });
    }
    if (row.body?.file) {
      test(`the body is the file ${row.body.file}`, async () => {
        assert((await response()).body.equals(fs.readFileSync(path.join(site, row.body.file))), 'the same bytes');
      });
    }
    if (row.body?.gunzip) {
      test(`the gunzipped body is the file ${row.body.gunzip}`, async () => {
        const file = fs.readFileSync(path.join(site, row.body.gunzip));
        assert(zlib.gunzipSync((await response()).body).equals(file), 'the same bytes once gunzipped');
      });
    }
    if (row.gzFile) {
      test(`the build's ${row.gzFile} served as is (gzip_static)`, async () => {
        assert((await response()).body.equals(fs.readFileSync(path.join(site, row.gzFile))), 'the bytes of the .gz');
      });
    }
  });
}

// --- the site and the server -------------------------------------------------------------
describe('the site and the server', () => {
  test('the master process runs unprivileged',
    { skip: process.env.COWLAB_NGINX_PID ? false : 'COWLAB_NGINX_PID is not set' }, () => {
      const status = fs.readFileSync(`/proc/${process.env.COWLAB_NGINX_PID}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)[1]);
      assert.notEqual(uid, 0, 'the master process is not root');
    });
  for (const page of files.filter((rel) => rel.endsWith('.html'))) {
    test(`${page} carries a Content-Security-Policy <meta>`, () => {
      assert.notEqual(metaCsp(page), '', `a <meta http-equiv="Content-Security-Policy"> in ${page}`);
    });
  }
  test('the site holds application/wasm files', () => {
    assert(files.some((rel) => rel.endsWith('.wasm')), 'a .wasm file');
  });
  // Last: every request above has been logged by now.
  test('nginx logged no serious errors',
    { skip: process.env.COWLAB_NGINX_LOG ? false : 'COWLAB_NGINX_LOG is not set' }, (t) => {
      const log = fs.readFileSync(process.env.COWLAB_NGINX_LOG, 'utf8').split('\n');
      t.diagnostic(`${log.filter((l) => l.includes('"GET ')).length} requests served`);
      assert.deepEqual(log.filter((l) => /\[(emerg|alert|crit)\]/.test(l)), [], 'no [emerg], [alert] or [crit] lines');
    });
});
