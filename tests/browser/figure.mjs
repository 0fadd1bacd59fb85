// View > Export figure: the browser downloads exactly the SVG that `cowlab render --svg`
// writes for the same script, step and theme (one renderer, engine/figure/svg.h), and a
// PNG of the canvas that is not blank.
//   COWLAB_URL=http://127.0.0.1:PORT/ COWLAB_BIN=build/shell/cowlab \
//     node --test-reporter=tap tests/browser/figure.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { b64url, click, clickRect, colourStats, decodePng, launch, openPlayground, probed, suite } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cowlab = path.resolve(root, process.env.COWLAB_BIN || 'build/shell/cowlab');
const file = path.join(root, 'examples/01-basic-cow-fork.cow');
const basic = fs.readFileSync(file, 'utf8');

suite('figures', () => {
  test('Export figure downloads the SVG of `cowlab render` and a PNG of the page', async () => {
    const context = await launch({ acceptDownloads: true });
    const { page, problems } = await openPlayground(context, '#script=' + b64url(basic) + '&step=12&theme=light');
    const downloads = [];
    page.on('download', (d) => downloads.push(d));
    await clickRect(page, await probed(page, 'View'));
    await click(page, 'export_figure');
    await page.waitForFunction(() => window.cowlab.lastFigure() !== null, null, { timeout: 10_000 });
    for (let i = 0; i < 100 && downloads.length < 2; i++) await page.waitForTimeout(100);
    const names = downloads.map((d) => d.suggestedFilename()).sort();
    assert.deepEqual(names, ['cowlab-step-12.png', 'cowlab-step-12.svg']);

    const want = execFileSync(cowlab, ['render', file, '--step', '12', '--theme', 'light', '--svg', '-'],
      { encoding: 'utf8' });
    const svg = fs.readFileSync(await downloads.find((d) => d.suggestedFilename().endsWith('.svg')).path(), 'utf8');
    assert.equal(svg, want, 'the download differs from cowlab render --svg');
    assert.equal(await page.evaluate(() => window.cowlab.figure('step')), want);
    const pagemap = execFileSync(cowlab, ['render', file, '--step', '12', '--view', 'pagemap', '--svg', '-'],
      { encoding: 'utf8' });
    assert.equal(await page.evaluate(() => window.cowlab.figure('pagemap')), pagemap);
    assert.equal(await page.evaluate(() => window.cowlab.figure('nonsense')), '');

    const png = decodePng(fs.readFileSync(await downloads.find((d) => d.suggestedFilename().endsWith('.png')).path()));
    assert.ok(png.width >= 1000 && png.height >= 700, `PNG ${png.width}x${png.height}`);
    assert.ok(colourStats(png).distinct >= 30, 'the PNG looks blank');
    assert.deepEqual(problems, []);
  });
});
