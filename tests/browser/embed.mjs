// Embedding: web/embed-example.html (a course page with a <cowlab-playground> element and
// an iframe), the postMessage API (ready, ids, get, resize), its validation, &origins=,
// and the element from a page on another origin under a strict CSP.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/embed.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { b64url, baseUrl, foreignParent, launch, suite, waitReady, watch } from './lib.mjs';

const embedUrl = new URL('embed-example.html', baseUrl).href;

async function openCourse() {
  const context = await launch({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(embedUrl, { waitUntil: 'load' });
  const frames = {};
  // (Playwright's CSS selectors reach into the element's open shadow root.)
  for (const [id, selector] of [['lesson-fork', '#lesson-fork iframe'], ['lesson-thread', '#lesson-thread']]) {
    frames[id] = await (await page.waitForSelector(selector)).contentFrame();
    await waitReady(frames[id]);
  }
  return { page, frames, problems };
}

// Sends a message from the course page to the first playground and waits for `count`
// new answers, cowlab:state or cowlab:error (or `ms` milliseconds). Returns them.
async function exchange(page, message, { count = 1, ms = 20_000 } = {}) {
  return page.evaluate(async ({ message, count, ms }) => {
    const start = window.courseDemo.answers.length;
    const answers = () => window.courseDemo.answers.slice(start)
      .filter((m) => m.type === 'cowlab:state' || m.type === 'cowlab:error');
    window.courseDemo.send(message);
    const end = Date.now() + ms;
    while (answers().length < count && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    return answers();
  }, { message, count, ms });
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
    const titles = await page.evaluate(() => [document.querySelector('#lesson-fork').shadowRoot.querySelector('iframe'),
      ...document.querySelectorAll('iframe')].map((f) => f.title));
    assert.equal(titles.length, 2, 'two iframes: the element\'s and the plain one');
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
      { type: 'cowlab:get', n: 1 },
      { type: 'cowlab:step', n: 1, id: { nested: true } },
      { type: 'cowlab:step', n: 1, id: 'x'.repeat(300) },
      { type: 'cowlab:step', n: 1, id: Infinity },
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

  test('an embedded playground opens in full, same script and step, in a new tab', async () => {
    const { page, frames } = await openCourse();
    const fork = frames['lesson-fork'];
    await fork.evaluate(() => cowlab.step(3));
    assert.equal(await fork.isVisible('#cowlab-open'), true, 'the "Open in cowlab" link shows in embed mode');
    assert.equal(await fork.textContent('#cowlab-open'), 'Open in cowlab \u2197');
    const [tab] = await Promise.all([page.context().waitForEvent('page'), fork.click('#cowlab-open')]);
    await waitReady(tab);
    assert.equal(tab.url().includes('embed=1'), false, 'the full page, not the embedded one');
    assert.equal(await tab.evaluate(() => cowlab.position()), 3, 'at the same step');
    assert.equal(await tab.evaluate(() => cowlab.script()), await fork.evaluate(() => cowlab.script()), 'the same script');
    const plain = await frames['lesson-thread'].evaluate(() => document.getElementById('cowlab-open').hidden);
    assert.equal(plain, false, 'the plain iframe is in embed mode too');
  });

  test('cowlab:ready is posted unprompted, once, and only to the &origins= origins', async () => {
    const context = await launch();
    const script = 'spawn P1\nP1 mmap heap 8\n';
    const open = await foreignParent(context, () => `#script=${b64url(script)}`);
    try {
      const got = await open.page.evaluate(() => window.got);
      const ready = got.filter((m) => m.data && m.data.type === 'cowlab:ready');
      assert.equal(ready.length, 1, 'one ready message, without any request');
      assert.deepEqual(ready[0].data, { type: 'cowlab:ready', version: 1 }, 'exactly {type, version}: no script, no state');
      assert.equal(got.filter((m) => m.data.type === 'cowlab:resize').length, 0, 'no resize outside embed mode');
    } finally { open.server.close(); }
    // Listed origins only: a parent not in &origins= hears nothing.
    const servingOrigin = new URL(baseUrl).origin;
    const denied = await foreignParent(context,
      () => `#script=${b64url(script)}&origins=${encodeURIComponent(servingOrigin)}`);
    try {
      await denied.page.waitForTimeout(500);
      assert.equal((await denied.page.evaluate(() => window.got)).length, 0, 'no message to an unlisted parent');
    } finally { denied.server.close(); }
    const listed = await foreignParent(context,
      (origin) => `#script=${b64url(script)}&embed=1&origins=${encodeURIComponent(origin)}`);
    try {
      await listed.page.waitForFunction(() => window.got.some((m) => m.data.type === 'cowlab:resize'));
      const got = await listed.page.evaluate(() => window.got);
      assert.equal(got[0].data.type, 'cowlab:ready', 'a listed parent is told');
      // Embed mode: the preferred height of a 3-line script is the minimum, 480 px.
      assert.deepEqual(got.find((m) => m.data.type === 'cowlab:resize').data, { type: 'cowlab:resize', height: 480 });
    } finally { listed.server.close(); }
  });

  test('ids are echoed in answers, and cowlab:get changes nothing', async () => {
    const context = await launch();
    const script = 'spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\n';
    const parent = await foreignParent(context, () => `#script=${b64url(script)}&step=3`);
    try {
      const before = await parent.frame.evaluate(() => [cowlab.state(), cowlab.position(), cowlab.script()]);
      let [answer] = await ask(parent.page, { type: 'cowlab:get', id: 'q-1' }, 20_000);
      assert.deepEqual(Object.keys(answer).sort(), ['id', 'state', 'type'], 'state and id');
      assert.equal(answer.id, 'q-1', 'a string id is echoed');
      assert.equal(answer.state, before[0], 'the current state');
      assert.deepEqual(await parent.frame.evaluate(() => [cowlab.state(), cowlab.position(), cowlab.script()]), before,
        'get changed nothing');
      [answer] = await ask(parent.page, { type: 'cowlab:step', n: 4, id: 7 }, 20_000);
      assert.equal(answer.type, 'cowlab:state');
      assert.equal(answer.id, 7, 'a number id is echoed');
      assert.equal(JSON.parse(answer.state).step, 4, 'the step happened');
      [answer] = await ask(parent.page, { type: 'cowlab:step', n: -1, id: 'bad' }, 20_000);
      assert.equal(answer.type, 'cowlab:error');
      assert.equal(answer.id, 'bad', 'errors echo the id too');
      [answer] = await ask(parent.page, { type: 'cowlab:step', n: 0 }, 20_000);
      assert.equal('id' in answer, false, 'no id asked, none given');
    } finally { parent.server.close(); }
  });

  test('<cowlab-playground> from another origin under a strict CSP: load, step, state, events', async () => {
    const context = await launch();
    const serving = new URL(baseUrl).origin;
    const script = 'spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nC1 write heap 0-1\n';
    const server = http.createServer((req, res) => {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': `default-src 'none'; script-src ${serving}; frame-src ${serving}; style-src 'none'; img-src data:; base-uri 'none'`,
      });
      res.end('<!doctype html><link rel="icon" href="data:,"><title>course</title>'
        + `<script src="${baseUrl}cowlab-embed.js"></script>`
        + `<cowlab-playground id="p" src="${baseUrl}" embed step="2" title="fork demo" script="${script.replace(/\n/g, '&#10;')}">`
        + '</cowlab-playground>');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    try {
      const page = await context.newPage();
      const problems = watch(page);
      await page.addInitScript(() => {
        window.seen = { ready: 0, change: [] };
        document.addEventListener('ready', () => window.seen.ready++, true);
        document.addEventListener('change', (e) => window.seen.change.push(e.detail && e.detail.state), true);
      });
      await page.goto(`http://127.0.0.1:${server.address().port}/course.html`, { waitUntil: 'domcontentloaded' });
      // Called at once, before the playground is ready: queued.
      const first = await page.evaluate(() => document.getElementById('p').state());
      const frame = await (await page.waitForSelector('#p iframe')).contentFrame();
      const attrs = await page.evaluate(() => {
        const f = document.getElementById('p').shadowRoot.querySelector('iframe');
        return { loading: f.getAttribute('loading'), title: f.title, src: f.src };
      });
      assert.equal(attrs.loading, 'lazy');
      assert.equal(attrs.title, 'fork demo');
      assert(attrs.src.startsWith(baseUrl + '#script='), attrs.src);
      assert.equal(JSON.parse(first).step, 2, 'state() before ready waited, then answered at step="2"');
      assert.equal(first, await frame.evaluate(() => cowlab.state()), 'the same string as window.cowlab.state()');
      const stepped = await page.evaluate(() => document.getElementById('p').step(4));
      assert.equal(JSON.parse(stepped).system.frames_shared, 8, 'step(4): after the fork');
      const loaded = await page.evaluate(() => document.getElementById('p').load('spawn P1\nP1 mmap heap 4\nP1 write heap\n'));
      assert.equal(JSON.parse(loaded).system.frames_used, 4, 'load() ran the new script');
      const rejected = await page.evaluate(() => document.getElementById('p').step(-1).then(() => 'resolved', (e) => e.name));
      assert.equal(rejected, 'TypeError', 'a bad argument rejects');
      const seen = await page.evaluate(() => window.seen);
      assert.equal(seen.ready, 1, 'one ready event');
      assert.deepEqual(seen.change, [stepped, loaded], 'a change event for step and load, none for state()');
      // Embed mode: the frame takes the preferred height (3 lines: the minimum, 480).
      await page.waitForFunction(() => document.getElementById('p').shadowRoot.querySelector('iframe').height === '480');
      assert.equal(problems.join('\n'), '', 'no console errors (no CSP violation)');
    } finally { server.close(); }
  });
});
