// The pictures of docs/teaching.md "First visit", taken in headless chromium:
//   first-visit-about.png         an example from the menu, at step 0, with its About box
//   first-visit-glossary.png      Help -> Glossary
//   first-visit-page-tooltip.png  a page of a private mapping after fork, hovered: smaps'
//                                 words with their reason (Shared_Dirty, mapcount 2)
// They go to COWLAB_SHOTS (default: the test artifacts). To refresh the docs' copies:
//   COWLAB_URL=http://127.0.0.1:PORT/ COWLAB_SHOTS=docs node --test-reporter=tap \
//     tests/browser/first-visit-shots.mjs
// Each test checks that what the picture is about was drawn before it is kept.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { artifacts, b64url, click, clickRect, launch, openPlayground, probed, shoot, suite, widget }
  from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.resolve(root, process.env.COWLAB_SHOTS || artifacts);
const viewport = { width: 1280, height: 800 };

suite('first visit screenshots', () => {
  test('first-visit-about.png: an example opens at step 0 with its About box', async (t) => {
    const context = await launch({ colorScheme: 'dark', viewport });
    const { page } = await openPlayground(context);
    await clickRect(page, await probed(page, 'Examples'));
    await clickRect(page, await probed(page, 'Basic copy-on-write fork'));
    await page.evaluate(() => cowlab.idle());
    await page.waitForFunction(() => cowlab.position() === 0 && cowlab.widget('about') !== null, null,
                               { timeout: 10_000 });
    await shoot(page, path.join(shots, 'first-visit-about.png'), t);
  });

  test('first-visit-glossary.png: Help, its glossary tab', async (t) => {
    const context = await launch({ colorScheme: 'dark', viewport });
    const { page } = await openPlayground(context);
    await click(page, 'help');
    await click(page, 'help_tab_glossary');
    assert(await widget(page, 'help_tab_tour'), 'the tour is a tab of the same window');
    await shoot(page, path.join(shots, 'first-visit-glossary.png'), t);
  });

  test('first-visit-page-tooltip.png: a page after fork, in smaps\' words', async (t) => {
    const context = await launch({ colorScheme: 'dark', viewport });
    const script = fs.readFileSync(path.join(root, 'examples/01-basic-cow-fork.cow'), 'utf8');
    const { page } = await openPlayground(context, '#script=' + b64url(script));
    const cell = await widget(page, 'page:P1:heap:40');  // not copied: still mapped by P1 and C1
    await page.mouse.move(cell.x + cell.w / 2, cell.y + cell.h / 2);
    await page.waitForTimeout(400);
    await shoot(page, path.join(shots, 'first-visit-page-tooltip.png'), t, null);
  });
});
