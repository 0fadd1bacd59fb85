// The inspector in a real browser: a click on a page-map cell or an event line opens it,
// and #cowlab-inspect (aria-live) says what it shows; window.cowlab.inspect() returns a
// page's entry exactly as `cowlab run --json --pagemap` prints it (the native binary is
// run here), plus "explain"; bad arguments reject.
//   COWLAB_URL=http://127.0.0.1:PORT/ COWLAB_BIN=build/shell/cowlab \
//     node --test-reporter=tap tests/browser/inspector.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { artifacts, b64url, click, launch, openPlayground, suite } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cowlab = path.resolve(root, process.env.COWLAB_BIN || 'build/shell/cowlab');
const example = fs.readFileSync(path.join(root, 'examples/01-basic-cow-fork.cow'), 'utf8');

// `cowlab run --json --pagemap` of a script, parsed (any exit status: a failed expect
// still prints the JSON).
function nativePagemap(text) {
  const file = path.join(artifacts, 'inspector-input.cow');
  fs.writeFileSync(file, text);
  let out;
  try {
    out = execFileSync(cowlab, ['run', '--json', '--pagemap', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    out = e.stdout;
  }
  return JSON.parse(out);
}

// The script up to and including the first line that starts with `line`.
function upTo(text, line) {
  const lines = text.split('\n');
  const n = lines.findIndex((l) => l.startsWith(line));
  assert(n >= 0, `the example has a line "${line}"`);
  return lines.slice(0, n + 1).join('\n') + '\n';
}

async function inspectorText(page) {
  return page.evaluate(() => document.getElementById('cowlab-inspect').textContent);
}

async function waitInspector(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('cowlab-inspect').textContent),
    re.source, { timeout: 10_000 }).catch(() => {});
  const text = await inspectorText(page);
  assert.match(text, re);
  return text;
}

// Every page of every region of every process of `cli` (a --pagemap document) against
// inspect() at the page's current step.
async function compareAll(page, cli) {
  let pages = 0;
  for (const proc of cli.processes) {
    for (const region of proc.regions) {
      assert(Array.isArray(region.pagemap), `${proc.name} ${region.name} has a pagemap`);
      const got = await page.evaluate(async ([p, r, n]) => {
        const out = [];
        for (let i = 0; i < n; i++) out.push(await window.cowlab.inspect(p, r, i));
        return out;
      }, [proc.name, region.name, region.pagemap.length]);
      region.pagemap.forEach((want, i) => {
        const entry = JSON.parse(got[i]);
        assert.equal(typeof entry.explain, 'string');
        assert(entry.explain.length > 20, `a sentence for ${proc.name} ${region.name}[${i}]: ${entry.explain}`);
        assert(entry.explain.startsWith(`${proc.name} ${region.name}[${want.page}]`), entry.explain);
        delete entry.explain;
        assert.deepEqual(entry, want, `${proc.name} ${region.name}[${i}]`);
        assert.deepEqual(Object.keys(entry), Object.keys(want), 'the same members in the same order');
        pages++;
      });
    }
  }
  return pages;
}

