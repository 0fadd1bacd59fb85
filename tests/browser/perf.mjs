// Speed figures of the web playground in headless chromium (software WebGL): time to the
// first frame after navigation, and frames per second on the default example and on a
// script with 100 processes x 65,536 pages, both while the mouse moves across the page map;
// and a live edit at the end of the nginx script against a full re-run of it.
// Prints figures; fails only if the page breaks.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/perf.mjs
//   COWLAB_BEFORE_URL=http://127.0.0.1:PORT2/   another build (e.g. of main) measured the same
//       way in the same run, for before/after figures
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { b64url, baseUrl, launch, openPlayground, suite, waitReady, watch } from './lib.mjs';

const big = 'ram 64G\nspawn P1\nP1 mmap heap 65536\nP1 write heap\nP1 fork c[1-99]\n';
const load = () => os.loadavg()[0].toFixed(1);

// Where the page map draws its cells: below its "auto zoom" checkbox, left of the
// physical memory panel, down to the bottom of the page.
async function pageMapArea(page) {
  await page.evaluate(() => cowlab.widgets(''));  // the probe records from the next frame on
  for (let i = 0; i < 100; i++) {
    const items = await page.evaluate(() => cowlab.widgets('auto zoom'));
    const map = items.find((w) => w.window === 'Page map');
    if (map) {
      const phys = items.find((w) => w.window === 'Physical memory');
      const right = phys ? phys.x - 12 : page.viewportSize().width - 12;
      return { x0: map.x + 4, x1: right, y0: map.y + map.h + 10, y1: page.viewportSize().height - 12 };
    }
    await page.waitForTimeout(50);
  }
  throw new Error('the page map is not drawn');
}

// Frames drawn per second over `ms` while the mouse sweeps across the page map (a new
// cell, tooltip and highlighted process every few frames, so no two frames need to be
// alike), counted by the module itself; and the milliseconds per frame spent in main.cpp's
// loop body (WebAssembly and WebGL calls).
async function fps(page, ms = 3000) {
  const a = await pageMapArea(page);
  const point = (i) => {
    const cols = Math.max(1, Math.floor((a.x1 - a.x0) / 7)), rows = Math.max(1, Math.floor((a.y1 - a.y0) / 9));
    const row = Math.floor(i / cols) % rows, col = i % cols;
    return [a.x0 + 7 * (row % 2 ? cols - 1 - col : col), a.y0 + 9 * row];
  };
  await page.mouse.move(...point(0));
  const f0 = await page.evaluate(() => cowlab.frames()), t0 = Date.now();
  for (let i = 1; Date.now() - t0 < ms; i++) {
    await page.mouse.move(...point(i));
    await page.waitForTimeout(10);
  }
  const r = await page.evaluate((f0) => ({ frames: cowlab.frames() - f0, ms: cowlab.frameMs() }), f0);
  const rate = r.frames * 1000 / (Date.now() - t0);
  return `${rate.toFixed(1)} fps (per frame: ${r.ms.frame.toFixed(1)} ms in the loop body, `
      + `${r.ms.ui.toFixed(1)} ms of it building the UI)`;
}

// The nginx-style script of bench/scripts.cpp: a master with a 256 MiB heap forks 100
// workers in one statement; each writes its own 1%; one expect at the end.
function nginxScript(workers = 100, heap = 65536) {
  const slice = Math.floor(heap / 100);
  let s = `ram ${heap * 4}\nspawn master\nmaster mmap heap ${heap}\nmaster write heap\nmaster fork w[1-${workers}]\n`;
  for (let i = 0; i < workers; i++) {
    const first = (i * slice) % (heap - slice + 1);
    s += `w${i + 1} write heap ${first}-${first + slice - 1}\n`;
  }
  return s + `expect cow_copies=${workers * slice}\n`;
}

