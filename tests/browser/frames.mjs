// How the playground draws its frames in WebGL: the page map's cells come from a texture
// and a shader (web/panels/cell_image.h), and a frame redraws only what changed
// (web/partial_redraw.h). Checks that neither leaves a wrong picture.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/frames.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { b64url, decodePng, launch, openPlayground, suite, widget } from './lib.mjs';

// P1's heap is shared with C (mapcount 2) except pages 0-40, which C wrote (private).
const script = 'ram 1G\nspawn P1\nP1 mmap heap 512\nP1 write heap\nP1 fork C\nC write heap 0-40\n'
    + 'spawn Q\nQ mmap buf 300\nQ write buf 0-99\n';

const pixel = (png, x, y) => {
  const i = (Math.round(y) * png.width + Math.round(x)) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]].join(',');
};

suite('frames', () => {
  test('a frame that redraws only what changed leaves the picture a full redraw makes', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context, '#script=' + b64url(script));
    for (let i = 0; i < 120; i++) {  // tooltips, outlines and highlights come and go
      await page.mouse.move(370 + (i * 37) % 900, 100 + (i * 53) % 680);
      await page.waitForTimeout(15);
    }
    await page.mouse.move(5, 790);
    await page.waitForTimeout(1500);
    const swept = decodePng(await page.screenshot());
    await page.setViewportSize({ width: 1281, height: 800 });  // a new size redraws everything
    await page.waitForTimeout(700);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForTimeout(1500);
    const full = decodePng(await page.screenshot());
    let differ = 0;
    for (let i = 0; i < full.data.length; i += 4) if (full.data.readUInt32BE(i) !== swept.data.readUInt32BE(i)) differ++;
    assert.equal(differ, 0, `${differ} pixels differ from a full redraw`);
    assert.equal(problems.join('\n'), '', 'no errors on the page');
  });

  test('page map cells: a colour per state, and the hovered cell outlined', async () => {
    const context = await launch();
    const { page } = await openPlayground(context, '#script=' + b64url(script));
    await page.mouse.move(5, 790);
    const cells = {};
    for (const id of ['page:C:heap:0', 'page:C:heap:200', 'page:P1:heap:0', 'page:P1:heap:200']) cells[id] = await widget(page, id);
    await page.waitForTimeout(1200);
    const shot = decodePng(await page.screenshot());
    const inside = (id) => pixel(shot, cells[id].x + 2, cells[id].y + 2);
    assert.equal(inside('page:C:heap:200'), inside('page:P1:heap:200'), 'shared pages look alike in both processes');
    assert.equal(inside('page:C:heap:0'), inside('page:P1:heap:0'), 'private written pages look alike');
    assert.notEqual(inside('page:C:heap:0'), inside('page:C:heap:200'), 'private and shared pages differ');
    const r = cells['page:C:heap:200'];
    const edge = pixel(shot, r.x + r.w / 2, r.y);
    await page.mouse.move(r.x + r.w / 2, r.y + r.h / 2);
    await page.waitForTimeout(800);
    const hovered = decodePng(await page.screenshot());
    assert.notEqual(pixel(hovered, r.x + r.w / 2, r.y), edge, 'the hovered cell is outlined');
    assert.equal(pixel(hovered, r.x + 2, r.y + 2 + r.h / 2), pixel(shot, r.x + 2, r.y + 2 + r.h / 2),
        'inside, the hovered cell keeps its colour');
  });
});
