// Lecture and course-page layouts: the UI scale (&scale=) keeps the page map and physical
// memory on screen on a projector, a clicker's PageDown steps and, with "Skip checks",
// lands only on statements that change something, an idle page issues no WebGL draw
// calls, and in small or narrow windows every panel stays reachable (drawn, or a tab).
// Panel and tab rectangles come from App::widget_rect ("panel:<id>", "tab:<id>").
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/lecture.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { artifacts, b64url, clickRect, launch, openPlayground, press, suite } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const basic = fs.readFileSync(path.join(root, 'examples/01-basic-cow-fork.cow'), 'utf8');
const link = (extra = '') => '#script=' + b64url(basic) + extra;

// The example's statements, one per line that is neither blank nor a comment.
const statements = basic.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l);
const changesNothing = (s) => /^(expect|show)\b/.test(s);

const PANELS = ['editor', 'events', 'processes', 'page_map', 'physical', 'timeline'];

// A rectangle (CSS pixels) drawn with at least `min` pixels each way inside the viewport.
function onScreen(r, view, min = 1) {
  return !!r && r.w >= min && r.h >= min && r.x >= 0 && r.y >= 0 &&
         r.x + r.w <= view.width + 0.5 && r.y + r.h <= view.height + 0.5;
}
const rect = (page, id) => page.evaluate((i) => window.cowlab.widget(i), id);

async function openAt(size, fragment) {
  const context = await launch({ viewport: size });
  const { page, problems } = await openPlayground(context, fragment);
  await page.waitForTimeout(300);  // a frame or two after the run settled
  return { page, problems };
}

suite('lecture and course-page layouts', () => {
  for (const size of [{ width: 1280, height: 720 }, { width: 1024, height: 768 }]) {
    test(`at ${size.width}x${size.height} with &scale=2 the page map and physical memory are on screen`, async (t) => {
      const plain = await openAt(size, link());
      const slider1 = await rect(plain.page, 'slider');
      const { page, problems } = await openAt(size, link('&scale=2'));
      const map = await rect(page, 'panel:page_map'), phys = await rect(page, 'panel:physical');
      t.diagnostic(`page map ${JSON.stringify(map)}, physical memory ${JSON.stringify(phys)}`);
      assert(onScreen(map, size, 120), `the page map is on screen: ${JSON.stringify(map)}`);
      assert(onScreen(phys, size, 120), `physical memory is on screen: ${JSON.stringify(phys)}`);
      // Fonts and widgets scale: the step slider is about twice as tall.
      const slider2 = await rect(page, 'slider');
      assert(slider1 && slider2 && slider2.h >= 1.8 * slider1.h,
        `the slider scales: ${slider1 && slider1.h} -> ${slider2 && slider2.h} px`);
      await page.screenshot({ path: path.join(artifacts, `lecture-${size.width}x${size.height}@2x.png`) });
      assert.deepEqual(problems, []);
    });
  }

  test('PageDown steps; with Skip checks (&present=1) it lands only on statements that change something', async (t) => {
    const plain = await openAt({ width: 1280, height: 800 }, link('&step=0'));
    await press(plain.page, 'Tab');  // the canvas gets the keyboard
    await press(plain.page, 'PageDown');
    await plain.page.waitForFunction(() => window.cowlab.position() === 1, null, { timeout: 10_000 });

    const { page } = await openAt({ width: 1280, height: 800 }, link('&step=0&present=1'));
    const steps = JSON.parse(await page.evaluate(() => window.cowlab.state())).steps;
    assert.equal(steps, statements.length, 'one statement per line of the example');
    await press(page, 'Tab');
    const landed = [];
    for (let i = 0; i < steps; i++) {
      const before = await page.evaluate(() => window.cowlab.position());
      await press(page, 'PageDown');
      await page.waitForTimeout(250);
      await page.evaluate(() => window.cowlab.idle());
      const at = await page.evaluate(() => window.cowlab.position());
      if (at === before) break;
      landed.push(at);
    }
    t.diagnostic(`landed on steps ${landed.join(', ')} of ${steps}`);
    const skipped = statements.filter(changesNothing).length;
    assert(skipped > 0, 'the example has checks to skip');
    assert(landed.length >= 3, 'PageDown moved several times');
    for (const n of landed) assert(!changesNothing(statements[n - 1]), `step ${n} changes something: ${statements[n - 1]}`);
    const changing = statements.filter((s) => !changesNothing(s)).length;
    assert.equal(landed.length, changing, 'every statement that changes something, once');
    // PageUp goes back over the checks too.
    await press(page, 'PageUp');
    await page.waitForTimeout(250);
    await page.evaluate(() => window.cowlab.idle());
    assert.equal(await page.evaluate(() => window.cowlab.position()), landed[landed.length - 2]);
  });

  test('3 s of idle issue no WebGL draw calls; input draws again', async (t) => {
    const context = await launch({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.cowlabDraws = 0;
      for (const C of [window.WebGL2RenderingContext, window.WebGLRenderingContext]) {
        if (!C) continue;
        for (const name of ['drawElements', 'drawArrays']) {
          const original = C.prototype[name];
          C.prototype[name] = function (...args) { window.cowlabDraws++; return original.apply(this, args); };
        }
      }
    });
    const { problems } = await openPlayground(context, link(), { page });
    await page.waitForTimeout(1500);  // the idle grace period (about 1 s) passes
    const d0 = await page.evaluate(() => window.cowlabDraws), f0 = await page.evaluate(() => window.cowlab.frames());
    await page.waitForTimeout(3000);
    const d1 = await page.evaluate(() => window.cowlabDraws), f1 = await page.evaluate(() => window.cowlab.frames());
    t.diagnostic(`draw calls: ${d0} while loading, ${d1 - d0} in 3 s idle; main loop passes in those 3 s: ${f1 - f0}`);
    assert(d0 > 0, 'the page drew while loading');
    assert.equal(d1 - d0, 0, 'no draw calls while idle');
    assert(f1 - f0 > 10, 'the main loop keeps ticking');
    await page.mouse.move(400, 300);
    await page.waitForTimeout(300);
    await page.mouse.move(420, 320);
    await page.waitForTimeout(300);
    assert((await page.evaluate(() => window.cowlabDraws)) > d1, 'a mouse move draws again');
    assert.deepEqual(problems, []);
  });

  for (const size of [{ width: 700, height: 520 }, { width: 800, height: 900 }]) {
    test(`at ${size.width}x${size.height} every panel is reachable: drawn, or a tab that shows it`, async (t) => {
      const { page, problems } = await openAt(size, link());
      const how = [];
      for (const id of PANELS) {
        const panel = await rect(page, `panel:${id}`);
        if (onScreen(panel, size, 40)) {
          how.push(`${id}: drawn`);
          continue;
        }
        // The page map and physical memory may share one tab ("maps").
        const tab = await rect(page, `tab:${id}`) || await rect(page, 'tab:maps');
        assert(onScreen(tab, size), `${id} is neither drawn (${JSON.stringify(panel)}) nor a tab`);
        await clickRect(page, tab);
        await page.waitForTimeout(200);
        const shown = await rect(page, `panel:${id}`);
        assert(onScreen(shown, size, 40), `the ${id} tab shows the panel: ${JSON.stringify(shown)}`);
        how.push(`${id}: tab`);
      }
      t.diagnostic(how.join(', '));
      await page.screenshot({ path: path.join(artifacts, `lecture-${size.width}x${size.height}.png`) });
      assert.deepEqual(problems, []);
    });
  }
});
