// The two pictures of docs/teaching.md "Seeing the mechanism", taken in headless chromium:
//   inspector-cow-copy.png  the inspector on the COW copy fault of examples/01-basic-cow-fork.cow
//   inspector-fork.png      the inspector on its fork, with the page tables of P1 and C1
// They go to COWLAB_SHOTS (default: the test artifacts). To refresh the docs' copies:
//   COWLAB_URL=http://127.0.0.1:PORT/ COWLAB_SHOTS=docs COWLAB_BIN=build/shell/cowlab \
//     node --test-reporter=tap tests/browser/inspector-shots.mjs
// Each test checks that the picture shows what its name says (the inspector's text and
// the windows drawn) before it is kept.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { artifacts, b64url, click, launch, openPlayground, shoot, suite } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.resolve(root, process.env.COWLAB_SHOTS || artifacts);
const example = fs.readFileSync(path.join(root, 'examples/01-basic-cow-fork.cow'), 'utf8');

// The step of the statement on the first line that starts with `line` (statements are
// the lines that are neither blank nor comments).
function stepOf(line) {
  let step = 0;
  for (const l of example.split('\n')) {
    const t = l.trim();
    if (t === '' || t.startsWith('#')) continue;
    step++;
    if (t.startsWith(line)) return step;
  }
  throw new Error(`no line "${line}" in the example`);
}

// Clicks event `id` until the inspector shows `re` (a click can be lost while a loaded
// machine draws few frames), then checks the text.
async function inspect(page, id, re) {
  for (let i = 0; i < 4; i++) {
    await click(page, id);
    const shown = await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('cowlab-inspect').textContent),
      re.source, { timeout: 3000 }).then(() => true, () => false);
    if (shown) break;
  }
  return inspectorText(page, re);
}

async function inspectorText(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('cowlab-inspect').textContent),
    re.source, { timeout: 10_000 }).catch(() => {});
  const text = await page.evaluate(() => document.getElementById('cowlab-inspect').textContent);
  assert.match(text, re);
  return text;
}

suite('inspector screenshots', () => {
  test('inspector-cow-copy.png: the inspector on a COW copy fault', async (t) => {
    const context = await launch({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
    const { page } = await openPlayground(context, '#script=' + b64url(example));
    const step = stepOf('C1 write heap 0-15');
    await page.evaluate((n) => window.cowlab.step(n), step);
    await inspect(page, `event:${step}:0`, /wp_page_copy.*reusable\? no/);
    assert(await page.evaluate(() => window.cowlab.widget('inspector')), 'the inspector is drawn');
    await shoot(page, path.join(shots, 'inspector-cow-copy.png'), t, { x: 180, y: 760 });
  });

  test('inspector-fork.png: the inspector on a fork, with the page tables of parent and child', async (t) => {
    const context = await launch({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
    const { page } = await openPlayground(context, '#script=' + b64url(example));
    const step = stepOf('P1 fork C1');
    await page.evaluate((n) => window.cowlab.step(n), step);
    await inspect(page, `event:${step}:0`, /P1 fork C1 heap\[0-63\]: .*copied 64 PTEs/);
    assert(await page.evaluate(() => window.cowlab.widget('page_tables')), 'the page tables are drawn');
    await shoot(page, path.join(shots, 'inspector-fork.png'), t, { x: 180, y: 760 });
  });
});
