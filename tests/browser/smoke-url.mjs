// Smoke test of a served playground at any URL (used by scripts/test-nginx.sh):
//   COWLAB_URL=http://127.0.0.1:8080/ [COWLAB_SCREENSHOT=out.png]
//   [COWLAB_EMBED_URL=http://127.0.0.1:8080/embed-example.html]
//     node --test-reporter=tap tests/browser/smoke-url.mjs
// Loads the page in headless Chromium, waits for window.cowlab.ready, fails on any console
// error, page error or failed request, checks that the page's Content-Security-Policy is
// in force (an inline script is refused), takes a screenshot, then loads the page again
// inside an iframe of another origin, as a course page would embed it, and, when given,
// the site's example course page with every playground it frames.
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { launch, suite, watch } from './lib.mjs';

const url = process.env.COWLAB_URL;
if (!url) {
  console.error('smoke-url: set COWLAB_URL to the page to test');
  process.exit(2);
}
const shot = process.env.COWLAB_SCREENSHOT || path.join(os.tmpdir(), 'cowlab-smoke-url.png');
const embedUrl = process.env.COWLAB_EMBED_URL || '';
const timeout = 60_000;

function ready() { return Boolean(window.cowlab && window.cowlab.ready); }

suite('smoke-url', () => {
  test('the page alone: ready, its Content-Security-Policy in force, a screenshot', async (t) => {
    const page = await (await launch()).newPage();
    const allow = [];  // holds the policy's refusal while the probe runs
    const problems = watch(page, allow);
    const t0 = Date.now();
    const response = await page.goto(url, { waitUntil: 'load', timeout });
    assert.equal(response?.status(), 200, 'the page is served with status 200');
    await page.waitForFunction(ready, null, { timeout });
    t.diagnostic(`page ready in ${Date.now() - t0} ms`);
    // The policy is in force: an inline script must be refused. (page.evaluate itself runs
    // through DevTools, which the policy does not govern, so probe with a <script> element.)
    allow.push(/Content Security Policy/);
    const inlineRan = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__cowlabInlineRan = true;';
      document.head.appendChild(s);
      await new Promise((r) => setTimeout(r, 100));
      s.remove();
      return window.__cowlabInlineRan === true;
    });
    allow.pop();
    assert(!inlineRan, 'an inline script ran, so no Content-Security-Policy is in force');
    await page.waitForTimeout(500);
    await page.screenshot({ path: shot });
    t.diagnostic(`screenshot: ${shot}`);
    assert.equal(problems.join('\n'), '', 'no console errors, page errors or failed requests');
  });

  // Embedded in an iframe by a page of another origin (a course page), served from a
  // loopback port of its own: a real cross-origin parent that Chromium's local-network
  // checks accept (a routed, fulfilled parent counts as public and is blocked).
  test('inside an iframe of another origin', async (t) => {
    const parentBody = '<!doctype html><link rel="icon" href="data:,"><title>course</title>'
        + `<iframe id="f" src="${url}" width="1000" height="700"></iframe>`;
    const parent = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(parentBody);
    });
    await new Promise((r) => parent.listen(0, '127.0.0.1', r));
    try {
      const parentUrl = `http://127.0.0.1:${parent.address().port}/lesson.html`;
      const page = await (await launch()).newPage();
      const problems = watch(page);
      await page.goto(parentUrl, { waitUntil: 'load', timeout });
      const frame = await (await page.waitForSelector('#f', { timeout })).contentFrame();
      assert(frame, 'the iframe has a content frame');
      await frame.waitForFunction(ready, null, { timeout });
      t.diagnostic(`ready inside an iframe of ${new URL(parentUrl).origin}`);
      assert.equal(problems.join('\n'), '', 'no console errors, page errors or failed requests');
    } finally {
      parent.close();
    }
  });

  // The site's own example course page, under its own policy: every playground it frames
  // must come up.
  test('the example course page: every playground it frames is ready',
    { skip: embedUrl ? false : 'COWLAB_EMBED_URL is not set' }, async (t) => {
      const page = await (await launch()).newPage();
      const problems = watch(page);
      await page.goto(embedUrl, { waitUntil: 'load', timeout });
      const frames = await page.$$('iframe');
      assert(frames.length > 0, 'the course page has an iframe');
      for (const handle of frames) {
        const f = await handle.contentFrame();
        assert(f, 'every iframe has a content frame');
        await f.waitForFunction(ready, null, { timeout });
      }
      t.diagnostic(`${frames.length} playgrounds ready in ${embedUrl}`);
      assert.equal(problems.join('\n'), '', 'no console errors, page errors or failed requests');
    });
});