// Milliseconds from cowlab.load(text) to its Promise (the new state computed), measured
// in the page; the median of `runs`, each from `before` loaded first.
async function loadMs(page, before, text, runs = 7) {
  return page.evaluate(async ({ before, text, runs }) => {
    const ms = [];
    for (let i = 0; i < runs; i++) {
      await cowlab.load(before);
      const t0 = performance.now();
      await cowlab.load(text);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return ms[Math.floor(ms.length / 2)];
  }, { before, text, runs });
}

// CPU time (ms) of every chromium process, by process type (renderer, gpu-process...):
// unlike frames per second, it does not depend on what else the machine runs. {} without /proc.
function chromiumCpu() {
  const out = {};
  let pids = [];
  try { pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return out; }
  for (const pid of pids) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom/.test(cmd.split('\0')[0])) continue;
      const type = (cmd.match(/--type=([a-z-]+)/) || [null, 'browser'])[1];
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[type] = (out[type] || 0) + (Number(f[11]) + Number(f[12])) * 10;  // utime + stime, 100 ticks/s
    } catch { /* the process ended */ }
  }
  return out;
}

// Frames while the mouse sweeps across the page map for `ms`, as the page sees them: the
// intervals between requestAnimationFrame callbacks (fps, median and p95 frame time), and
// the CPU time chromium spends per frame (renderer: WebAssembly, WebGL calls, compositing
// commits; gpu-process: SwiftShader rasterising and the compositor).
async function sweepFrames(page, ms) {
  const a = await pageMapArea(page);
  const cols = Math.max(1, Math.floor((a.x1 - a.x0) / 7)), rows = Math.max(1, Math.floor((a.y1 - a.y0) / 9));
  const point = (i) => {
    const row = Math.floor(i / cols) % rows, col = i % cols;
    return [a.x0 + 7 * (row % 2 ? cols - 1 - col : col), a.y0 + 9 * row];
  };
  await page.evaluate(() => {
    window.cowlabPerfTimes = [];
    const tick = (t) => { if (window.cowlabPerfTimes) { window.cowlabPerfTimes.push(t); requestAnimationFrame(tick); } };
    requestAnimationFrame(tick);
  });
  const cpu0 = chromiumCpu(), t0 = Date.now();
  for (let i = 0; Date.now() - t0 < ms; i++) {
    await page.mouse.move(...point(i));
    await page.waitForTimeout(10);
  }
  const cpu1 = chromiumCpu();
  const times = await page.evaluate(() => { const t = window.cowlabPerfTimes; window.cowlabPerfTimes = null; return t; });
  const d = times.slice(1).map((t, i) => t - times[i]).sort((x, y) => x - y);
  const n = Math.max(1, d.length);
  const cpu = Object.keys(cpu1).filter((k) => cpu1[k] - (cpu0[k] || 0) > 0)
    .map((k) => `${k} ${((cpu1[k] - (cpu0[k] || 0)) / n).toFixed(1)}`).join(', ');
  return {
    fps: d.length ? 1000 * d.length / (times.at(-1) - times[0]) : 0,
    median: d[Math.floor(d.length / 2)] || 0,
    p95: d[Math.floor(d.length * 0.95)] || 0,
    cpu,
  };
}
const frameText = (f) => `${f.fps.toFixed(1)} fps, median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`
    + (f.cpu ? ` (CPU per frame, ms: ${f.cpu})` : '');

// cowlab.js + cowlab.wasm of the served build, compressed as build-web.sh does (gzip -9).
async function gzipBytes(url) {
  const html = await (await fetch(url)).text();
  let total = 0;
  for (const name of [html.match(/cowlab\.[0-9a-f]+\.js/)[0], html.match(/cowlab\.[0-9a-f]+\.wasm/)[0]]) {
    const body = Buffer.from(await (await fetch(new URL(name, url))).arrayBuffer());
    total += zlib.gzipSync(body, { level: 9 }).length;
  }
  return total;
}

// The big scene at `url`: frames right after it is ready (its first 2 s), then once the
// WebAssembly's optimising compilation is over (10 s later).
async function bigScene(context, url) {
  const page = await context.newPage();
  const problems = watch(page);
  const start = Date.now();
  await page.goto(url + '#script=' + b64url(big), { waitUntil: 'load' });
  await waitReady(page);
  const ready = Date.now() - start;
  const early = await sweepFrames(page, 2000);
  await page.waitForTimeout(10_000);
  const steady = await sweepFrames(page, 5000);
  const procs = JSON.parse(await page.evaluate(() => cowlab.state())).processes.length;
  await page.close();
  return { ready, early, steady, procs, problems };
}

