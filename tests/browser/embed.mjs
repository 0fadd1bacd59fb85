// Embedding: web/embed-example.html (a course page with two playgrounds) and the
// postMessage API, its validation, and &origins=.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/embed.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { b64url, baseUrl, launch, suite, waitReady, watch } from './lib.mjs';

const embedUrl = new URL('embed-example.html', baseUrl).href;

async function openCourse() {
  const context = await launch({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(embedUrl, { waitUntil: 'load' });
  const frames = {};
  for (const id of ['lesson-fork', 'lesson-thread']) {
    frames[id] = await (await page.waitForSelector('#' + id)).contentFrame();
    await waitReady(frames[id]);
  }
  return { page, frames, problems };
}

// Sends a message from the course page to the first playground and waits for `count`
// new answers (or `ms` milliseconds). Returns the new answers.
async function exchange(page, message, { count = 1, ms = 20_000 } = {}) {
  return page.evaluate(async ({ message, count, ms }) => {
    const start = window.courseDemo.answers.length;
    window.courseDemo.send(message);
    const end = Date.now() + ms;
    while (window.courseDemo.answers.length < start + count && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    return window.courseDemo.answers.slice(start);
  }, { message, count, ms });
}

// A course page on another origin (its own loopback port) embedding the playground at
// the fragment fragmentFor(its origin) returns.
async function foreignParent(context, fragmentFor) {
  let body = '';
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/course.html`;
  body = '<!doctype html><link rel="icon" href="data:,"><title>other course</title>'
      + `<iframe id="f" title="playground" src="${baseUrl}${fragmentFor(new URL(url).origin)}"`
      + ' width="900" height="600"></iframe>';
  const page = await context.newPage();
  await page.goto(url);
  const frame = await (await page.waitForSelector('#f')).contentFrame();
  await waitReady(frame);
  return { server, page, frame, origin: new URL(url).origin };
}

// Sends from the parent page to its iframe and collects answers for `ms` milliseconds.
function ask(page, message, ms) {
  return page.evaluate(async ({ message, ms }) => {
    const frame = document.getElementById('f').contentWindow;
    const got = [];
    window.addEventListener('message', (e) => { if (e.source === frame) got.push(e.data); });
    frame.postMessage(message, '*');
    const end = Date.now() + ms;
    while (!got.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return got;
  }, { message, ms });
}

suite('embed', () => {
  test('the course page shows two titled playgrounds, both ready, without console errors', async () => {
    const { page, frames, problems } = await openCourse();
    const titles = await page.evaluate(() => [...document.querySelectorAll('iframe')].map((f) => f.title));
    assert.equal(titles.length, 2, 'two iframes');
    assert(titles.every((t) => t.startsWith('cowlab playground:')), `titled iframes: ${titles}`);
    assert.equal(await frames['lesson-fork'].evaluate(() => cowlab.position()), 5, 'the first ran to its end');
    assert.equal(await frames['lesson-thread'].evaluate(() => cowlab.position()), 4, 'the second stopped at &step=4');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('postMessage round trip: cowlab:step and cowlab:load are answered with cowlab:state', async () => {
    const { page, frames } = await openCourse();
    const fork = frames['lesson-fork'];
    let answers = await exchange(page, { type: 'cowlab:step', n: 4 });
    assert.equal(answers.length, 1, 'one answer');
    assert.equal(answers[0].type, 'cowlab:state', 'a cowlab:state answer');
    assert.equal(answers[0].state, await fork.evaluate(() => cowlab.state()), 'the state of the playground');
    assert.equal(JSON.parse(answers[0].state).step, 4, 'after statement 4');
    assert.equal(JSON.parse(answers[0].state).system.frames_shared, 8, 'the 8 pages are shared after fork');
    const script = 'spawn P1\nP1 mmap heap 4\nP1 write heap\n';
    answers = await exchange(page, { type: 'cowlab:load', script });
    assert.equal(answers[0].type, 'cowlab:state', 'load answered');
    assert.equal(JSON.parse(answers[0].state).system.frames_used, 4, 'the new script ran');
    assert.equal(await fork.evaluate(() => cowlab.script()), script, 'the editor holds the sent script');
    // The page's own buttons use the same messages.
    await page.click('#step-0');
    await page.waitForFunction(() => document.getElementById('shared').textContent === '0');
  });

  test('invalid messages are refused with cowlab:error and change nothing', async () => {
    const { page, frames } = await openCourse();
    const before = await frames['lesson-fork'].evaluate(() => cowlab.state());
    const bad = [
      { type: 'cowlab:step', n: -1 },
      { type: 'cowlab:step', n: '3' },
      { type: 'cowlab:step', n: 1.5 },
      { type: 'cowlab:step' },
      { type: 'cowlab:load', script: 5 },
      { type: 'cowlab:load', script: 'spawn P1\n', extra: true },
      { type: 'cowlab:load', script: 'x'.repeat((1 << 20) + 1) },
      { type: 'cowlab:frobnicate' },
    ];
    for (const message of bad) {
      const answers = await exchange(page, message);
      assert.equal(answers.length && answers[0].type, 'cowlab:error', `refused: ${JSON.stringify(message).slice(0, 80)}`);
      assert.equal(typeof answers[0].error, 'string', 'with a reason');
    }
    // Messages that are not ours get no answer at all.
    for (const message of ['cowlab:step', null, [1, 2], { type: 'other' }, { n: 1 }]) {
      const answers = await exchange(page, message, { ms: 300 });
      assert.equal(answers.length, 0, `ignored: ${JSON.stringify(message)}`);
    }
    assert.equal(await frames['lesson-fork'].evaluate(() => cowlab.state()), before, 'the state is unchanged');
  });

  test('&origins= restricts which parent origins may drive the playground', async () => {
    const context = await launch();
    const script = 'spawn P1\nP1 mmap heap 8\nP1 write heap\n';
    const servingOrigin = new URL(baseUrl).origin;
    // Only the playground's own origin is allowed: this foreign parent is ignored.
    const denied = await foreignParent(context,
      () => `#script=${b64url(script)}&origins=${encodeURIComponent(servingOrigin)}`);
    try {
      const before = await denied.frame.evaluate(() => cowlab.state());
      assert.equal((await ask(denied.page, { type: 'cowlab:step', n: 0 }, 1500)).length, 0, 'no answer to a foreign origin');
      assert.equal(await denied.frame.evaluate(() => cowlab.state()), before, 'and no change');
    } finally { denied.server.close(); }
    // Allowed: the parent's origin is in the list (with another one).
    const allowed = await foreignParent(context,
      (origin) => `#script=${b64url(script)}&origins=https://course.example,${encodeURIComponent(origin)}`);
    try {
      const answers = await ask(allowed.page, { type: 'cowlab:step', n: 2 }, 20_000);
      assert.equal(answers.length && answers[0].type, 'cowlab:state', 'a listed origin is answered');
      assert.equal(JSON.parse(answers[0].state).step, 2, 'and the step happened');
    } finally { allowed.server.close(); }
    // Without &origins= any parent may drive it.
    const open = await foreignParent(context, () => `#script=${b64url(script)}`);
    try {
      const answers = await ask(open.page, { type: 'cowlab:load', script: 'spawn P1\n' }, 20_000);
      assert.equal(answers.length && answers[0].type, 'cowlab:state', 'any parent is answered');
    } finally { open.server.close(); }
  });
});
