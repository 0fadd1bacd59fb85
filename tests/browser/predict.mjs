// Predict, then reveal (&predict=1, docs/teaching.md): the numbers that changed since the
// last revealed bookmark read "?" in #cowlab-state however the step is reached, until
// Reveal; stepping back never unveils them. Also: #quiz= takes the seeds `cowlab quiz
// --seed` takes; &show=N opens at the N-th `show`, also in a hand-out without expects;
// the playground runs in <iframe sandbox="allow-scripts"> (an opaque origin), and a
// server that does not allow it gives a visible message, not an endless "Loading".
//   COWLAB_URL=http://127.0.0.1:PORT/ COWLAB_BIN=build/shell/cowlab \
//     node --test-reporter=tap tests/browser/predict.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { test } from 'node:test';
import { b64url, baseUrl, click, launch, openPlayground, press, suite, typeText } from './lib.mjs';

// Two bookmarks, each followed by the expects that become its questions. Steps: the show
// lines are statements 4 and 9 of 11.
const SCRIPT = [
  '# predict, then reveal',
  'spawn P1',
  'P1 mmap heap 8',
  'P1 write heap',
  'show',
  'expect frames_used=8',
  'P1 fork C1',
  'C1 write heap 0-1',
  'expect C1 rss=8',
  'show',
  'expect cow_copies=2',
  'expect C1 uss=2',
  '',
].join('\n');
const HANDOUT = SCRIPT.split('\n').filter((l) => !l.startsWith('expect')).join('\n');

const stateText = (page) => page.evaluate(() => document.getElementById('cowlab-state').textContent);
const position = (page) => page.evaluate(() => window.cowlab.position());
// The step the page is at, once the mirror caught up with it.
async function mirrorAt(page, step) {
  await page.waitForFunction((n) => document.getElementById('cowlab-state').textContent
    .startsWith(`step ${n} of `), step, { timeout: 20_000 });
  return stateText(page);
}

