// The postMessage surface under random input: from a course page on another origin, at
// least 10,000 messages made by a seeded generator (valid requests, malformed ones,
// oversized scripts, wrong types, unknown cowlab: types, non-objects, markup in every
// string), then the same messages to a playground whose &origins= refuses that page.
// Nothing may crash, log a console error or become HTML, and an invalid message changes
// no state (window.cowlab.state() before and after each batch of invalid ones).
// Also: the cowlab:quiz message when a quiz question is checked.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/embed-fuzz.mjs
//   COWLAB_FUZZ_MESSAGES=N   messages per playground (default 10000)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { b64url, baseUrl, foreignParent, clickRect, launch, press, suite, typeText, waitReady, watch } from './lib.mjs';

const MESSAGES = Number(process.env.COWLAB_FUZZ_MESSAGES || 10_000);
const SEED = 0xc0ffee16;
const BATCH = 200;
const script = 'spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nC1 write heap 0-1\n';
const MARKUP = '<img src=x onerror="window.__cowlabFuzzHit=1"><script>window.__cowlabFuzzHit=1</script>';

// Runs in the course page: the message generator (mulberry32, seeded) and the sender.
// Each batch is either only invalid messages or only valid ones (the state may change
// only in the second kind); returns {kind, sent} per batch.
function installFuzzer(page) {
  return page.evaluate(({ seed, markup }) => {
    let s = seed >>> 0;
    const rnd = () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
    const int = (n) => Math.floor(rnd() * n);
    const junk = () => pick([null, undefined, true, 0, -1, 1.5, NaN, Infinity, -0, 2 ** 53, 'x', '', markup,
      [], [1, 2], {}, { type: 'cowlab:get' }, new Date(0), /re/, new Map([[1, 2]]), new Uint8Array(4),
      'a'.repeat(300), BigInt(7)]);
    const types = ['cowlab:load', 'cowlab:step', 'cowlab:get'];
    // Invalid: every shape the playground must refuse or ignore.
    const invalid = () => {
      switch (int(14)) {
        case 0: return junk();                                          // not an object
        case 1: return [{ type: 'cowlab:step', n: 1 }];                 // an array
        case 2: return { type: pick(['cowlab:', 'cowlab:STEP', 'cowlab:eval', 'cowlab:' + markup,
          'cowlab:quiz', 'cowlab:ready', 'cowlab:state', 'cowlab:resize', 'cowlab:' + 'x'.repeat(int(2000))]) };
        case 3: return { type: 'cowlab:step', n: pick([-1, 1.5, NaN, Infinity, '3', null, true, 2 ** 53, [], {}]) };
        case 4: return { type: 'cowlab:load', script: pick([7, null, [], {}, true, new String('spawn P1')]) };
        case 5: return { type: 'cowlab:load' };                        // a field missing
        case 6: return { type: 'cowlab:step' };
        case 7: return { type: pick(types), n: 1, script: 'spawn P1\n', extra: markup };  // extra fields
        case 8: return { type: pick(types), id: pick([{}, [], null, true, NaN, Infinity, 'i'.repeat(257)]) };
        case 9: return { type: junk(), n: 1 };                          // type not a cowlab: string
        case 10: return { type: 'cowlab:get', [markup]: 1 };
        case 11: return { type: 'cowlab:get', id: int(100), n: int(5) };  // a field of another type
        case 12: return rnd() < 0.1 ? { type: 'cowlab:load', script: 'x'.repeat((1 << 20) + 1 + int(10)) }  // oversized
          : { type: 'cowlab:load', script: '\u00e9'.repeat((1 << 19) + 1) };  // over 1 MiB only as UTF-8
        // An own "__proto__" member (JSON.parse makes one; structured cloning keeps it).
        default: return JSON.parse('{"type": "cowlab:step", "n": 1, "__proto__": {"type": "cowlab:load"}}');
      }
    };
    // Valid: requests that may change the state, with and without ids.
    const valid = () => {
      const withId = (m) => (rnd() < 0.5 ? { ...m, id: pick([int(1e6), 'req-' + int(1e6), markup]) } : m);
      switch (int(4)) {
        case 0: return withId({ type: 'cowlab:step', n: int(8) });
        case 1: return withId({ type: 'cowlab:get' });
        case 2: return withId({ type: 'cowlab:load', script: pick(['spawn P1\n', 'spawn P1\nP1 mmap heap 4\nP1 write heap\n',
          '# ' + markup + '\nspawn P1\n', 'spawn P1\nP1 bogus\n', 'spawn ' + markup + '\n']) });
        default: return withId({ type: 'cowlab:step', n: int(2 ** 31) });
      }
    };
    window.fuzz = {
      next(kind, count) {
        const frame = document.getElementById('f').contentWindow;
        const make = kind === 'invalid' ? invalid : valid;
        let sent = 0;
        for (let i = 0; i < count; i++) {
          const m = make();
          try { frame.postMessage(m, '*'); sent++; } catch (e) { /* not cloneable: still a message never sent */ sent++; }
        }
        return sent;
      },
    };
  }, { seed: SEED, markup: MARKUP });
}

// What the frame shows that could have been made from a message: elements outside the
// processes table (rebuilt from process names, by textContent) and the markup's trap.
const frameDom = (frame) => frame.evaluate(() => ({
  elements: [...document.querySelectorAll('*')].filter((el) => !el.closest('#cowlab-processes'))
    .map((el) => el.tagName + '#' + el.id).join(' '),
  hit: window.__cowlabFuzzHit === 1,
  images: document.images.length,
}));

