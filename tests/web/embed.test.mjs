// Publishing and embedding (issue 14) in headless Chromium: the static site of `cargo xtask dist` under a
// sub-path, run= files, embeds in a post on another origin (fitting their frames, autosize, starting in
// view and one at a time) and the message API. Run by `cargo xtask test`, which sets HB_BASE_URL (the
// page on our server), HB_DIST (the site, built with the Quick demo's run), HB_CHROMIUM, HB_SCREENSHOTS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch } from './chromium.mjs';
import { serveStatic } from './static-server.mjs';
import { required } from './env.mjs';

const env = required('these checks with `cargo xtask test`');
const BASE = env('HB_BASE_URL');
const SHOTS = env('HB_SCREENSHOTS');
const DIST = env('HB_DIST');
const TIMEOUT_MS = 120_000;
/** The Quick demo preset: the run `cargo xtask test` precomputes into the site. */
const QUICK = 'dataset=moons&layers=16,16&epochs=200&k=3&grid=32';
const PREFIX = '/blog/hessian-boundary/';

let browser;
let profile;
let site;
before(async () => {
  ({ context: browser, profile } = await launch(env('HB_CHROMIUM')));
  site = await serveStatic(DIST, { prefix: PREFIX });
});
after(async () => {
  await browser?.close();
  await site?.close();
});

/** A page recording problems (console errors, exceptions, failed requests, dialogs) and every URL requested. */
async function newPage(viewport) {
  const page = await browser.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems = [];
  const requests = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return { page, problems, requests };
}

const state = (frame) => frame.evaluate(() => document.body.dataset.state);
const settle = (frame) => frame.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { polling: 200, timeout: TIMEOUT_MS });