suite('inspector', () => {
  test('#cowlab-inspect is in the page from the start, empty and aria-live', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    const el = await page.evaluate(() => {
      const e = document.getElementById('cowlab-inspect');
      return e && { live: e.getAttribute('aria-live'), text: e.textContent };
    });
    assert.deepEqual(el, { live: 'polite', text: '' });
    assert.equal(problems.join('\n'), '');
  });

  test('clicking a page cell opens the inspector on that page: walk, bits, frame, mappers', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context, '#script=' + b64url(example));
    // P1 wrote heap 0-63 into frames 0-63 in order; after the fork both map them
    // (mapcount 2); C1's writes to 0-15 took frames 64-79. So P1 heap[20] is frame 20,
    // shared, read-only, dirty: COW.
    await click(page, 'page:P1:heap:20');
    let text = await waitInspector(page, /P1 heap\[20\]/);
    assert.match(text, /P=1 W=0 D=1 COW=yes/);
    assert.match(text, /Frame 20: anon, mapcount 2, mapped by (P1 heap\[20\], C1 heap\[20\]|C1 heap\[20\], P1 heap\[20\])/);
    // heap is the first mapping, at 1 TiB: PGD index 2, PUD 0, PMD 0, PTE 20.
    assert.match(text, /walk PGD index 2, PUD index 0, PMD index 0, PTE index 20\./);
    assert.match(text, /COW: a write copies it/);
    // C1 heap[3]: its own copy in frame 64 + 3 = 67, writable, mapped once.
    await click(page, 'page:C1:heap:3');
    text = await waitInspector(page, /C1 heap\[3\]/);
    assert.match(text, /P=1 W=1 D=1 COW=no/);
    assert.match(text, /Frame 67: anon, mapcount 1, mapped by C1 heap\[3\]\./);
    assert.match(text, /Last: C1 write heap\[0-15\]: handle_pte_fault → do_wp_page → wp_page_copy/);
    assert.equal(problems.join('\n'), '');
  });

  test('clicking a COW fault event shows the decisions and the PTE before and after', async () => {
    const context = await launch();
    const { page } = await openPlayground(context, '#script=' + b64url(example));
    const step = nativePagemap(upTo(example, 'C1 write heap 0-15')).steps;
    await page.evaluate((n) => window.cowlab.step(n), step);
    await click(page, `event:${step}:0`);
    const text = await waitInspector(page, /wp_page_copy/);
    // In plain words first, for the first page of the run: frame 0 (mapcount 2) copied into 64.
    assert(text.startsWith(`Inspector: Step ${step}: C1 wrote heap[0] (the first of 16 pages that went the same way). ` +
      'Its PTE was present but read-only, in a private mapping: a COW fault. Frame 0 is anonymous and mapped twice, ' +
      'so it cannot be reused. The kernel took frame 64, copied 4 KiB into it'), text);
    assert.match(text, /In the kernel's terms: C1 write heap\[0-15\]: handle_pte_fault → do_wp_page → wp_page_copy/);
    assert.match(text, /Present\? yes; write\? yes; private\? yes; reusable\? no\./);
    // Page 0: frame 0, shared by P1 and C1, becomes C1's copy in frame 64.
    assert.match(text, /PTE before: frame 0 read-only dirty, mapcount 2; after: frame 64 writable dirty, mapcount 1\./);
  });

  test('inspect() equals the cowlab run --json --pagemap entry of every page, at the end and mid-way', async (t) => {
    const context = await launch();
    const { page, problems } = await openPlayground(context, '#script=' + b64url(example));
    const end = nativePagemap(example);
    assert.equal(await page.evaluate(() => window.cowlab.position()), end.steps);
    const atEnd = await compareAll(page, end);
    // Mid-way: just after the fork (the first `show`), the same script cut there.
    const mid = nativePagemap(upTo(example, 'show'));
    assert(mid.steps > 0 && mid.steps < end.steps);
    await page.evaluate((n) => window.cowlab.step(n), mid.steps);
    const atMid = await compareAll(page, mid);
    t.diagnostic(`${atEnd} pages compared at step ${end.steps}, ${atMid} at step ${mid.steps}`);
    assert.equal(atEnd, 128, 'P1 and C1, 64 pages each');
    assert.equal(atMid, 128);
    assert.equal(problems.join('\n'), '');
  });

  test('inspect() rejects bad arguments with a clear Error, and the page keeps working', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context, '#script=' + b64url(example));
    const results = await page.evaluate(async () => {
      const tries = [['C9', 'heap', 0], ['P1', 'stack', 0], ['P1', 'heap', 64], [1, 'heap', 0],
        ['P1', null, 0], ['P1', 'heap', -1], ['P1', 'heap', 1.5], ['P1', 'heap', '3'], ['', 'heap', 0]];
      const out = [];
      for (const args of tries) {
        try {
          await window.cowlab.inspect(...args);
          out.push('resolved');
        } catch (e) {
          out.push(`${e instanceof Error ? e.constructor.name : typeof e}: ${e.message}`);
        }
      }
      return out;
    });
    assert.deepEqual(results.slice(0, 3), [
      "Error: cowlab.inspect: unknown process 'C9'",
      "Error: cowlab.inspect: unknown region 'stack'",
      "Error: cowlab.inspect: 'P1' does not map heap[64]",
    ]);
    for (const r of results.slice(3)) assert.match(r, /^(TypeError|RangeError): cowlab\.inspect: /);
    const ok = JSON.parse(await page.evaluate(() => window.cowlab.inspect('P1', 'heap', 63)));
    assert.equal(ok.page, 63);
    assert.equal(problems.join('\n'), '');
  });

  test('a page under a huge PMD: inspect() says "huge": true, and the inspector ends the walk at the PMD', async () => {
    const context = await launch();
    // Two THPs mapped by PMDs; the fork shares them; C's write to page 0 splits C's first PMD.
    const thp = 'spawn P\nP mmap h 4M thp\nP write h\nP fork C\nC write h 0\n';
    const { page, problems } = await openPlayground(context, '#script=' + b64url(thp));
    const huge = JSON.parse(await page.evaluate(() => window.cowlab.inspect('P', 'h', 600)));
    assert.equal(huge.huge, true);
    const split = JSON.parse(await page.evaluate(() => window.cowlab.inspect('C', 'h', 3)));
    assert.equal(split.huge ?? false, false);
    const thpCounters = JSON.parse(await page.evaluate(() => window.cowlab.state())).system.counters;
    assert.equal(thpCounters.thp_faults, 2);
    assert.equal(thpCounters.thp_splits, 1);
    await click(page, 'page:P:h:600');
    const text = await waitInspector(page, /P h\[600\]/);
    assert.match(text, /huge PMD: 2 MiB folio/);
    assert.equal(problems.join('\n'), '');
  });
});
