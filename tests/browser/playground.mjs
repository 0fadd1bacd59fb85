// The web playground in a real browser (headless Debian chromium, WebGL2 on SwiftShader):
// loading, keyboard and mouse through ImGui, URL fragments, byte-identical state with
// `cowlab run --json`, the aria-live mirror, the clipboard, CSP, and a rendered screenshot.
//   COWLAB_URL=http://127.0.0.1:PORT/ COWLAB_BIN=build/shell/cowlab \
//     node --test-reporter=tap tests/browser/playground.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  artifacts, b64url, baseUrl, click, colourStats, decodePng, launch, openPlayground, press, suite,
  typeText, waitReady, watch, widget,
} from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cowlab = path.resolve(root, process.env.COWLAB_BIN || 'build/shell/cowlab');
const LZString = createRequire(import.meta.url)('lz-string');

// What the native command prints for a script, without the final newline (any exit status).
function nativeJson(text) {
  const file = path.join(artifacts, 'native-input.cow');
  fs.writeFileSync(file, text);
  let out;
  try {
    out = execFileSync(cowlab, ['run', '--json', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    out = e.stdout;  // exit status 1 (an expect failed) or 2 (an error) still prints the JSON
  }
  assert(out.endsWith('\n'), 'cowlab run --json output ends with a newline');
  return out.slice(0, -1);
}

const system = (state) => JSON.parse(state).system;

// A script typed in the tests: 32 pages written, forked, the child writes 8 (8 COW copies).
const typed = 'spawn P1\nP1 mmap heap 32\nP1 write heap\nP1 fork C1\nC1 write heap 0-7\n';

// The typed script, opened by a #script= link, on a page that may use the clipboard.
async function openTypedWithClipboard() {
  const context = await launch();
  const { page, problems } = await openPlayground(context, '#script=' + b64url(typed));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
  return { context, page, problems };
}

suite('playground', () => {
  test('page loads with no console errors, with title, description, favicon and CSP', async (t) => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    await page.waitForTimeout(500);  // a few more frames for late errors
    assert.equal(problems.join('\n'), '', 'no console errors, page errors or failed requests');
    assert((await page.title()).includes('cowlab'), 'the title names cowlab');
    const head = await page.evaluate(() => ({
      description: document.querySelector('meta[name="description"]')?.content || '',
      icon: document.querySelector('link[rel="icon"]')?.href || '',
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content || '',
      loading: document.getElementById('cowlab-loading').hidden,
      error: document.getElementById('cowlab-error').hidden,
      noscript: document.querySelectorAll('noscript').length,
    }));
    assert(head.description.length > 40, 'a meta description');
    assert(/\/favicon\.svg$/.test(head.icon), 'an SVG favicon of the site (favicon.svg)');
    assert(head.csp.includes("'wasm-unsafe-eval'"), 'the CSP allows WebAssembly');
    assert(!/unsafe-inline|'unsafe-eval'/.test(head.csp), 'the CSP allows no inline script and no eval');
    assert(head.loading && head.error, 'the loading indicator is gone and no error shows');
    assert.equal(head.noscript, 1, 'a <noscript> message');
    // With no fragment the page opens on an example that has already run.
    const state = JSON.parse(await page.evaluate(() => cowlab.state()));
    assert(state.steps > 0 && state.step === state.steps, 'the first example ran to its end');
    const ms = await page.evaluate(() => cowlab.firstFrameMs);
    t.diagnostic(`first frame ${ms} ms after navigation`);
  });

  test('screenshot shows a rendered UI, not a blank canvas', async (t) => {
    const context = await launch({ colorScheme: 'dark' });
    const { page } = await openPlayground(context);
    await page.waitForTimeout(300);
    const file = path.join(artifacts, 'playground.png');
    const png = decodePng(await page.screenshot({ path: file }));
    const { distinct, topShare } = colourStats(png);
    t.diagnostic(`${file}: ${png.width}x${png.height}, ${distinct} colours, top colour ${(topShare * 100).toFixed(1)} %`);
    assert(distinct >= 30, `a rendered UI has many colours (got ${distinct})`);
    assert(topShare < 0.9, 'no single colour covers 90 % of the picture');
  });

  test('the canvas fills the window and is sharp at devicePixelRatio 2', async () => {
    const context = await launch({ deviceScaleFactor: 2, viewport: { width: 900, height: 640 } });
    const { page, problems } = await openPlayground(context);
    const c = await page.evaluate(() => {
      const el = document.getElementById('canvas');
      return { w: el.width, h: el.height, cw: el.clientWidth, ch: el.clientHeight, iw: innerWidth, ih: innerHeight };
    });
    assert.equal(`${c.cw}x${c.ch}`, `${c.iw}x${c.ih}`, 'the canvas covers the window (CSS pixels)');
    assert.equal(`${c.w}x${c.h}`, `${c.iw * 2}x${c.ih * 2}`, 'one canvas pixel per device pixel');
    const file = path.join(artifacts, 'playground-dpr2.png');
    const png = decodePng(await page.screenshot({ path: file }));
    assert.equal(png.width, 1800, 'a 2x screenshot');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('typing a script into the ImGui editor, then Run, changes the numbers', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    const before = await page.evaluate(() => cowlab.state());
    await click(page, 'editor');
    await press(page, 'Control+A');
    await press(page, 'Delete');
    await typeText(page, typed);
    await page.waitForFunction((t) => cowlab.script() === t, typed, { timeout: 10_000 });
    await click(page, 'run');
    await page.evaluate(() => cowlab.idle());
    await page.waitForFunction((n) => cowlab.position() === n, 5, { timeout: 10_000 });
    const after = await page.evaluate(() => cowlab.state());
    assert(after !== before, 'the state changed');
    assert.equal(system(after).frames_used, 40, 'frames used: 32 + 8 COW copies');
    assert.equal(system(after).counters.cow_copies, 8, 'COW copies');
    assert.equal(after, nativeJson(typed), 'the same bytes as cowlab run --json');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('Step back restores the previous numbers', async () => {
    const context = await launch();
    const { page } = await openPlayground(context, '#script=' + b64url(typed));
    const atEnd = await page.evaluate(() => cowlab.state());
    const previous = await page.evaluate(() => cowlab.step(4));
    await page.evaluate(() => cowlab.step(5));
    assert.equal(await page.evaluate(() => cowlab.state()), atEnd, 'back at the end');
    await click(page, 'step_back');
    await page.waitForFunction(() => cowlab.position() === 4 && !cowlab.busy(), null, { timeout: 10_000 });
    const back = await page.evaluate(() => cowlab.state());
    assert.equal(back, previous, 'Step back shows exactly the state after statement 4');
    assert(system(back).counters.cow_copies === 0 && system(atEnd).counters.cow_copies === 8,
           'the COW copies of the last statement are undone');
    await click(page, 'step');
    await page.waitForFunction(() => cowlab.position() === 5 && !cowlab.busy(), null, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => cowlab.state()), atEnd, 'Step goes forward again');
  });

  test('a #script= link loads and runs; &step=N stops after statement N', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context, '#script=' + b64url(typed));
    assert.equal(await page.evaluate(() => cowlab.script()), typed, 'the editor holds the script');
    assert.equal(await page.evaluate(() => cowlab.state()), nativeJson(typed), 'ran to the end');
    const stepped = await context.newPage();
    await stepped.goto(baseUrl + '#script=' + b64url(typed) + '&step=3');
    await waitReady(stepped);
    assert.equal(await stepped.evaluate(() => cowlab.position()), 3, 'position after &step=3');
    assert.equal(JSON.parse(await stepped.evaluate(() => cowlab.state())).step, 3, 'state at step 3');
    // A new link in the address bar of the open page changes only the fragment: it runs too.
    const other = 'spawn P1\nP1 mmap heap 4\nP1 write heap\n';
    await stepped.evaluate((h) => { location.hash = h; }, '#script=' + b64url(other) + '&step=2');
    await stepped.waitForFunction((t) => cowlab.script() === t, other, { timeout: 10_000 });
    await stepped.evaluate(() => cowlab.idle());
    assert.equal(await stepped.evaluate(() => cowlab.position()), 2, 'the new link ran to &step=2');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('a #z= (lz-string) link loads and runs, with unicode intact', async () => {
    const script = '# ünïcödé → fork 🐄\n' + typed;
    const context = await launch();
    const { page } = await openPlayground(context,
      '#z=' + LZString.compressToEncodedURIComponent(script) + '&theme=light');
    assert.equal(await page.evaluate(() => cowlab.script()), script, 'the editor holds the script');
    assert.equal(await page.evaluate(() => cowlab.state()), nativeJson(script), 'same state as native');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light', '&theme=light');
  });

  test('state() equals `cowlab run --json` byte for byte for every example', async (t) => {
    const dir = path.join(root, 'examples');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cow')).sort();
    assert(files.length > 0, 'examples/ has scripts');
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const web = await page.evaluate((t) => cowlab.load(t), text);
      assert.equal(web, nativeJson(text), `${f}: state() equals cowlab run --json`);
      assert.equal(await page.evaluate(() => cowlab.state()), web, `${f}: load() resolves with state()`);
    }
    t.diagnostic(`${files.length} examples identical`);
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('#cowlab-state mirrors the headline numbers, the statement and what moved after each step', async () => {
    const context = await launch();
    const { page } = await openPlayground(context, '#script=' + b64url(typed));
    const live = await page.evaluate(() => {
      const el = document.getElementById('cowlab-state');
      return { polite: el.getAttribute('aria-live'), text: el.textContent };
    });
    assert.equal(live.polite, 'polite', 'an aria-live region');
    assert(/step 5 of 5/.test(live.text) && /frames used 40/.test(live.text), `mirror at the end: ${live.text}`);
    for (const n of [0, 3, 4]) {
      await page.evaluate((k) => cowlab.step(k), n);
      const text = await page.evaluate(() => document.getElementById('cowlab-state').textContent);
      const headline = await page.evaluate(() => cowlab.headline());
      assert(text.startsWith(headline), `mirror after step(${n}) starts with the headline: ${text}`);
      if (n > 0) assert.match(text, /\. Ran: .+\. Changed: /, `mirror after step(${n}) names the statement and what moved`);
      assert(text.startsWith(`step ${n} of 5`), `mirror names step ${n}: ${text}`);
    }
    // A step made with the mouse updates it too.
    await click(page, 'step');
    await page.waitForFunction(() => document.getElementById('cowlab-state').textContent.startsWith('step 5 of 5'),
                               null, { timeout: 10_000 });
  });

  test('copy and paste between the ImGui editor and the system clipboard', async () => {
    const { page, problems } = await openTypedWithClipboard();
    await click(page, 'editor');
    await press(page, 'Control+A');
    await press(page, 'Control+C');
    await page.waitForFunction((t) => navigator.clipboard.readText().then((c) => c === t), typed, { timeout: 5000 })
      .catch(() => {});
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), typed, 'Ctrl+C copied the editor text');
    const pasted = 'spawn P1\nP1 mmap heap 4\nP1 write heap\n';
    await page.evaluate((t) => navigator.clipboard.writeText(t), pasted);
    await click(page, 'editor');
    await press(page, 'Control+A');
    await press(page, 'Control+V');
    await page.waitForFunction((t) => cowlab.script() === t, pasted, { timeout: 5000 }).catch(() => {});
    assert.equal(await page.evaluate(() => cowlab.script()), pasted, 'Ctrl+V pasted the system clipboard');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('Share > Copy link copies a #z= link that opens the same script', async () => {
    const { context, page } = await openTypedWithClipboard();
    await click(page, 'share');
    await click(page, 'share_link');
    await page.waitForFunction(() => !document.getElementById('cowlab-notice').hidden, null, { timeout: 5000 });
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert(link.startsWith(baseUrl + '#z='), `a #z= link: ${link}`);
    const z = /#z=([^&]*)/.exec(link)[1];
    assert.equal(LZString.decompressFromEncodedURIComponent(z), typed, 'the link carries the script');
    const other = await context.newPage();
    await other.goto(link);
    await waitReady(other);
    assert.equal(await other.evaluate(() => cowlab.state()), nativeJson(typed), 'the link runs the script');
  });

  test('Share makes the same bytes as `cowlab url`, and the link runs as `cowlab run --json`', async () => {
    const file = path.join(root, 'examples/01-basic-cow-fork.cow');
    const text = fs.readFileSync(file, 'utf8');
    const url = (...args) => execFileSync(cowlab, ['url', file, '--base', baseUrl, ...args], { encoding: 'utf8' });
    const context = await launch();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
    const { page, problems } = await openPlayground(context, '#script=' + b64url(text) + '&step=3');
    assert.equal(await page.evaluate(() => cowlab.position()), 3, 'opened at step 3');
    const share = async (item) => {
      await page.evaluate(() => navigator.clipboard.writeText(''));
      await click(page, 'share');
      await click(page, item);
      await page.waitForFunction(() => navigator.clipboard.readText().then((c) => c !== ''), null, { timeout: 5000 });
      return page.evaluate(() => navigator.clipboard.readText());
    };
    const stepLink = await share('share_link');
    assert.equal(stepLink + '\n', url('--step', '3'), 'Copy link keeps the step: cowlab url --step 3');
    assert.equal(await page.evaluate(() => cowlab.lastShared()), stepLink, 'the hook saw the same link');
    const link = await share('share_end');
    assert.equal(link + '\n', url(), 'Copy link that runs to the end = cowlab url');
    const code = await share('share_embed');
    const embedLink = url('--step', '3', '--embed').trim().replace(/&/g, '&amp;');
    assert.equal(code, `<iframe title="cowlab playground" src="${embedLink}" width="100%" height="520" loading="lazy" allow="clipboard-write"></iframe>`,
      'Copy embed code: an iframe of cowlab url --step 3 --embed');
    // Round trip: the CLI's link, opened in the browser, runs the script as the CLI does.
    const other = await context.newPage();
    await other.goto(url().trim());
    await waitReady(other);
    assert.equal(await other.evaluate(() => cowlab.state()), nativeJson(text), 'state() = cowlab run --json');
    assert.equal(await other.evaluate(() => cowlab.script()), text, 'the editor holds the file');
    // The plain form decodes too, at its step.
    await other.goto(url('--plain', '--step', '2', '--readonly').trim());
    await other.reload();
    await waitReady(other);
    assert.equal(await other.evaluate(() => cowlab.position()), 2, '--plain --step 2 opens at step 2');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('"Run this on your Linux" shows the C program cowlab export-c writes, and copies it', async () => {
    const { page, problems } = await openTypedWithClipboard();
    await click(page, 'export');
    await click(page, 'export_copy');
    await page.waitForFunction(() => navigator.clipboard.readText().then((c) => c.includes('int main(')), null,
                               { timeout: 5000 }).catch(() => {});
    const program = await page.evaluate(() => navigator.clipboard.readText());
    // The native command, run in a folder where the script is called scenario.cow, as the page names it.
    const dir = fs.mkdtempSync(path.join(artifacts, 'export-'));
    fs.writeFileSync(path.join(dir, 'scenario.cow'), typed);
    const native = execFileSync(cowlab, ['export-c', 'scenario.cow'], { cwd: dir, encoding: 'utf8' });
    await page.screenshot({ path: path.join(artifacts, 'export-c.png') });
    assert(program.includes('fork_task('), 'the program forks');
    assert.equal(program, native, 'the same bytes as cowlab export-c');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('an unreadable or oversized link shows a notice and the default example', async () => {
    const context = await launch();
    const { page: plain } = await openPlayground(context);
    const example = await plain.evaluate(() => cowlab.state());
    const huge = 'A'.repeat(1_500_000);  // base64url of 1.1 MB: beyond the 1 MiB script limit
    for (const [fragment, says] of [['#script=%%%not-base64!!', 'could not be read'],
                                    ['#z=' + 'x'.repeat(20000), 'could not be read'],
                                    ['#script=' + huge, 'larger than 1 MiB']]) {
      const { page, problems } = await openPlayground(context, fragment);
      const text = await page.evaluate(() => document.getElementById('cowlab-notice').textContent);
      assert(text.includes(says), `notice for ${fragment.slice(0, 24)}: ${text}`);
      assert.equal(await page.evaluate(() => cowlab.state()), example, 'the default example ran instead');
      assert.equal(problems.join('\n'), '', 'no console errors');
      await page.close();
    }
  });

  test('CSP is in force: an injected inline script is refused, and the page still works', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context, '', { allow: [/Content Security Policy/] });
    const result = await page.evaluate(async () => {
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true;';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 200));
      return { ran: window.__inlineRan === true, violations };
    });
    assert(!result.ran, 'the inline script did not run');
    assert(result.violations.some((v) => v.startsWith('script-src')), `a script-src violation: ${result.violations}`);
    const state = await page.evaluate((t) => cowlab.load(t), typed);
    assert.equal(state, nativeJson(typed), 'the playground still works');
    assert.equal(problems.join('\n'), '', 'no other console errors');
  });

  test('URL data is text, never HTML: markup in a script and an unreadable link', async () => {
    const markup = '# <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\nspawn P1\n';
    const context = await launch();
    const { page } = await openPlayground(context, '#script=' + b64url(markup));
    assert.equal(await page.evaluate(() => cowlab.script()), markup, 'the markup is the editor text');
    const dom = await page.evaluate(() => ({ imgs: document.images.length, pwned: window.__pwned }));
    assert(dom.imgs === 0 && dom.pwned === undefined, 'nothing of it reached the DOM');
    const bad = await context.newPage();
    const problems = watch(bad);
    await bad.goto(baseUrl + '#z=%3Cimg%20src%3Dx%3E!!&step=2');
    await waitReady(bad);
    const notice = await bad.evaluate(() => {
      const el = document.getElementById('cowlab-notice');
      return { hidden: el.hidden, text: el.textContent, children: el.children.length };
    });
    assert(!notice.hidden && /could not be read/.test(notice.text), `a notice: ${notice.text}`);
    assert.equal(notice.children, 0, 'the notice is plain text');
    assert(JSON.parse(await bad.evaluate(() => cowlab.state())).steps > 0, 'an example shows instead');
    assert.equal(problems.join('\n'), '', 'no console errors');
  });

  test('the JavaScript API validates its arguments', async () => {
    const context = await launch();
    const { page } = await openPlayground(context);
    const errors = await page.evaluate(async () => {
      const out = [];
      for (const call of [() => cowlab.load(42), () => cowlab.step(-1), () => cowlab.step(1.5),
                          () => cowlab.load('#'.repeat((1 << 20) + 1))]) {
        try { await call(); out.push('resolved'); } catch (e) { out.push(e.name); }
      }
      return out;
    });
    assert.equal(errors.join(','), 'TypeError,TypeError,TypeError,RangeError', 'bad calls reject');
    assert.equal(await page.evaluate(() => cowlab.step(1e9).then(() => cowlab.position())),
                JSON.parse(await page.evaluate(() => cowlab.state())).steps, 'a large n stops at the last');
  });

  test('a long run is sliced across frames: the page keeps drawing', async (t) => {
    // 400 statements, each touching 16384 pages: far more than one 10 ms slice.
    let script = 'spawn P1\nP1 mmap heap 16384\n';
    for (let i = 0; i < 200; i++) script += `P1 write heap\nP1 madvise heap dontneed\n`;
    const context = await launch();
    const { page } = await openPlayground(context);
    const r = await page.evaluate(async (t) => {
      const f0 = cowlab.frames();
      let sawBusy = false;
      const poll = setInterval(() => { sawBusy = sawBusy || cowlab.busy(); }, 5);
      const t0 = performance.now();
      const state = await cowlab.load(t);
      clearInterval(poll);
      return { frames: cowlab.frames() - f0, ms: performance.now() - t0, sawBusy, state };
    }, script);
    t.diagnostic(`${r.frames} frames drawn during a ${Math.round(r.ms)} ms run`);
    assert.equal(r.state, nativeJson(script), 'same state as native');
    assert(r.frames >= 3, 'frames were drawn during the run');
  });

  test('a browser without WebGL2 gets a clear message', async () => {
    // No WebGL2 at all: refused before the WebAssembly is even started.
    const context = await launch();
    const page = await context.newPage();
    await page.addInitScript(() => { delete window.WebGL2RenderingContext; });
    await page.goto(baseUrl);
    await page.waitForSelector('#cowlab-error:not([hidden])', { timeout: 10_000 });
    const text = await page.evaluate(() => document.getElementById('cowlab-error').innerText);
    assert(/WebGL2/.test(text), `the message names WebGL2: ${text}`);
    assert(await page.evaluate(() => !window.Module), 'the module was not started');
    // WebGL2 present but no context (a blocked GPU): main.cpp reports it.
    const blocked = await context.newPage();
    await blocked.addInitScript(() => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        return kind === 'webgl2' ? null : original.call(this, kind, ...rest);
      };
    });
    await blocked.goto(baseUrl);
    await blocked.waitForSelector('#cowlab-error:not([hidden])', { timeout: 30_000 });
    const text2 = await blocked.evaluate(() => document.getElementById('cowlab-error').innerText);
    assert(/cannot create a WebGL2 context/.test(text2), `the message names WebGL2: ${text2}`);
    assert(await blocked.evaluate(() => document.getElementById('cowlab-loading').hidden), 'no spinner left');
  });
});