describe('the static site of cargo xtask dist, served from a sub-path by a plain static server', () => {
  test('opens and runs there: relative URLs only, cache-busting names, the CSP kept', async () => {
    const { page, problems, requests } = await newPage();
    try {
      await page.goto(`${site.url}?dataset=moons&layers=8&epochs=50&k=2&grid=16`);
      await settle(page);
      assert.equal(await state(page), 'done', await page.locator('#error').textContent());
      assert.equal(await page.evaluate(() => document.body.dataset.source), 'computed');
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
      // Everything came from below the sub-path; the scripts and the module from the build's own folder.
      assert.ok(requests.length > 10);
      for (const url of requests) assert.ok(url.startsWith(site.url), url);
      const id = readFileSync(path.join(DIST, 'index.html'), 'utf8').match(/src="([0-9a-f]{8})\/www\/app\.js"/)[1];
      for (const file of ['www/app.js', 'www/worker.js', 'pkg/hessian_boundary_bg.wasm', 'pkg/hessian_boundary.js']) {
        assert.ok(requests.includes(`${site.url}${id}/${file}`), file);
      }
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test("a precomputed preset opens at once, without training; Recompute here gives the file's bytes", async () => {
    const { page, problems } = await newPage();
    try {
      const states = [];
      await page.exposeFunction('sawState', (s) => states.push(s));
      await page.addInitScript(() => {
        document.addEventListener('DOMContentLoaded', () =>
          new MutationObserver(() => window.sawState(document.body.dataset.state)).observe(document.body, { attributes: true, attributeFilter: ['data-state'] }),
        );
      });
      await page.goto(site.url);
      await page.waitForFunction(() => document.body.dataset.version, null, { polling: 200, timeout: TIMEOUT_MS });
      const quick = await page.evaluate(() => [...document.querySelectorAll('#preset option')].find((o) => /Quick demo/.test(o.textContent)).value);
      states.length = 0;
      await page.selectOption('#preset', quick);
      await page.waitForFunction(() => document.body.dataset.source === 'file' && document.body.dataset.state === 'done', null, { polling: 200, timeout: TIMEOUT_MS });
      assert.match(await page.locator('#status').textContent(), /^Shown from runs\/[0-9a-f]{8}\.json at once/);
      // No training slices and no G were computed: the file already holds them.
      assert.ok(!states.includes('generalizing'), states.join());
      assert.match(await page.locator('#m-g').textContent(), /of all/);
      // The training it did not do is still drawn from the file: curves, fields, charts, numbers.
      await page.waitForFunction(() => document.getElementById('eigenvalues').dataset.drawn === '1', null, { polling: 200, timeout: 30_000 });
      assert.match(await page.locator('#m-epochs').textContent(), /200/);
      assert.equal(await page.locator('#fields canvas.field').count(), 3);
      const file = readFileSync(path.join(DIST, JSON.parse(readFileSync(path.join(DIST, 'runs/index.json'), 'utf8'))[`v=2&${QUICK}`]), 'utf8');
      await page.click('#recompute');
      await page.waitForFunction(() => document.body.dataset.recompute, null, { polling: 200, timeout: TIMEOUT_MS });
      assert.equal(await page.evaluate(() => document.body.dataset.recompute), 'same');
      assert.match(await page.locator('#status').textContent(), /^Recomputed here: run\.json is byte for byte runs\//);
      assert.ok(file.length > 1000);
      await page.screenshot({ path: path.join(SHOTS, 'dist-preset-from-file.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('run=PATH shows that file at once; a bad run= file is named in a notice and the link computed instead', async () => {
    const { page, problems } = await newPage();
    try {
      const runs = JSON.parse(readFileSync(path.join(DIST, 'runs/index.json'), 'utf8'));
      const file = Object.values(runs)[0];
      await page.goto(`${site.url}?run=${file}&embed=1&panels=boundary,alignment`);
      await page.waitForFunction(() => document.body.dataset.state === 'done', null, { polling: 200, timeout: TIMEOUT_MS });
      assert.equal(await page.evaluate(() => document.body.dataset.source), 'file');
      assert.ok(new URL(page.url()).search.endsWith(`&embed=1&panels=boundary,alignment&run=${file}`), page.url());
      assert.equal(await page.locator('#notice').isVisible(), false);

      // Not a run.json (the index), and a path to another site: each named, the link's query computed.
      for (const [bad, says] of [
        ['runs/index.json', /runs\/index\.json cannot be shown: it has no `schema` section/],
        ['https://example.org/run.json', /not a relative path on this site/],
      ]) {
        await page.goto(`${site.url}?dataset=moons&layers=8&epochs=50&k=2&grid=16&run=${encodeURIComponent(bad)}`);
        await settle(page);
        assert.equal(await state(page), 'done');
        assert.equal(await page.evaluate(() => document.body.dataset.source), 'computed');
        assert.equal(await page.locator('#notice').isVisible(), true);
        assert.match(await page.locator('#notice-list').textContent(), says);
      }
      // A run.json that is not what its numbers write (one number changed).
      const text = readFileSync(path.join(DIST, file), 'utf8');
      const edited = text.replace('"trace":', '"trace":1');
      writeFileSync(path.join(DIST, 'runs/edited.json'), edited);
      try {
        await page.goto(`${site.url}?run=runs/edited.json`);
        await page.waitForFunction(() => !document.getElementById('notice').hidden, null, { polling: 200, timeout: TIMEOUT_MS });
      } finally {
        rmSync(path.join(DIST, 'runs/edited.json'));
      }
      assert.match(await page.locator('#notice-list').textContent(), /runs\/edited\.json cannot be shown: it is not what this version writes/);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});

/** A blog post on another origin (another port) with `frames`: [{id, search, width, height, style}], the README's resize snippet, and a log of the embeds' messages. */
async function post(frames, { spacer = 0 } = {}) {
  const iframes = frames
    .map((f, i) => {
      const src = new URL(`./?${f.search}`, BASE).href.replace(/&/g, '&amp;');
      const gap = i === frames.length - 1 && spacer ? `<div style="height:${spacer}px">Keep reading.</div>` : '';
      return `${gap}<iframe id="${f.id}" src="${src}" width="${f.width ?? '100%'}" height="${f.height}" style="border:0" title="Hessian eigenvectors and the decision boundary"></iframe>`;
    })
    .join('\n');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>A post</title></head>
<body style="margin:0"><main style="max-width:720px;margin:0 auto"><h1>A post about Hessians</h1>
${iframes}
</main>
<script>
  window.heard = [];
  addEventListener('message', (e) => {
    const frame = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === e.source);
    if (frame && typeof e.data?.type === 'string') window.heard.push({ frame: frame.id, ...e.data });
  });
  // The README's snippet for autosize embeds:
  addEventListener('message', (e) => {
    if (e.data?.type !== 'hessian-boundary:size') return;
    for (const f of document.querySelectorAll('iframe')) if (f.contentWindow === e.source) f.style.height = e.data.height + 'px';
  });
</script></body></html>`;
  const server = await serveStatic(null, { pages: { '/post.html': html, '/favicon.ico': '' } });
  return server;
}

/** Whether an embed shows everything without scrolling inside it: its document fits its frame, and every shown panel shows all of its content. */
const fitsFrame = (frame) =>
  frame.evaluate(() => {
    const d = document.documentElement;
    const panels = [...document.querySelectorAll('.panel')].filter((p) => !p.hidden);
    return {
      document: [d.scrollWidth, d.scrollHeight, d.clientWidth, d.clientHeight],
      fits: d.scrollHeight <= d.clientHeight && d.scrollWidth <= d.clientWidth,
      panels: panels.map((p) => ({
        panel: p.dataset.panel,
        inside: p.scrollHeight <= p.clientHeight + 1 && p.getBoundingClientRect().bottom <= innerHeight + 1 && p.getBoundingClientRect().right <= innerWidth + 1,
      })),
      smallestText: Math.min(
        ...[...document.querySelectorAll('.panel:not([hidden]) :is(h2, figcaption, .legend, .readout, dd, dt, td, th), #status')]
          .filter((e) => e.offsetParent !== null && e.textContent.trim())
          .map((e) => parseFloat(getComputedStyle(e).fontSize)),
      ),
    };
  });

describe('embeds in a post on another origin', () => {
  let page;
  let problems;
  let server;
  const frame = async (id) => (await page.$(`#${id}`)).contentFrame();
  before(async () => {
    ({ page, problems } = await newPage({ width: 1000, height: 1200 }));
    server = await post(
      [
        { id: 'first', search: `${QUICK}&embed=1&panels=boundary,alignment`, height: 640 },
        { id: 'second', search: `${QUICK}&seed=1&embed=1&panels=spectrum`, height: 400 },
        { id: 'narrow', search: `${QUICK}&seed=2&embed=1&panels=boundary,alignment`, width: 320, height: 640 },
      ],
      { spacer: 3000 },
    );
    assert.notEqual(new URL(server.url).origin, new URL(BASE).origin);
    await page.goto(`${server.url}post.html`);
  });
  after(async () => {
    await page?.close();
    await server?.close();
  });

  test("the README's two embeds fit their frames (no inner scrolling); the one below the fold waits", async () => {
    for (const id of ['first', 'second']) {
      const f = await frame(id);
      await settle(f);
      assert.equal(await state(f), 'done');
      await f.waitForFunction(() => [...document.querySelectorAll('.plot canvas, #colorbar')].every((c) => c.offsetParent === null || c.dataset.drawn === '1' || !c.closest('[data-panel="spectrum"], .fields-row')), null, { polling: 200, timeout: 30_000 });
    }
    // Layout settles on the next frames after the last content arrived.
    await page.waitForTimeout(500);
    for (const id of ['first', 'second']) {
      const fit = await fitsFrame(await frame(id));
      assert.ok(fit.fits, `${id} scrolls inside its frame: ${fit.document}`);
      for (const p of fit.panels) assert.ok(p.inside, `${id}: panel ${p.panel} is cut off`);
      assert.ok(fit.smallestText >= 11, `${id}: text at ${fit.smallestText}px`);
    }
    await page.screenshot({ path: path.join(SHOTS, 'embeds-in-a-post.png') });
    // Far below the fold, the third has not started, though the others have finished.
    assert.equal(await state(await frame('narrow')), 'waiting');
  });

  test('an embed starts once scrolled into view, and embeds compute one at a time', async () => {
    await page.locator('#narrow').scrollIntoViewIfNeeded();
    const narrow = await frame('narrow');
    await settle(narrow);
    assert.equal(await state(narrow), 'done');
    await page.waitForTimeout(500);
    const fit = await fitsFrame(narrow);
    assert.ok(fit.fits, `320 px: ${fit.document}`);
    for (const p of fit.panels) assert.ok(p.inside, `320 px: panel ${p.panel} is cut off`);
    assert.ok(fit.smallestText >= 11, `320 px: text at ${fit.smallestText}px`);
    await page.locator('#narrow').screenshot({ path: path.join(SHOTS, 'embed-320px.png') });
    // Replay the states the embeds told the post: never two computing at once.
    const heard = await page.evaluate(() => window.heard.filter((m) => m.type === 'hessian-boundary:state'));
    const computing = new Set();
    for (const m of heard) {
      if (['loading', 'running', 'analysing', 'generalizing'].includes(m.state)) computing.add(m.frame);
      else computing.delete(m.frame);
      assert.ok(computing.size <= 1, `two embeds computing at once: ${JSON.stringify(heard)}`);
    }
    for (const id of ['first', 'second', 'narrow']) {
      const states = heard.filter((m) => m.frame === id).map((m) => m.state);
      assert.ok(states.includes('running') && states.at(-1) === 'done', `${id}: ${states}`);
    }
    assert.deepEqual(heard.find((m) => m.frame === 'first' && m.state === 'done').epoch, 200);
  });

  test('messages: set, snapshot and eigenvector do what they say; anything else is ignored', async () => {
    const first = await frame('first');
    const tell = (message) => page.evaluate((m) => document.getElementById('first').contentWindow.postMessage(m, '*'), message);
    // Malformed or unknown: nothing happens (no navigation, no run, no markup, no script).
    for (const m of [
      'hessian-boundary:set',
      { type: 'hessian-boundary:set', query: 42 },
      { type: 'hessian-boundary:set' },
      { type: 'hessian-boundary:snapshot', index: 'last' },
      { type: 'hessian-boundary:eigenvector', index: 1.5 },
      { type: 'hessian-boundary:eval', code: 'alert(1)' },
      { type: '<img src=x onerror=alert(1)>' },
      null,
    ]) {
      await tell(m);
    }
    await page.waitForTimeout(300);
    assert.equal(await state(first), 'done');
    assert.equal(await first.locator('img').count(), 0);

    // set: a full configuration, read like a link (bad keys in a notice).
    const before = await page.evaluate(() => window.heard.length);
    await tell({ type: 'hessian-boundary:set', query: `${QUICK}&snap=50&seed=4&k=bad` });
    await first
      .waitForFunction(() => /seed=4/.test(location.search) && document.body.dataset.state === 'done', null, { polling: 200, timeout: TIMEOUT_MS })
      .catch(async (e) => {
        throw new Error(`${e.message}: ${await first.evaluate(() => [document.body.dataset.state, location.search, document.getElementById('status').textContent])} ${JSON.stringify(await page.evaluate(() => window.heard.slice(-8)))}`);
      });
    assert.match(new URL(first.url()).search, /^\?v=2&dataset=moons&seed=4&layers=16,16&epochs=200&snap=50&grid=32&embed=1&panels=boundary,alignment$/);
    assert.match(await first.locator('#notice-list').textContent(), /^k — /);
    const states = await page.evaluate((n) => window.heard.slice(n).filter((m) => m.frame === 'first' && m.type === 'hessian-boundary:state').map((m) => m.state), before);
    assert.ok(states.includes('running') && states.at(-1) === 'done', states.join());

    // snapshot: the timeline moves there (the first snapshot, epoch 0).
    await tell({ type: 'hessian-boundary:snapshot', index: 0 });
    await first.waitForFunction(() => document.getElementById('scrub').value === '0' && /at epoch 0$/.test(document.getElementById('h-boundary').textContent), null, { polling: 200, timeout: 30_000 });
    await tell({ type: 'hessian-boundary:snapshot', index: -1 });
    await first.waitForFunction(() => document.getElementById('h-boundary').textContent === 'Decision boundary', null, { polling: 200, timeout: 30_000 });

    // eigenvector: that field is highlighted, the others dimmed; null clears it.
    await tell({ type: 'hessian-boundary:eigenvector', index: 1 });
    await first.waitForFunction(() => document.querySelectorAll('#fields figure.highlighted').length === 1, null, { polling: 200, timeout: 10_000 });
    assert.equal(await first.evaluate(() => [...document.querySelectorAll('#fields figure')].findIndex((f) => f.classList.contains('highlighted'))), 1);
    await tell({ type: 'hessian-boundary:eigenvector', index: null });
    await first.waitForFunction(() => document.querySelectorAll("#fields figure.highlighted").length === 0, null, { polling: 200 });
    assert.deepEqual(problems, []);
  });
});

test('autosize: the embed tells the post its height and the README snippet resizes the frame to it', async () => {
  const { page, problems } = await newPage({ width: 1000, height: 900 });
  const server = await post([{ id: 'grows', search: `${QUICK}&embed=1&panels=boundary,alignment,spectrum&autosize=1`, height: 200 }]);
  try {
    await page.goto(`${server.url}post.html`);
    const f = await (await page.$('#grows')).contentFrame();
    await settle(f);
    await page.waitForTimeout(500);
    const [content, frameHeight] = await Promise.all([
      f.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height)),
      page.evaluate(() => document.getElementById('grows').getBoundingClientRect().height),
    ]);
    assert.ok(content > 600, `content ${content}`);
    assert.equal(Math.round(frameHeight), content);
    const sizes = await page.evaluate(() => window.heard.filter((m) => m.type === 'hessian-boundary:size').map((m) => m.height));
    assert.equal(sizes.at(-1), content);
    const fit = await fitsFrame(f);
    assert.ok(fit.fits, `scrolls inside: ${fit.document}`);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await server.close();
  }
});
