// Examples as a guided tour: an example picked from the Examples menu opens before its
// first statement with its "About this example" box, and the caption under the steps
// (the current statement's comment, engine/script/captions.h) is mirrored as text into
// the aria-live #cowlab-caption.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/tour.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseUrl, click, clickRect, launch, openPlayground, probed, suite, widget } from './lib.mjs';

// examples/03-both-write-same-page.cow: its menu title, and the captions written in it.
const title = 'Both processes writing the same page';
const firstCaption = 'P1 writes 64 pages and forks C1: 64 frames, each with mapcount 2.';
const copyCaption = 'P1 writes page 0 first: the frame is mapped twice, so it is copied. Frames used: 65.';

const captionText = (page) => page.evaluate(() => document.getElementById('cowlab-caption').textContent);

async function waitCaption(page, want) {
  await page.waitForFunction((w) => document.getElementById('cowlab-caption').textContent === w, want,
                             { timeout: 10_000 }).catch(() => {});
  assert.equal(await captionText(page), want);
}

suite('tour', () => {
  test('#cowlab-caption is an aria-live region in the page as served', async () => {
    const html = await (await fetch(baseUrl)).text();
    assert.match(html, /<div id="cowlab-caption"[^>]*aria-live="polite"/, 'present before any script runs');
  });

  test('an example from the menu opens at step 0 with its About box; stepping shows captions', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    await clickRect(page, await probed(page, 'Examples'));
    await clickRect(page, await probed(page, title));
    await page.evaluate(() => cowlab.idle());
    await page.waitForFunction(() => cowlab.script().startsWith('# Both processes'), null, { timeout: 10_000 });

    assert.equal(await page.evaluate(() => cowlab.position()), 0, 'the example opens before its first statement');
    assert.equal(JSON.parse(await page.evaluate(() => cowlab.state())).step, 0);
    const about = await widget(page, 'about');
    const slider = await widget(page, 'slider');
    assert(about.y < slider.y, 'the About box is above the steps');
    await waitCaption(page, 'Next: ' + firstCaption);

    await click(page, 'step');
    await page.waitForFunction(() => cowlab.position() === 1, null, { timeout: 10_000 });
    await waitCaption(page, firstCaption);
    assert(await widget(page, 'caption'), 'the caption is drawn under the steps');

    // Statement 5 is the first copy; statement 6, an expect with no comment of its own,
    // keeps the caption of the statement before it.
    await page.evaluate(() => cowlab.step(5));
    await waitCaption(page, copyCaption);
    await page.evaluate(() => cowlab.step(6));
    await waitCaption(page, copyCaption);

    // The About box closes, and the steps move up into its place.
    await click(page, 'about_close');
    await page.waitForFunction(() => cowlab.widget('about') === null, null, { timeout: 10_000 });
    assert((await widget(page, 'slider')).y < slider.y, 'the slider moved up');
    assert.equal(await page.evaluate(() => cowlab.position()), 6, 'closing it does not move the step');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('cowlab.load still runs to the end, and shows the script\'s About box', async () => {
    const context = await launch();
    const { page } = await openPlayground(context);
    const script = '# About: a fork\n\n# make a process\nspawn P1\nP1 mmap heap 4  # map 4 pages\n';
    const state = JSON.parse(await page.evaluate((s) => cowlab.load(s), script));
    assert.equal(state.step, state.steps, 'run to the end');
    assert(await widget(page, 'about'), 'the About box shows');
    await waitCaption(page, 'map 4 pages');
  });
});
