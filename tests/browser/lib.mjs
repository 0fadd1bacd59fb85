// Shared helpers of the browser tests (run by scripts/test-web.sh and scripts/test-nginx.sh
// with node's built-in test runner: node --test-reporter=tap FILE): Debian's chromium driven
// by playwright-core, one browser per suite, ImGui-aware input, and PNG checks.
//   COWLAB_URL        the served dist/ (e.g. http://127.0.0.1:8123/)
//   COWLAB_ARTIFACTS  where screenshots go (default: a temporary directory)
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, describe } from 'node:test';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const baseUrl = process.env.COWLAB_URL || 'http://127.0.0.1:8000/';
export const artifacts = process.env.COWLAB_ARTIFACTS ||
    fs.mkdtempSync(path.join(os.tmpdir(), 'cowlab-browser-'));
fs.mkdirSync(artifacts, { recursive: true });

// Flags that give WebGL2 on SwiftShader (no GPU) and no network noise in headless Chromium.
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

// One browser for a whole suite, a fresh context (profile) per launch(). Options:
// viewport, deviceScaleFactor, colorScheme, permissions...
let browser = null;
const contexts = [];
export async function launch(options = {}) {
  browser = browser || await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  contexts.push(context);
  return context;
}
export async function closeAll() {
  for (const context of contexts.splice(0)) await context.close().catch(() => {});
}
async function closeBrowser() {
  await closeAll();
  if (browser) await browser.close().catch(() => {});
  browser = null;
}

// A suite of browser tests: node:test's describe(), with every context closed after each
// test and the browser after the last.
export function suite(name, body) {
  describe(name, () => {
    afterEach(closeAll);
    after(closeBrowser);
    body();
  });
}

// Collects console errors, page errors, failed requests (not aborted ones) and HTTP errors of a page.
// `allow` lists regular expressions of console errors a test provokes on purpose.
export function watch(page, allow = []) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !allow.some((re) => re.test(m.text())))
      problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // A request the browser aborted (a reload or navigation while it was in flight, such as
  // the favicon's) is no failure of the page.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return problems;
}

// Opens the playground at `fragment` (e.g. '#script=...') and waits until it is ready and
// idle. Returns {page, problems}.
export async function openPlayground(context, fragment = '', { allow = [], page } = {}) {
  page = page || await context.newPage();
  const problems = watch(page, allow);
  await page.goto(baseUrl + fragment, { waitUntil: 'load' });
  await waitReady(page);
  return { page, problems };
}

export async function waitReady(pageOrFrame, timeout = 60_000) {
  await pageOrFrame.waitForFunction(() => window.cowlab && window.cowlab.ready, null, { timeout });
  await pageOrFrame.evaluate(() => window.cowlab.idle());
}

// Where the App drew a widget ("run", "editor", "step_back", ...; web/app.h), or null.
export async function widget(page, id, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const r = await page.evaluate((i) => window.cowlab.widget(i), id);
    if (r) return r;
    if (Date.now() > end) throw new Error(`widget ${id} is not drawn`);
    await page.waitForTimeout(50);
  }
}

// The probe's entry (web/widget_probe.h) for the widget labelled `label` (a menu, a menu
// item), once it is drawn.
export async function probed(page, label, timeout = 10_000) {
  const end = Date.now() + timeout;
  await page.evaluate(() => cowlab.widgets(''));  // the probe records from the next frame on
  for (;;) {
    const found = await page.evaluate((l) => cowlab.widgets(l), label);
    if (found.length > 0) return found[0];
    if (Date.now() > end) throw new Error(`no widget labelled ${label}`);
    await page.waitForTimeout(50);
  }
}

// A course page on another origin (its own loopback port) framing the playground, as
// iframe #f, at the fragment fragmentFor(its origin) returns. The page records every
// message from the frame from the start (before `ready`) in window.got, as {origin, data}.
// Returns {server, page, frame, origin, problems}; close the server when done.
export async function foreignParent(context, fragmentFor) {
  let body = '';
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/course.html`;
  body = '<!doctype html><link rel="icon" href="data:,"><title>other course</title>'
      + '<script>window.got = []; addEventListener("message", (e) => { if (e.source === '
      + 'document.getElementById("f").contentWindow) got.push({origin: e.origin, data: e.data}); });</script>'
      + `<iframe id="f" title="playground" src="${baseUrl}${fragmentFor(new URL(url).origin)}"`
      + ' width="900" height="600"></iframe>';
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url);
  const frame = await (await page.waitForSelector('#f')).contentFrame();
  await waitReady(frame);
  return { server, page, frame, origin: new URL(url).origin, problems };
}

// Saves a screenshot of `page` as `file` once it is rendered (at least 30 colours), after
// moving the mouse to `rest` (where nothing shows a tooltip; null leaves it where it is);
// notes its size in the test.
export async function shoot(page, file, t, rest = { x: 640, y: 420 }) {
  if (rest) await page.mouse.move(rest.x, rest.y);
  await page.waitForTimeout(300);
  const png = decodePng(await page.screenshot({ path: file }));
  const { distinct } = colourStats(png);
  if (distinct < 30) throw new Error(`${file}: not a rendered picture (${distinct} colours)`);
  t.diagnostic(`${file}: ${png.width}x${png.height}`);
}

// A click ImGui sees: it samples input once per frame, so move, wait, press, wait, release.
export async function click(page, id) {
  await clickRect(page, await widget(page, id));
}

// The same click on a rectangle {x, y, w, h} (a widget() or a cowlab.widgets() entry).
export async function clickRect(page, r) {
  const x = r.x + Math.min(r.w / 2, 20), y = r.y + r.h / 2;
  await page.mouse.move(x, y);
  await page.waitForTimeout(60);
  await page.mouse.down();
  await page.waitForTimeout(80);
  await page.mouse.up();
  await page.waitForTimeout(60);
}

// A key press ImGui sees (a press and release inside one frame is lost).
export async function press(page, key) {
  await page.keyboard.press(key, { delay: 100 });
  await page.waitForTimeout(50);
}

// Types text into the focused ImGui editor: characters arrive as text events, newlines as
// Enter presses.
export async function typeText(page, text) {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]) await page.keyboard.type(lines[i], { delay: 15 });
    if (i < lines.length - 1) await press(page, 'Enter');
  }
}

export const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

// --- PNG ---------------------------------------------------------------------------------
// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's screenshots are).
export function decodePng(buf) {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8, width = 0, height = 0, type = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off), kind = buf.toString('latin1', off + 4, off + 8);
    const body = buf.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[12] !== 0) throw new Error('unsupported PNG');
      type = body[9];
    } else if (kind === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const bpp = type === 6 ? 4 : type === 2 ? 3 : 0;
  if (!bpp) throw new Error(`unsupported PNG colour type ${type}`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp, out = Buffer.alloc(width * height * 4);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let p;
      if (filter === 0) p = 0;
      else if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = (line[i] + p) & 255;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = line[x * bpp + k];
      out[(y * width + x) * 4 + 3] = bpp === 4 ? line[x * bpp + 3] : 255;
    }
    prev = line;
  }
  return { width, height, data: out };
}

// Distinct colours, and the share of the most common one, in an image.
export function colourStats(png) {
  const counts = new Map();
  for (let i = 0; i < png.data.length; i += 4) {
    const key = png.data.readUInt32BE(i);
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  const top = Math.max(...counts.values());
  return { distinct: counts.size, topShare: top / (png.width * png.height) };
}
