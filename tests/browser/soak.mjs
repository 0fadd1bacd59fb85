// Soak: random edits in live mode for minutes (scripts/soak.sh; not part of scripts/test.sh).
// Each edit inserts, deletes or retypes a line taken from the examples (a retyped line is
// sometimes cut short: a syntax error while typing), and reaches the editor as a paste
// over the whole text (Ctrl+A, then the page's paste event), so live mode re-runs it.
// Prints the WebAssembly memory after the first minute and at the end (it grows and never
// shrinks, so a leak shows as growth), the slowest update (paste to the new state shown,
// two frames of which are the paste itself) and the longest gap between two frames.
// Fails only if the page breaks or an update never arrives.
//   COWLAB_URL=http://127.0.0.1:PORT/ COWLAB_SOAK_MINUTES=10 node --test-reporter=tap tests/browser/soak.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launch, openPlayground, suite, widget } from './lib.mjs';

const minutes = Number(process.env.COWLAB_SOAK_MINUTES || 10);
const seed = Number(process.env.COWLAB_SOAK_SEED || 1);
const examplesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../examples');
const examples = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.cow')).sort()
  .map((f) => fs.readFileSync(path.join(examplesDir, f), 'utf8'));
const pool = examples.flatMap((t) => t.split('\n')).filter((l) => l.trim() !== '');
const mib = (b) => (b / 1048576).toFixed(1) + ' MiB';

// A small deterministic generator (mulberry32), so a run can be repeated with its seed.
function random(seed) {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

// One edit of `lines` (mostly near the end, where typing usually happens), or now and then
// another example to start over from.
function edit(lines, rnd) {
  if (rnd(60) === 0 || lines.length === 0) return examples[rnd(examples.length)].split('\n');
  const at = rnd(4) ? lines.length - 1 - rnd(Math.min(lines.length, 6)) : rnd(lines.length);
  const line = pool[rnd(pool.length)];
  const out = lines.slice();
  switch (rnd(3)) {
    case 0: out.splice(at + 1, 0, line); break;
    case 1: out.splice(at, 1); break;
    default: out[at] = rnd(5) ? line : line.slice(0, 1 + rnd(line.length));
  }
  return out.length > 150 ? out.slice(0, 150) : out;
}

suite('soak', () => {
  test(`random live edits for ${minutes} minute(s)`, { timeout: (minutes + 5) * 60_000 }, async (t) => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    await page.evaluate(() => {
      window.soakGap = 0;
      let last = performance.now();
      const tick = (now) => { window.soakGap = Math.max(window.soakGap, now - last); last = now; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    const editor = await widget(page, 'editor');
    const rnd = random(seed);
    let lines = (await page.evaluate(() => cowlab.script())).split('\n');
    const t0 = Date.now();
    let firstMinute = 0, edits = 0, slowest = 0, slowestText = '', gapAfterMinute = 0;
    while (Date.now() - t0 < minutes * 60_000) {
      lines = edit(lines, rnd);
      const text = lines.join('\n');
      // The editor keeps the keyboard focus unless something took it: click it each time.
      await page.mouse.click(editor.x + editor.w / 2, editor.y + editor.h / 2);
      await page.keyboard.press('Control+a', { delay: 100 });  // held across frames, as ImGui polls keys
      const ms = await page.evaluate(async (text) => {
        const t = performance.now();
        const data = new DataTransfer();
        data.setData('text/plain', text);
        document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
        // Shown: the editor holds the text and the page is idle with nothing waiting.
        for (;;) {
          await new Promise((r) => requestAnimationFrame(r));
          if (cowlab.script() === text && !cowlab.busy()) break;
          if (performance.now() - t > 20_000) {
            const now = cowlab.script();
            let at = 0;
            while (at < now.length && now[at] === text[at]) at++;
            return { ms: -1, busy: cowlab.busy(), at, wanted: text.slice(at, at + 80), got: now.slice(at, at + 80) };
          }
        }
        await cowlab.idle();
        return { ms: performance.now() - t };
      }, text).then((r) => {
        assert(r.ms >= 0, `the edit did not reach the editor or did not run: ${JSON.stringify(r)}`);
        return r.ms;
      });
      edits++;
      if (ms > slowest) slowest = ms, slowestText = text;
      if (!firstMinute && Date.now() - t0 >= 60_000) {
        firstMinute = await page.evaluate(() => cowlab.heapBytes());
        gapAfterMinute = await page.evaluate(() => { const g = window.soakGap; window.soakGap = 0; return g; });
      }
    }
    const end = await page.evaluate(() => cowlab.heapBytes());
    const gap = await page.evaluate(() => window.soakGap);
    if (!firstMinute) firstMinute = end;
    t.diagnostic(`soak: ${edits} edits in ${minutes} min (seed ${seed}); WASM memory after the first minute `
        + `${mib(firstMinute)}, at the end ${mib(end)} (${(end / firstMinute).toFixed(2)}x); slowest update `
        + `${slowest.toFixed(0)} ms (paste to the state shown); longest frame gap ${gap.toFixed(0)} ms after the `
        + `first minute (${gapAfterMinute.toFixed(0)} ms in it); load average ${os.loadavg()[0].toFixed(1)}`);
    t.diagnostic(`the slowest update's script has ${slowestText.split('\n').length} lines`);
    assert(end > 0, 'the page reports its WebAssembly memory');
    assert.equal(problems.join('\n'), '', 'no errors on the page');
  });
});
