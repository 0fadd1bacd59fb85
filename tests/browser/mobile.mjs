// Phones: the playground in Playwright's mobile emulation (390x844 CSS px, touch events,
// a mobile viewport). Taps are clicks, a drag scrolls, the on-screen keyboard's textarea
// (web/cowlab-touch.js, web/text_bridge.h) types into the editor, and the one-column layout
// of web/panels/layout_phone.h keeps every panel and the step controls on the screen.
// Results are read from #cowlab-state, as a screen reader would.
// A screenshot of the layout goes to the artifacts (mobile.png); COWLAB_SHOTS=docs puts it
// in docs/ instead (the picture docs/embedding.md shows).
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/mobile.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { artifacts, b64url, colourStats, decodePng, launch, openPlayground, suite, widget } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.resolve(root, process.env.COWLAB_SHOTS || artifacts);
const basic = fs.readFileSync(path.join(root, 'examples/01-basic-cow-fork.cow'), 'utf8');
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const stateText = (page) => page.evaluate(() => document.getElementById('cowlab-state').textContent);

async function stateBecomes(page, re, what) {
  try {
    await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('cowlab-state').textContent),
      re.source, { timeout: 15_000 });
  } catch (e) {
    assert.fail(`${what}: expected ${re}, #cowlab-state says "${await stateText(page)}"`);
  }
}

// A tap in the middle of widget `id` (only touch events: no mouse event is sent).
async function tap(page, id) {
  const r = await widget(page, id);
  await page.touchscreen.tap(r.x + Math.min(r.w / 2, 20), r.y + r.h / 2);
  await page.waitForTimeout(150);
}

async function phonePlayground(fragment) {
  const context = await launch(phone);
  return openPlayground(context, fragment);
}

suite('phones', () => {
  test('one column: every panel fits the 390 px width, the step controls are on screen', async () => {
    const { page, problems } = await phonePlayground('#script=' + b64url(basic) + '&step=4');
    assert.equal(await page.evaluate(() => window.innerWidth), 390);
    for (const id of ['editor', 'run', 'step', 'step_back', 'reset', 'slider']) {
      const r = await widget(page, id);
      assert(r.x >= 0 && r.x + r.w <= 390 + 0.5, `${id} fits the width: ${JSON.stringify(r)}`);
      assert(r.y >= 0 && r.y + r.h <= 844, `${id} is on the screen: ${JSON.stringify(r)}`);
    }
    const editor = await widget(page, 'editor'), slider = await widget(page, 'slider');
    assert(slider.y > editor.y, 'the panels are stacked: the steps come under the editor');
    const file = path.join(shots, 'mobile.png');
    await page.screenshot({ path: file });
    const stats = colourStats(decodePng(fs.readFileSync(file)));
    assert(stats.distinct >= 30 && stats.topShare < 0.9, `the screenshot shows the panels (${JSON.stringify(stats)})`);
    assert.deepEqual(problems, []);
  });

  test('a tap on Step steps', async () => {
    const { page, problems } = await phonePlayground('#script=' + b64url(basic) + '&step=3');
    const n = Number(/^step 3 of (\d+)/.exec(await stateText(page))?.[1]);
    assert(n > 4, `the link opens at step 3 (${await stateText(page)})`);
    await tap(page, 'step');
    await stateBecomes(page, new RegExp(`^step 4 of ${n}:`), 'after a tap on Step');
    await tap(page, 'step_back');
    await stateBecomes(page, new RegExp(`^step 3 of ${n}:`), 'after a tap on Step back');
    assert.deepEqual(problems, []);
  });

  test('the on-screen keyboard types a statement into the editor through the textarea', async () => {
    const { page, problems } = await phonePlayground('#script=' + b64url(basic));
    const n = Number(/^step (\d+) of \1:/.exec(await stateText(page))?.[1]);
    assert(n > 4, 'the example ran to its end');
    assert.match(await stateText(page), /COW copies 16,/);
    // Tap the editor: the hidden textarea takes the focus (the keyboard would come up), and
    // mirrors the editor's text.
    await tap(page, 'editor');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'cowlab-keyboard',
      null, { timeout: 5000 });
    await page.waitForFunction((t) => document.getElementById('cowlab-keyboard').value === t, basic, { timeout: 5000 });
    // The caret to the end (as a finger on the keyboard's selection handles would), then a
    // typo, Backspace, the statement and Enter, as an on-screen keyboard sends them.
    await page.evaluate(() => {
      const area = document.getElementById('cowlab-keyboard');
      area.setSelectionRange(area.value.length, area.value.length);
    });
    await page.waitForTimeout(200);
    await page.keyboard.insertText('C1 write heap 16-31x');
    await page.waitForTimeout(100);
    await page.keyboard.press('Backspace');
    await page.waitForTimeout(100);
    await page.keyboard.press('Enter');
    // Live mode runs the edited script: one more step, 16 more COW copies. It re-runs at
    // once on each edit, so the step may come before Enter does: wait for both.
    await stateBecomes(page, new RegExp(`^step ${n + 1} of ${n + 1}: .*COW copies 32,`), 'after typing');
    const ended = await page.waitForFunction(() => window.cowlab.script().endsWith('\nC1 write heap 16-31\n'),
      null, { timeout: 5000 }).then(() => true, () => false);
    const script = await page.evaluate(() => window.cowlab.script());
    assert(ended, `the editor holds the new line: ${JSON.stringify(script.slice(-40))}`);
    // (Live mode may have run the script twice, before and after Enter: what moved is
    // checked by tests/gui/mirror.cpp.)
    assert.match(await stateText(page), /Ran: C1 write heap 16-31\. Changed: /);
    assert.deepEqual(problems, []);
  });

  test('a drag scrolls the panel under the finger, and is no tap', async () => {
    const { page, problems } = await phonePlayground('#script=' + b64url(basic));
    // The headline's numbers stack one per row on a phone: its panel scrolls.
    const panel = await widget(page, 'headline.frames_used');
    const top = async () => (await widget(page, 'headline.frames_used')).y;
    const before = await top();
    const x = 200, y0 = panel.y + 120, y1 = panel.y + 20;
    const client = await page.context().newCDPSession(page);
    const touch = (type, y) => client.send('Input.dispatchTouchEvent',
      { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
    await touch('touchStart', y0);
    for (let i = 1; i <= 10; i++) {
      await touch('touchMove', y0 + (y1 - y0) * i / 10);
      await page.waitForTimeout(30);
    }
    await touch('touchEnd', y1);
    await page.waitForTimeout(300);
    const after = await top();
    assert(after < before - 20, `the numbers moved up with the finger: from y ${before} to ${after}`);
    assert.match(await stateText(page), /^step (\d+) of \1:/, 'a drag pressed nothing');
    assert.notEqual(await page.evaluate(() => document.activeElement.id), 'cowlab-keyboard', 'a drag is no tap');
    assert.deepEqual(problems, []);
  });
});
