// The playground without a mouse: one Tab from a fresh page focuses the canvas, the
// shortcuts of web/panels/keys.cpp move through the basic example (read back from the
// screen-reader mirror #cowlab-state), docs/embedding.md lists every shortcut, and an
// axe-core audit (WCAG 2.0/2.1 A and AA) of the page finds nothing.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/keys.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { b64url, baseUrl, launch, openPlayground, press, suite, waitReady } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const basic = fs.readFileSync(path.join(root, 'examples/01-basic-cow-fork.cow'), 'utf8');
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// The shortcut table's key names, as web/panels/keys.cpp spells them.
function tableKeys() {
  const source = fs.readFileSync(path.join(root, 'web/panels/keys.cpp'), 'utf8');
  const table = source.slice(source.indexOf('kShortcuts[]'), source.indexOf('};', source.indexOf('kShortcuts[]')));
  return [...table.matchAll(/^\s*\{"([^"]+)",/gm)].map((m) => m[1]);
}

const stateText = (page) => page.evaluate(() => document.getElementById('cowlab-state').textContent);

// Presses `key` and waits until #cowlab-state starts with `want` ("step 3 of ").
async function pressUntil(page, key, want) {
  await press(page, key);
  try {
    await page.waitForFunction((w) => document.getElementById('cowlab-state').textContent.startsWith(w),
      want, { timeout: 10_000 });
  } catch (e) {
    assert.fail(`after ${key}: expected "${want}...", #cowlab-state says "${await stateText(page)}"`);
  }
}

suite('keyboard and accessibility', () => {
  test('one Tab from a fresh page focuses the canvas, a named application', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    assert.notEqual(await page.evaluate(() => document.activeElement.id), 'canvas', 'nothing focused yet');
    await press(page, 'Tab');
    const focused = await page.evaluate(() => {
      const a = document.activeElement;
      return { id: a.id, role: a.getAttribute('role'), label: a.getAttribute('aria-label'), hidden: a.getAttribute('aria-hidden') };
    });
    assert.equal(focused.id, 'canvas');
    assert.equal(focused.role, 'application');
    assert.match(focused.label, /F10/);
    assert.equal(focused.hidden, null, 'a focusable canvas is not aria-hidden');
    assert.deepEqual(problems, []);
  });

  test('the basic example, driven by the keyboard only', async () => {
    const context = await launch();
    const page = await context.newPage();
    await page.goto(baseUrl + '#script=' + b64url(basic), { waitUntil: 'load' });
    await waitReady(page);
    await press(page, 'Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'canvas');
    const atEnd = /^step (\d+) of (\d+)/.exec(await stateText(page));
    assert(atEnd && atEnd[1] === atEnd[2], 'a #script= link runs to the end');
    const n = Number(atEnd[2]);
    assert(n >= 4, `the basic example has several steps (${n})`);

    await pressUntil(page, 'Home', `step 0 of ${n}:`);
    await pressUntil(page, 'F10', `step 1 of ${n}:`);
    await pressUntil(page, 'PageDown', `step 2 of ${n}:`);
    await pressUntil(page, 'Space', `step 3 of ${n}:`);
    await pressUntil(page, 'ArrowRight', `step 4 of ${n}:`);
    await pressUntil(page, 'Shift+F10', `step 3 of ${n}:`);
    await pressUntil(page, 'PageUp', `step 2 of ${n}:`);
    await pressUntil(page, 'ArrowLeft', `step 1 of ${n}:`);
    await pressUntil(page, 'End', `step ${n} of ${n}:`);
    await pressUntil(page, 'Home', `step 0 of ${n}:`);
    await pressUntil(page, 'Control+Enter', `step ${n} of ${n}:`);
  });

  test('the keyboard window opens with F1 and ?, and closes again', async () => {
    const context = await launch();
    const { page } = await openPlayground(context);
    await press(page, 'Tab');
    // The "Keyboard" window's Close button, drawn or not.
    const shown = (want) => page.waitForFunction(
      (w) => window.cowlab.widgets('Close').some((x) => x.window === 'Keyboard') === w, want, { timeout: 5000 });
    await shown(false);
    await press(page, 'F1');
    await shown(true);
    await press(page, 'F1');
    await shown(false);
    await page.keyboard.type('?');
    await shown(true);
  });

  test('docs/embedding.md lists every shortcut of the table', () => {
    const keys = tableKeys();
    assert(keys.length >= 10, `the table was read (${keys.join(', ')})`);
    const doc = fs.readFileSync(path.join(root, 'docs/embedding.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Keyboard'));
    assert(doc.includes('## Keyboard'), 'docs/embedding.md has a Keyboard section');
    for (const k of keys) assert(section.includes('`' + k + '`'), `docs/embedding.md lists ${k}`);
  });

  test('axe-core finds no WCAG 2.1 A/AA violation on the page', async () => {
    const context = await launch({ bypassCSP: true });  // axe.min.js goes in as an inline script
    const { page } = await openPlayground(context, '#script=' + b64url(basic));
    await page.addScriptTag({ path: axePath });
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }));
    const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((x) => x.target.join(' ')).join('; ')})`);
    assert.deepEqual(found, []);
    assert(result.passes.length > 0, 'axe ran its rules');
  });
});