suite('perf', () => {
  test('time to first frame', async (t) => {
    const before = process.env.COWLAB_BEFORE_URL;
    const builds = before ? [['before: ', before], ['after: ', baseUrl]] : [['', baseUrl]];
    for (const [name, url] of builds) {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const context = await launch();
        const page = await context.newPage();
        await page.goto(url);
        await waitReady(page);
        times.push(await page.evaluate(() => cowlab.firstFrameMs));
        await context.close();
      }
      times.sort((a, b) => a - b);
      t.diagnostic(`${name}first frame after navigation: median ${times[1]} ms (${times.join(', ')}); load average ${load()}`);
      assert(times.every((t) => t > 0), 'every load drew a frame');
    }
  });

  test('frames per second', async (t) => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    const idle = await fps(page);
    const { page: bigPage, problems: bigProblems } = await openPlayground(context, '#script=' + b64url(big));
    await page.close();
    const heavy = await fps(bigPage);
    // Chromium keeps compiling the WebAssembly with its optimising tier for some seconds
    // after a load (5-26 ms of CPU per frame then): measure again once that is over.
    await bigPage.waitForTimeout(10_000);
    const steady = await fps(bigPage, 5000);
    const procs = JSON.parse(await bigPage.evaluate(() => cowlab.state())).processes.length;
    t.diagnostic(`default example: ${idle}; ${procs} processes x 65536 pages: ${heavy}; `
        + `10 s later: ${steady}; load average ${load()}`);
    assert(procs === 100, 'the big script made 100 processes');
    assert.equal([...problems, ...bigProblems].join('\n'), '', 'no errors on the pages');
  });

  // An edit at the end of the nginx script against a full re-run of it, both through
  // cowlab.load (Session::reload, the path live mode takes): the full re-run is the same
  // script after a comment line was inserted first (every statement moves to a new line).
  test('live edit', async (t) => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    const text = nginxScript();
    const full = await loadMs(page, text, '# moved\n' + text, 5);
    const lastLine = text.slice(0, text.lastIndexOf('expect'));
    const retyped = lastLine + 'expect cow_copies=65501\n';
    const appended = text + 'w1 write heap 0-9\n';
    const appendedRetyped = text + 'w1 write heap 0-19\n';
    const expect = await loadMs(page, text, retyped);
    const append = await loadMs(page, text, appended);
    const write = await loadMs(page, appended, appendedRetyped);
    const worst = Math.max(expect, append, write);
    const state = JSON.parse(await page.evaluate(() => cowlab.state()));
    t.diagnostic(`live edit, nginx (100 workers x 256 MiB, ${state.step} steps): retype the last line `
        + `(an expect) ${expect.toFixed(1)} ms, add a write line at the end ${append.toFixed(1)} ms, `
        + `retype that write line ${write.toFixed(1)} ms; full re-run ${full.toFixed(1)} ms; `
        + `worst edit / full re-run = ${(worst / full).toFixed(3)}; load average ${load()}`);
    assert.equal(state.processes.length, 101, 'the master and its 100 workers');
    assert.equal(problems.join('\n'), '', 'no errors on the page');
  });

  // The page map as textures (web/panels/cell_image.h): 100 x 65,536 pages while the
  // mouse sweeps the map. Targets (figures, not failures): >= 30 fps in the first 2 s,
  // >= 55 fps at steady state; gzip of cowlab.js + cowlab.wasm within 10 % of before.
  test('frames of the big scene, before and after', async (t) => {
    const builds = [['after', baseUrl]];
    if (process.env.COWLAB_BEFORE_URL) builds.unshift(['before', process.env.COWLAB_BEFORE_URL]);
    const context = await launch();
    for (const [name, url] of builds) {
      const r = await bigScene(context, url);
      t.diagnostic(`${name}: 100 x 65536 pages, ready ${r.ready} ms after navigation; first 2 s: ${frameText(r.early)}; `
          + `10 s later: ${frameText(r.steady)}; cowlab.js + cowlab.wasm gzip ${await gzipBytes(url)} bytes; `
          + `load average ${load()}`);
      assert(r.procs === 100, 'the big script made 100 processes');
      assert.equal(r.problems.join('\n'), '', 'no errors on the page');
    }
  });
});
