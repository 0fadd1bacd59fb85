// Smoke test of a served playground at any URL (used by scripts/test-nginx.sh):
//   COWLAB_URL=http://127.0.0.1:8080/ [COWLAB_SCREENSHOT=out.png]
//   [COWLAB_EMBED_URL=http://127.0.0.1:8080/embed-example.html] node tests/browser/smoke-url.mjs
// Loads the page in headless Chromium, waits for window.cowlab.ready, fails on any console
// error, page error or failed request, checks that the page's Content-Security-Policy is
// in force (an inline script is refused), takes a screenshot, then loads the page again
// inside an iframe of another origin, as a course page would embed it, and, when given,
// the site's example course page with every playground it frames.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const url = process.env.COWLAB_URL;
if (!url) {
  console.error('smoke-url: set COWLAB_URL to the page to test');
  process.exit(2);
}
const shot = process.env.COWLAB_SCREENSHOT || path.join(os.tmpdir(), 'cowlab-smoke-url.png');
const timeout = 60_000;
const problems = [];
let parent = null;  // the course page's server
let probing = false;  // while true, the refusal of the probe's inline script is expected

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cowlab-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});

function watch(page, label) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (probing && /Content Security Policy/.test(m.text())) return;
    problems.push(`${label} console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${label} page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`${label} request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${label} HTTP ${r.status()}: ${r.url()}`); });
}

function ready() { return Boolean(window.cowlab && window.cowlab.ready); }

try {
  // 1. The page on its own.
  const page = context.pages()[0] || await context.newPage();
  watch(page, 'page');
  const t0 = Date.now();
  const response = await page.goto(url, { waitUntil: 'load', timeout });
  if (!response || response.status() !== 200) problems.push(`page: HTTP ${response?.status()}`);
  await page.waitForFunction(ready, null, { timeout });
  console.log(`  page ready in ${Date.now() - t0} ms`);
  // The policy is in force: an inline script must be refused. (page.evaluate itself runs
  // through DevTools, which the policy does not govern, so probe with a <script> element.)
  probing = true;
  const inlineRan = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__cowlabInlineRan = true;';
    document.head.appendChild(s);
    await new Promise((r) => setTimeout(r, 100));
    s.remove();
    return window.__cowlabInlineRan === true;
  });
  probing = false;
  if (inlineRan) problems.push('page: an inline script ran, so no Content-Security-Policy is in force');
  else console.log('  Content-Security-Policy in force: inline script refused');
  await page.waitForTimeout(500);
  await page.screenshot({ path: shot });
  console.log(`  screenshot: ${shot}`);

  // 2. Embedded in an iframe by a page of another origin (a course page), served from a
  // loopback port of its own: a real cross-origin parent that Chromium's local-network
  // checks accept (a routed, fulfilled parent counts as public and is blocked).
  const parentBody = '<!doctype html><link rel="icon" href="data:,"><title>course</title>'
      + `<iframe id="f" src="${url}" width="1000" height="700"></iframe>`;
  parent = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(parentBody);
  });
  await new Promise((r) => parent.listen(0, '127.0.0.1', r));
  const parentUrl = `http://127.0.0.1:${parent.address().port}/lesson.html`;
  const embed = await context.newPage();
  watch(embed, 'embedded');
  await embed.goto(parentUrl, { waitUntil: 'load', timeout });
  const frame = await (await embed.waitForSelector('#f', { timeout })).contentFrame();
  if (!frame) throw new Error('embedded: the iframe has no content frame');
  await frame.waitForFunction(ready, null, { timeout });
  console.log(`  ready inside an iframe of ${new URL(parentUrl).origin}`);

  // 3. The site's own example course page (COWLAB_EMBED_URL), under its own policy: every
  // playground it frames must come up.
  if (process.env.COWLAB_EMBED_URL) {
    const course = await context.newPage();
    watch(course, 'embed-example');
    await course.goto(process.env.COWLAB_EMBED_URL, { waitUntil: 'load', timeout });
    const frames = await course.$$('iframe');
    if (frames.length === 0) problems.push('embed-example: no iframe');
    for (const handle of frames) {
      const f = await handle.contentFrame();
      if (!f) { problems.push('embed-example: an iframe has no content frame'); continue; }
      await f.waitForFunction(ready, null, { timeout });
    }
    console.log(`  ${frames.length} playgrounds ready in ${process.env.COWLAB_EMBED_URL}`);
  }
} catch (e) {
  problems.push(`error: ${e.message.split('\n')[0]}`);
} finally {
  await context.close();
  parent?.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

for (const p of problems) console.error(`  ${p}`);
process.exit(problems.length ? 1 : 0);
