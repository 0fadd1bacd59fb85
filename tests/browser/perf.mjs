// Speed figures of the web playground in headless chromium (software WebGL): time to the
// first frame after navigation, and frames per second on the default example and on a
// script with 100 processes x 65,536 pages. Prints figures; fails only if the page breaks.
//   COWLAB_URL=http://127.0.0.1:PORT/ node tests/browser/perf.mjs
import os from 'node:os';
import { assert, b64url, baseUrl, launch, run, test, waitReady } from './lib.mjs';

const big = 'ram 64G\nspawn P1\nP1 mmap heap 65536\nP1 write heap\nP1 fork c[1-99]\n';
const load = () => os.loadavg()[0].toFixed(1);

// Frames drawn per second over `ms`, counted by the module itself, and the milliseconds
// per frame spent in main.cpp's loop body (WebAssembly and WebGL calls).
async function fps(page, ms = 3000) {
  const r = await page.evaluate(async (ms) => {
    const f0 = cowlab.frames(), t0 = performance.now();
    await new Promise((r) => setTimeout(r, ms));
    return { fps: (cowlab.frames() - f0) * 1000 / (performance.now() - t0), ms: cowlab.frameMs() };
  }, ms);
  return `${r.fps.toFixed(1)} fps (per frame: ${r.ms.frame.toFixed(1)} ms in the loop body, `
      + `${r.ms.ui.toFixed(1)} ms of it building the UI)`;
}

test('time to first frame', async () => {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const context = await launch();
    const page = await context.newPage();
    await page.goto(baseUrl);
    await waitReady(page);
    times.push(await page.evaluate(() => cowlab.firstFrameMs));
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`    first frame after navigation: median ${times[1]} ms (${times.join(', ')}); load average ${load()}`);
  assert(times.every((t) => t > 0), 'every load drew a frame');
});

test('frames per second', async () => {
  const context = await launch();
  const page = await context.newPage();
  await page.goto(baseUrl);
  await waitReady(page);
  const idle = await fps(page);
  const bigPage = await context.newPage();
  await bigPage.goto(baseUrl + '#script=' + b64url(big));
  await waitReady(bigPage);
  await page.close();
  await bigPage.mouse.move(900, 450);  // over the page map: hover work every frame
  const heavy = await fps(bigPage);
  const procs = JSON.parse(await bigPage.evaluate(() => cowlab.state())).processes.length;
  console.log(`    default example: ${idle}; ${procs} processes x 65536 pages: ${heavy}; load average ${load()}`);
  assert(procs === 100, 'the big script made 100 processes');
});

await run('perf');
