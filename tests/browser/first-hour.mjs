// A student's first hour in the playground: nothing they type is lost (the question before
// an example replaces it, the browser's storage, the address bar, the script from before
// a quiz), and every failed expect is listed with its numbers. Each test failed before
// the playground did this.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/first-hour.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  b64url, baseUrl, click, clickRect, launch, openPlayground, press, suite, waitReady, widget,
} from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LZString = createRequire(import.meta.url)('lz-string');

const typed = 'spawn P1\nP1 mmap heap 32\nP1 write heap\nP1 fork C1\nC1 write heap 0-7\n';
const mine = 'P1 read heap';
const edited = typed + mine;
const EDITED_STATEMENTS = edited.split('\n').length;  // one statement per line

// The first example's menu label: its first comment line (web/main.cpp embedded_examples).
const firstExample = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.cow')).sort()[0];
const firstTitle = fs.readFileSync(path.join(root, 'examples', firstExample), 'utf8')
  .split('\n')[0].replace(/^#\s*/, '').trim();

// Opens the playground on `typed` and types a statement of its own at the end of the
// editor (text events only: a key press can be lost in a slow frame).
async function openAndEdit(context) {
  const opened = await openPlayground(context, '#script=' + b64url(typed));
  const { page } = opened;
  await click(page, 'editor');
  await press(page, 'Control+End');
  await page.keyboard.type(mine, { delay: 15 });
  await page.waitForFunction((t) => cowlab.script() === t, edited, { timeout: 20_000 });
  // Live mode runs the edited text after a short pause: to its end, its 6th statement.
  await page.waitForFunction((n) => cowlab.position() === n, EDITED_STATEMENTS, { timeout: 20_000 });
  return opened;
}

// The rectangle of the widget labelled `label` in window `window` (cowlab.widgets).
async function labelled(page, label, window) {
  const end = Date.now() + 10_000;
  for (;;) {
    const found = (await page.evaluate((l) => cowlab.widgets(l), label)).find((w) => !window || w.window === window);
    if (found) return found;
    if (Date.now() > end) throw new Error(`no widget labelled ${label}`);
    await page.waitForTimeout(50);
  }
}

async function pickFirstExample(page) {
  await page.evaluate(() => cowlab.widgets(''));  // the probe records from the next frame on
  await clickRect(page, await labelled(page, 'Examples', '##MainMenuBar'));
  await clickRect(page, await labelled(page, firstTitle));
}

suite('a first hour: nothing lost, expects you can read', () => {
  test('edit, pick an example, Cancel: the edit is still there; Replace replaces it', async () => {
    const context = await launch();
    const { page, problems } = await openAndEdit(context);
    await pickFirstExample(page);
    await page.waitForFunction(() => cowlab.facts().asking, null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => cowlab.script()), edited, 'asked before replacing');
    await click(page, 'replace_cancel');
    await page.waitForFunction(() => !cowlab.facts().asking, null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => cowlab.script()), edited, 'Cancel kept the edit');
    await pickFirstExample(page);
    await click(page, 'replace_ok');
    await page.waitForFunction((t) => cowlab.script() !== t, edited, { timeout: 20_000 });
    await page.evaluate(() => cowlab.idle());
    assert.match(await page.evaluate(() => cowlab.script()), new RegExp('^# ' + firstTitle), 'Replace loaded the example');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('the edit survives a reload and a bare visit; a link offers it back', async () => {
    const context = await launch();
    const { page, problems } = await openAndEdit(context);
    await page.waitForFunction((t) => (JSON.parse(localStorage.getItem('cowlab.script') || 'null') || {}).script === t,
                               edited, { timeout: 20_000 });
    await page.reload();
    await waitReady(page);
    assert.equal(await page.evaluate(() => cowlab.script()), edited, 'a reload shows the edit');
    const bare = await context.newPage();
    await bare.goto(baseUrl);
    await waitReady(bare);
    assert.equal(await bare.evaluate(() => cowlab.script()), edited, 'a bare visit restores the edit');
    // A link's script wins, and the saved one is a click away.
    const other = 'spawn P1\nP1 mmap heap 4\nP1 write heap\n';
    const linked = await context.newPage();
    await linked.goto(baseUrl + '#script=' + b64url(other));
    await waitReady(linked);
    assert.equal(await linked.evaluate(() => cowlab.script()), other, 'the link wins');
    await linked.waitForSelector('#cowlab-restore', { state: 'visible', timeout: 5000 });
    await linked.click('#cowlab-restore');
    await linked.waitForFunction((t) => cowlab.script() === t, edited, { timeout: 20_000 });
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('leaving a quiz brings back the script and the step from before it', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context, '#script=' + b64url(typed) + '&step=3');
    await page.evaluate(() => cowlab.widgets(''));
    await clickRect(page, await labelled(page, 'Quiz', '##MainMenuBar'));
    await page.waitForFunction(() => cowlab.facts().quiz, null, { timeout: 20_000 });
    await page.evaluate(() => cowlab.idle());
    assert.notEqual(await page.evaluate(() => cowlab.script()), typed, 'the quiz replaced the script');
    await clickRect(page, await labelled(page, 'leave the quiz'));
    await page.waitForFunction(() => !cowlab.facts().quiz, null, { timeout: 20_000 });
    await page.evaluate(() => cowlab.idle());
    assert.equal(await page.evaluate(() => cowlab.script()), typed, 'the script from before the quiz');
    assert.equal(await page.evaluate(() => cowlab.position()), 3, 'at its step');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('the address bar follows the editor and the step, without new history entries', async () => {
    const context = await launch();
    const { page, problems } = await openAndEdit(context);
    const entries = await page.evaluate(() => history.length);
    const linkOf = () => {
      const z = /#z=([^&]*)/.exec(location.hash);
      const step = /&step=(\d+)/.exec(location.hash);
      return { script: z ? LZString.decompressFromEncodedURIComponent(z[1]) : null, step: step ? Number(step[1]) : -1 };
    };
    await page.waitForFunction((t) => {
      const z = /#z=([^&]*)/.exec(location.hash);
      const step = /&step=(\d+)/.exec(location.hash);
      return z !== null && LZString.decompressFromEncodedURIComponent(z[1]) === t &&
        (step ? Number(step[1]) : -1) === cowlab.position();
    }, edited, { timeout: 20_000 });
    let link = await page.evaluate(linkOf);
    assert.equal(link.script, edited, 'the address bar holds the edited script');
    assert.equal(link.step, await page.evaluate(() => cowlab.position()), 'and the step');
    await page.evaluate(() => cowlab.step(2));
    await page.waitForFunction(() => /&step=2(&|$)/.test(location.hash), null, { timeout: 20_000 });
    link = await page.evaluate(linkOf);
    assert.equal(link.script, edited, 'the same script at step 2');
    assert.equal(await page.evaluate(() => history.length), entries, 'no new history entries');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('every failed expect is listed with its numbers, beside a runtime error', async () => {
    const script = 'spawn P\nP mmap h 4\nP write h\nexpect P rss=5\nexpect P uss=4\nexpect P uss=3\nX write h\n';
    const context = await launch();
    const { page, problems } = await openPlayground(context, '#script=' + b64url(script));
    const facts = await page.evaluate(() => cowlab.facts());
    assert.deepEqual(facts.failed, [
      { line: 4, process: 'P', region: '', metric: 'rss', expected: '5', actual: '4' },
      { line: 6, process: 'P', region: '', metric: 'uss', expected: '3', actual: '4' },
    ], 'the two failed expects, with the numbers');
    assert.match(facts.error, /^line 7: /, 'the runtime error shows too');
    await page.screenshot({ path: path.join(process.env.COWLAB_ARTIFACTS || '/tmp', 'first-hour-expects.png') });
    await widget(page, 'expect:0');
    await click(page, 'expect:0');  // jumps to line 4: just after its statement
    await page.waitForFunction(() => cowlab.position() === 4 && !cowlab.busy(), null, { timeout: 20_000 });
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('"Run this on your Linux" downloads the C program', async () => {
    const context = await launch({ acceptDownloads: true });
    const { page, problems } = await openPlayground(context, '#script=' + b64url(typed));
    await click(page, 'export');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }),
                                          click(page, 'export_download')]);
    assert.equal(download.suggestedFilename(), 'scenario.c');
    const text = fs.readFileSync(await download.path(), 'utf8');
    assert.match(text, /int main\(/, 'a C program');
    assert.equal(text, (await page.evaluate(() => cowlab.lastDownload())).text, 'the text the page handed over');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });
});