// Sends `total` messages in batches; after each batch of invalid ones the state must be
// what it was. With `refused`, no message may change anything or be answered.
async function fuzz(t, { page, frame }, total, refused) {
  const dom = await frameDom(frame);
  let sent = 0, batches = 0;
  while (sent < total) {
    const kind = refused || batches % 4 !== 3 ? 'invalid' : 'valid';
    const before = await frame.evaluate(() => window.cowlab.state());
    const count = kind === 'invalid' ? Math.min(BATCH, total - sent) : Math.min(8, total - sent);
    sent += await page.evaluate(({ kind, count }) => window.fuzz.next(kind, count), { kind, count });
    // Once the playground answered a cowlab:get sent after the batch, it has read the batch.
    if (!refused) {
      await page.evaluate(() => new Promise((resolve) => {
        const frameWin = document.getElementById('f').contentWindow;
        const id = 'fence-' + Math.random();
        const on = (e) => { if (e.source === frameWin && e.data && e.data.id === id) { removeEventListener('message', on); resolve(); } };
        addEventListener('message', on);
        frameWin.postMessage({ type: 'cowlab:get', id }, '*');
      }));
    } else {
      await page.waitForTimeout(20);
    }
    await frame.evaluate(() => window.cowlab.idle());
    if (kind === 'invalid' || refused) {
      const after = await frame.evaluate(() => window.cowlab.state());
      assert.equal(after, before, `batch ${batches} (${kind}) changed the state`);
    }
    batches++;
  }
  t.diagnostic(`${sent} messages in ${batches} batches (seed ${SEED.toString(16)})${refused ? ', from a refused origin' : ''}`);
  const after = await frameDom(frame);
  assert.equal(after.hit, false, 'no markup from a message ran');
  assert.equal(after.images, dom.images, 'no element was made from a message');
  assert.equal(after.elements, dom.elements, 'the page\'s elements are the same');
  assert.match(await frame.evaluate(() => window.cowlab.state()), /^\{"version":1,/, 'the playground still answers');
  return sent;
}

suite('postMessage fuzz', () => {
  test(`${MESSAGES} random messages from another origin: no crash, no error, no HTML, invalid ones change nothing`,
    async (t) => {
      const context = await launch();
      const parent = await foreignParent(context, () => `#script=${b64url(script)}&embed=1`);
      try {
        await installFuzzer(parent.page);
        const sent = await fuzz(t, parent, MESSAGES, false);
        assert(sent >= MESSAGES);
        const errors = await parent.page.evaluate(() => window.got.filter((m) => m.data && m.data.type === 'cowlab:error').length);
        assert(errors > 0, 'invalid cowlab: messages were answered with cowlab:error');
        assert.deepEqual(parent.problems, []);
      } finally { parent.server.close(); }
    });

  test(`the same ${MESSAGES} messages from an origin &origins= refuses change nothing and get no answer`, async (t) => {
    const context = await launch();
    const parent = await foreignParent(context,
      () => `#script=${b64url(script)}&embed=1&origins=${encodeURIComponent('https://course.example')}`);
    try {
      await installFuzzer(parent.page);
      await fuzz(t, parent, MESSAGES, true);
      const answers = await parent.page.evaluate(() => window.got.map((m) => m.data).filter((m) => m && m.type !== 'cowlab:ready'
        && m.type !== 'cowlab:resize'));
      assert.deepEqual(answers, [], 'a refused origin hears nothing');
      assert.deepEqual(parent.problems, []);
    } finally { parent.server.close(); }
  });

  test('revealing a quiz bookmark posts cowlab:quiz {seed, answered, correct} to the parent', async () => {
    // A top-level page whose window.parent (a replaceable property) records what is posted
    // to it, set before the page's scripts run: the playground then believes it is framed,
    // and clicks reach its canvas directly.
    const context = await launch({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const problems = watch(page);
    await page.addInitScript(() => {
      window.posted = [];
      window.parent = { postMessage: (m, origin) => window.posted.push({ m, origin }) };
    });
    await page.goto(baseUrl + '#quiz=3&embed=1');
    await waitReady(page);
    const find = async (label) => {
      for (let i = 0; i < 50; i++) {  // the widget probe reports from the frame after it was asked
        const found = await page.evaluate((l) => window.cowlab.widgets(l), label);
        if (found.length) return found.sort((a, b) => a.y - b.y)[0];
        await page.waitForTimeout(100);
      }
      return null;
    };
    // Predictions for the first bookmark's two questions (ImGui ids ##q0, ##q1); Enter in
    // the last one reveals the bookmark, as the Reveal button does.
    for (const id of ['##q0', '##q1']) {
      const input = await find(id);
      assert(input, `the quiz shows ${id}`);
      await clickRect(page, input);
      await typeText(page, '11');
    }
    assert(await find('Reveal'), 'the Reveal button is drawn');
    await press(page, 'Enter');
    await page.waitForFunction(() => window.posted.some((p) => p.m.type === 'cowlab:quiz'), null, { timeout: 10_000 });
    const quiz = await page.evaluate(() => window.posted.filter((p) => p.m.type === 'cowlab:quiz'));
    assert.equal(quiz.length, 1, 'one message per check');
    assert.deepEqual(Object.keys(quiz[0].m).sort(), ['answered', 'correct', 'seed', 'type']);
    assert.equal(quiz[0].m.seed, 3);
    assert.equal(quiz[0].m.answered, 2, 'the two questions of the first bookmark');
    assert(quiz[0].m.correct >= 0 && quiz[0].m.correct <= 2);
    assert.equal(quiz[0].origin, '*', 'sent like cowlab:ready: to the framing page, without &origins=');
    assert.deepEqual(problems, []);
  });
});