suite('predict, then reveal', () => {
  test('&predict=1 veils the numbers that changed at a show; steps back and the JS API keep them veiled', async () => {
    const context = await launch({ viewport: { width: 1280, height: 800 } });
    const { page, problems } = await openPlayground(context, `#script=${b64url(SCRIPT)}&predict=1`);
    assert.equal(await position(page), 4, 'opens at the first show');
    let text = await mirrorAt(page, 4);
    assert.match(text, /^step 4 of 11: frames used \?/, text);
    assert.match(text, /COW copies 0/, 'a number that did not change since the start shows: ' + text);
    const state = JSON.parse(await page.evaluate(() => window.cowlab.state()));
    assert.equal(state.system.frames_used, 8);  // the JSON API is not veiled

    // The JS API's step: still veiled, one step before the bookmark too.
    await page.evaluate(() => window.cowlab.step(3));
    assert.match(await mirrorAt(page, 3), /frames used \?/);
    await page.evaluate(() => window.cowlab.step(4));
    await mirrorAt(page, 4);

    // On to the second bookmark by the Step button: the frame count and copies changed.
    for (let n = 5; n <= 9; n++) {
      await click(page, 'step');
      await mirrorAt(page, n);
    }
    text = await stateText(page);
    assert.match(text, /COW copies \?/, text);
    assert.match(text, /frames used \?/, text);
    // One Step back from the bookmark: its numbers stay veiled.
    await click(page, 'step_back');
    assert.match(await mirrorAt(page, 8), /COW copies \?/);
    // Nothing revealed yet: only the start (step 0) shows its numbers.
    await page.evaluate(() => window.cowlab.step(0));
    assert.doesNotMatch(await mirrorAt(page, 0), /\?/);
    assert.deepEqual(problems, []);
  });

  test('Reveal (Enter in the last prediction) unveils the bookmark, and the verdict shows', async () => {
    const context = await launch({ viewport: { width: 1280, height: 800 } });
    const { page, problems } = await openPlayground(context, `#script=${b64url(SCRIPT)}&predict=1`);
    assert.match(await mirrorAt(page, 4), /frames used \?/);
    await click(page, 'answer:0');  // the question of the first show: frames_used
    await typeText(page, '7');
    await press(page, 'Enter');
    await page.waitForFunction(() => !/\?/.test(document.getElementById('cowlab-state').textContent),
      null, { timeout: 20_000 });
    const text = await stateText(page);
    assert.match(text, /^step 4 of 11: frames used 8/, text);
    // Revealed stays revealed: a step away and back.
    await page.evaluate(() => window.cowlab.step(3));
    await page.evaluate(() => window.cowlab.step(4));
    assert.doesNotMatch(await mirrorAt(page, 4), /\?/);
    assert.deepEqual(problems, []);
  });

  test('a quiz: one Step back from a bookmark does not reveal its answers', async () => {
    const context = await launch({ viewport: { width: 1280, height: 800 } });
    const { page } = await openPlayground(context, '#quiz=42');
    const at = await position(page);
    assert.ok(at > 1, 'the quiz opens at its first bookmark');
    assert.match(await mirrorAt(page, at), /\?/);
    await click(page, 'step_back');
    const text = await mirrorAt(page, at - 1);
    assert.match(text, /\?/, 'still veiled one step before the bookmark: ' + text);
  });

  test('#quiz=4000000000 is the quiz of `cowlab quiz --seed 4000000000`; a seed past 2^64 - 1 is refused', async () => {
    const bin = process.env.COWLAB_BIN;
    assert.ok(bin, 'COWLAB_BIN names the native cowlab');
    const quiz = JSON.parse(execFileSync(bin, ['quiz', '--json', '--seed', '4000000000'], { encoding: 'utf8' }));
    const other = JSON.parse(execFileSync(bin, ['quiz', '--json', '--seed', '2147483647'], { encoding: 'utf8' }));
    assert.notEqual(quiz.script, other.script);
    const context = await launch({ viewport: { width: 1280, height: 800 } });
    const { page } = await openPlayground(context, '#quiz=4000000000');
    assert.equal(await page.evaluate(() => window.cowlab.script()), quiz.script);

    const refused = await openPlayground(context, '#quiz=18446744073709551616');
    const notice = await refused.page.waitForSelector('#cowlab-notice:not([hidden])', { timeout: 10_000 });
    assert.match(await notice.textContent(), /There is no quiz 18446744073709551616: a quiz seed is a whole number from 0 to 18446744073709551615/);
    const script = await refused.page.evaluate(() => window.cowlab.script());
    const first = fs.readFileSync(new URL('../../examples/01-basic-cow-fork.cow', import.meta.url), 'utf8');
    assert.equal(script, first, 'no other quiz was started: the page shows its first example');
  });

  test('&show=2 opens at the second show, in the full script and in the hand-out without expects', async () => {
    const context = await launch({ viewport: { width: 1280, height: 800 } });
    const { page } = await openPlayground(context, `#script=${b64url(SCRIPT)}&show=2`);
    assert.equal(await position(page), 9);
    const handout = await openPlayground(context, `#script=${b64url(HANDOUT)}&show=2`);
    assert.equal(await position(handout.page), 7);  // its 7th statement is its second show
    assert.equal(HANDOUT.split('\n').filter((l) => l && !l.startsWith('#'))[6], 'show');
    // Both are where the bookmark's numbers are: 8 + 2 copies.
    for (const p of [page, handout.page])
      assert.equal(JSON.parse(await p.evaluate(() => window.cowlab.state())).system.counters.cow_copies, 2);
  });

  // A course page on its own origin framing the playground in a strict sandbox. The frame
  // loads the test server's playground, or with `proxied` the same files through this
  // server, which sends no Access-Control-Allow-Origin.
  async function sandboxedCourse(context, { proxied = false } = {}) {
    let frameBase = baseUrl;
    const server = http.createServer(async (req, res) => {
      if (req.url === '/course.html') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><link rel="icon" href="data:,"><title>course</title>'
          + '<script>window.got = []; addEventListener("message", (e) => got.push(e.data));'
          + 'window.ask = () => document.getElementById("f").contentWindow.postMessage({type: "cowlab:get", id: 7}, "*");</script>'
          + `<iframe id="f" sandbox="allow-scripts" title="playground" src="${frameBase}#script=${b64url(SCRIPT)}"`
          + ' width="900" height="600"></iframe>');
        return;
      }
      const r = await fetch(new URL(req.url, baseUrl));
      res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') || 'application/octet-stream' });
      res.end(Buffer.from(await r.arrayBuffer()));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const port = server.address().port;
    if (proxied) frameBase = `http://127.0.0.1:${port}/`;
    const page = await context.newPage();
    await page.goto(`http://localhost:${port}/course.html`);
    const frame = await (await page.waitForSelector('#f')).contentFrame();
    return { page, frame, server };
  }

  test('<iframe sandbox="allow-scripts"> loads and runs; the state comes by postMessage', async () => {
    const context = await launch({ viewport: { width: 1000, height: 700 } });
    const { page, frame, server } = await sandboxedCourse(context);
    try {
      assert.equal(await frame.evaluate(() => self.origin), 'null', 'the frame has an opaque origin');
      await page.waitForFunction(() => got.some((m) => m && m.type === 'cowlab:ready'), null, { timeout: 60_000 });
      await page.evaluate(() => window.ask());
      await page.waitForFunction(() => got.some((m) => m && m.type === 'cowlab:state' && m.id === 7), null, { timeout: 20_000 });
      const state = JSON.parse(await page.evaluate(() => got.find((m) => m.type === 'cowlab:state').state));
      assert.equal(state.system.counters.cow_copies, 2);
    } finally {
      server.close();
    }
  });

  test('a sandboxed frame whose server sends no Access-Control-Allow-Origin does not load forever in silence', async () => {
    const context = await launch({ viewport: { width: 1000, height: 700 } });
    const { frame, server } = await sandboxedCourse(context, { proxied: true });
    try {
      // Either the module aborts (its message names the header) or the watchdog speaks.
      await frame.waitForFunction(() => !document.getElementById('cowlab-error').hidden ||
        /has not started/.test(document.getElementById('cowlab-loading-text').textContent), null, { timeout: 40_000 });
      const text = await frame.evaluate(() => (document.getElementById('cowlab-error').hidden
        ? document.getElementById('cowlab-loading-text') : document.getElementById('cowlab-error-text')).textContent);
      assert.match(text, /Access-Control-Allow-Origin|may be blocked/, text);
    } finally {
      server.close();
    }
  });
});
