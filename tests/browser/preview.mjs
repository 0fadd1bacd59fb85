// Sharing previews and the installable page: index.html's Open Graph and Twitter tags, the
// favicon and the web app manifest (with its icons), all loading under the page's own
// Content-Security-Policy without a console error. The preview picture, og-image.png
// (1200x630, the basic example at its COW copies), is taken here: it goes to the artifacts,
// or with COWLAB_SHOTS=docs to docs/og-image.png, the copy scripts/build-web.sh publishes.
// og:image needs an absolute URL: scripts/build-web.sh writes the tag only when
// COWLAB_PUBLIC_URL is set; this test checks whichever the build did.
//   COWLAB_URL=http://127.0.0.1:PORT/ node --test-reporter=tap tests/browser/preview.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { artifacts, b64url, baseUrl, colourStats, decodePng, launch, openPlayground, suite } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.resolve(root, process.env.COWLAB_SHOTS || artifacts);
const basic = fs.readFileSync(path.join(root, 'examples/01-basic-cow-fork.cow'), 'utf8');

async function get(url) {
  const r = await fetch(new URL(url, baseUrl));
  assert.equal(r.status, 200, `${url} is served`);
  return r;
}

// The content of <meta property|name=KEY content=...> in `html`, or null.
function meta(html, key) {
  const tag = [...html.matchAll(/<meta\s[^>]*>/g)].map((m) => m[0])
    .find((t) => t.includes(`property="${key}"`) || t.includes(`name="${key}"`));
  return tag ? /content="([^"]*)"/.exec(tag)[1] : null;
}

suite('sharing previews', () => {
  test('Open Graph and Twitter tags: title, description, and the image only with an absolute URL', async () => {
    const html = await (await get('./')).text();
    assert.match(meta(html, 'og:title'), /cowlab/);
    assert.match(meta(html, 'og:description'), /fork/);
    assert.equal(meta(html, 'og:type'), 'website');
    assert.equal(meta(html, 'twitter:card'), 'summary_large_image');
    assert.match(meta(html, 'twitter:title'), /cowlab/);
    const image = meta(html, 'og:image');
    if (image === null) {
      assert.equal(meta(html, 'twitter:image'), null, 'no twitter:image without og:image');
      assert(!html.includes('og-image.png'), 'no relative image URL: previews need an absolute one');
    } else {
      assert.match(image, /^https?:\/\/.+\/og-image\.png$/, 'an absolute URL');
      assert.equal(meta(html, 'twitter:image'), image);
    }
    const png = decodePng(Buffer.from(await (await get('og-image.png')).arrayBuffer()));
    assert.deepEqual([png.width, png.height], [1200, 630], 'the preview picture is 1200x630');
  });

  test('favicon and manifest load under the page\'s CSP, without a console error', async () => {
    const context = await launch();
    const { page, problems } = await openPlayground(context);
    const links = await page.evaluate(() => Object.fromEntries(
      [...document.querySelectorAll('link[rel="icon"], link[rel="manifest"], link[rel="apple-touch-icon"]')]
        .map((l) => [l.rel, l.href])));
    assert.match(links.icon, /favicon\.svg$/);
    assert.match(links.manifest, /cowlab\.webmanifest$/);
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
    assert.match(csp, /manifest-src 'self'/);
    const r = await get('cowlab.webmanifest');
    const manifest = await r.json();
    assert.equal(manifest.short_name, 'cowlab');
    assert.equal(manifest.start_url, './');
    assert(manifest.icons.length >= 2, 'the manifest lists its icons');
    for (const icon of manifest.icons) {
      const body = Buffer.from(await (await get(icon.src)).arrayBuffer());
      if (icon.type === 'image/png') {
        const png = decodePng(body);
        assert.equal(`${png.width}x${png.height}`, icon.sizes, `${icon.src} is ${icon.sizes}`);
      } else assert.match(body.toString('utf8'), /^<svg /);
    }
    await page.waitForTimeout(500);  // the manifest is fetched after load
    assert.deepEqual(problems, []);
  });

  test('the preview picture: the playground at 1200x630 (og-image.png)', async () => {
    const context = await launch({ viewport: { width: 1200, height: 630 }, colorScheme: 'dark' });
    const { page, problems } = await openPlayground(context, '#script=' + b64url(basic) + '&step=7');
    await page.waitForTimeout(300);
    const file = path.join(shots, 'og-image.png');
    await page.screenshot({ path: file });
    const png = decodePng(fs.readFileSync(file));
    assert.deepEqual([png.width, png.height], [1200, 630]);
    const stats = colourStats(png);
    assert(stats.distinct >= 30 && stats.topShare < 0.9, `the picture shows the panels (${JSON.stringify(stats)})`);
    assert.deepEqual(problems, []);
  });
});
