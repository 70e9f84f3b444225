// The page in headless Chromium (Debian's, through playwright-core: no browser download).
// Run by `cargo xtask test`, which serves the page on a free port and sets:
//   HB_BASE_URL       e.g. http://127.0.0.1:PORT/
//   HB_CHROMIUM       the Chromium binary (/usr/bin/chromium)
//   HB_SCREENSHOTS    where to save screenshots (target/screenshots)
//   HB_CRATE_VERSION  the crate version from Cargo.toml
//   HB_CLI            the native release CLI (target/release/hessian-boundary), for the run.json check
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch } from './chromium.mjs';
import { required } from './env.mjs';

const env = required('these checks with `cargo xtask test`');

const BASE = env('HB_BASE_URL');
const SHOTS = env('HB_SCREENSHOTS');
/** How long a page may take to load the module and finish a small run. */
const TIMEOUT_MS = 120_000;
/** A small config that trains, computes the spectrum and draws every panel in about a second. */
const SMALL = 'dataset=moons&layers=16,16&epochs=200&k=3&grid=32';

let browser;
let profile;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ context: browser, profile } = await launch(env('HB_CHROMIUM'), { acceptDownloads: true }));
});

after(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** A new page that records console errors, uncaught exceptions, failed requests and dialogs. */
async function open(search, { viewport } = {}) {
  const page = await browser.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems = [];
  const dialogs = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  if (search !== null) {
    const response = await page.goto(new URL(search, BASE).href);
    assert.equal(response.status(), 200);
  }
  return { page, problems, dialogs };
}

/** Waits for the run to settle: data-state done or error. Returns the state. */
async function settle(page, states = ['done', 'error']) {
  await page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout: TIMEOUT_MS });
  return page.evaluate(() => document.body.dataset.state);
}

const text = (page, selector) => page.locator(selector).textContent();

/** Pixels of a canvas: how many are not white, and how many are near each of `colors` ([r, g, b]). */
async function pixels(page, selector, colors = []) {
  return page.evaluate(
    ([selector, colors]) => {
      const c = document.querySelector(selector);
      if (!c || c.width < 2) return { size: [0, 0], nonWhite: 0, near: colors.map(() => 0) };
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let nonWhite = 0;
      const near = colors.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (r < 245 || g < 245 || b < 245) nonWhite++;
        colors.forEach(([R, G, B], k) => {
          if (Math.abs(r - R) <= 3 && Math.abs(g - G) <= 3 && Math.abs(b - B) <= 3) near[k]++;
        });
      }
      return { size: [c.width, c.height], nonWhite, near };
    },
    [selector, colors],
  );
}

/** The region tint of class c (src/render/color.rs: the class colour at 22 % over white). */
const CLASS = [
  [0x00, 0x72, 0xb2],
  [0xd5, 0x5e, 0x00],
  [0x00, 0x9e, 0x73],
];
const tint = (c) => CLASS[c].map((v) => Math.round(255 - 0.22 * (255 - v)));

/** Clicks an export button and returns the downloaded file's text. */
async function downloadText(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8') };
}

function cliRunJson(query, csv) {
  const cli = process.env.HB_CLI ?? path.resolve('../../target/release/hessian-boundary');
  const out = mkdtempSync(path.join(tmpdir(), 'hb-cli-'));
  try {
    const data = [];
    if (csv !== undefined) {
      writeFileSync(path.join(out, 'data.csv'), csv);
      data.push('--data', path.join(out, 'data.csv'));
    }
    const r = spawnSync(cli, ['run', '--config', query, '--out', out, ...data], { encoding: 'utf8' });
    if (r.error) throw new Error(`cannot run the CLI ${cli}: ${r.error.message}`);
    assert.equal(r.status, 0, `the CLI failed on ${query}: ${r.stderr}`);
    return readFileSync(path.join(out, 'run.json'), 'utf8');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe(`a small run (${SMALL})`, () => {
  let page;
  let problems;
  before(async () => {
    ({ page, problems } = await open(`./?${SMALL}`));
    await settle(page);
    // Let the chart bitmaps arrive.
    await page.waitForFunction(() => document.getElementById('matrix').dataset.drawn === '1', null, { timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, 'small.png'), fullPage: true });
    for (const panel of ['boundary', 'training', 'metrics', 'alignment', 'spectrum', 'matrix', 'margin']) {
      await page.locator(`[data-panel="${panel}"]`).screenshot({ path: path.join(SHOTS, `panel-${panel}.png`) });
    }
  });
  after(() => page?.close());

  test('trains, computes the spectrum and finishes, with no console errors', async () => {
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', await text(page, '#error'));
    assert.equal(await page.locator('#error').isVisible(), false);
    assert.match(await text(page, '#status'), /^Done/);
    assert.equal(await page.evaluate(() => document.body.dataset.version), env('HB_CRATE_VERSION'));
    assert.deepEqual(problems, []);
  });

  test('the URL holds the canonical query', async () => {
    assert.equal(new URL(page.url()).search, `?v=2&${SMALL}`);
    assert.equal(await text(page, '#query'), `v=2&${SMALL}`);
  });

  test('the boundary heatmap shows both class colours and the points', async () => {
    const p = await pixels(page, '#boundary', [tint(0), tint(1), CLASS[0], CLASS[1]]);
    const area = p.size[0] * p.size[1];
    assert.ok(p.near[0] > area * 0.05, `class 0 region: ${p.near[0]} of ${area} pixels`);
    assert.ok(p.near[1] > area * 0.05, `class 1 region: ${p.near[1]} of ${area} pixels`);
    assert.ok(p.near[2] > 50 && p.near[3] > 50, `points in class colours: ${p.near[2]}, ${p.near[3]}`);
  });

  test('every chart and field is drawn (pixels read back)', async () => {
    for (const selector of ['#curves', '#eigenvalues', '#density', '#matrix', '#margin', '#colorbar', '#fields canvas.field']) {
      const p = await pixels(page, selector);
      assert.ok(p.size[0] > 50 && p.size[1] > 50, `${selector} is ${p.size}`);
      assert.ok(p.nonWhite > 0.01 * p.size[0] * p.size[1], `${selector} is blank: ${p.nonWhite} non-white pixels`);
    }
    assert.equal(await page.locator('#fields canvas.field').count(), 3);
    const captions = await page.locator('#fields figcaption').allTextContents();
    assert.match(captions[0], /^A₁ · λ₁ = \d/);
  });

  test('the metrics panel is filled', async () => {
    assert.match(await text(page, '#m-train-accuracy'), /^\d+\.\d %$/);
    assert.match(await text(page, '#m-test-accuracy'), /^\d+\.\d %$/);
    assert.match(await text(page, '#m-lambda1'), /^\d/);
    assert.match(await text(page, '#m-trace'), /^\d.* ± /);
    // G over all p, certified, with the ε it used.
    assert.match(await text(page, '#m-g'), /^\d.*: \d+ of all 354 eigenvectors with mean \|Aᵢ\| > ε = \d.*\(its exact mean over random directions\); exact/);
    assert.match(await text(page, '#m-residual'), /converged/);
    assert.match(await text(page, '#m-hvp'), /^\d+ eigen \+ \d+ trace \+ \d+ density/);
    assert.match(await text(page, '#m-margin'), /^estimate \d/);
    assert.match(await text(page, '#m-params'), /^354$/);
  });

  test('hovering the boundary and a field reads out values', async () => {
    await page.locator('#boundary').hover();
    assert.match(await text(page, '#boundary-readout'), /x₁ = .*x₂ = .*predicted class \d/);
    await page.locator('#fields canvas.field').first().hover();
    assert.match(await text(page, '#fields-readout'), /^A₁\(x₁ = .*\) = −?\d/);
    // The same from the keyboard: Tab onto a picture, arrows move the probe.
    await page.mouse.move(0, 0);
    await page.focus('#boundary');
    const first = await text(page, '#boundary-readout');
    assert.match(first, /x₁ = .*x₂ = .*predicted class \d/);
    await page.keyboard.press('Shift+ArrowRight');
    const moved = await text(page, '#boundary-readout');
    assert.match(moved, /x₁ = /);
    assert.notEqual(moved, first);
    await page.focus('#curves');
    assert.match(await text(page, '#curves-readout'), /^epoch \d+/);
  });

  test("the page's run.json is byte for byte the CLI's for the same query", async () => {
    const { name, text: json } = await downloadText(page, '#export-json');
    assert.equal(name, 'run.json');
    const cli = cliRunJson(SMALL);
    assert.ok(json === cli, `run.json differs: page ${json.length} bytes, CLI ${cli.length} bytes`);
  });

  test('exports the data as CSV and a panel as PNG', async () => {
    const csv = await downloadText(page, '#export-csv');
    assert.equal(csv.name, 'data.csv');
    const lines = csv.text.trim().split('\n');
    assert.equal(lines[0], 'x1,x2,label');
    // The authors' moons: 100 training and 40 test points (their 60 validation points are not used).
    assert.equal(lines.length, 141);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-png="spectrum"]')]);
    assert.equal(download.suggestedFilename(), 'spectrum.png');
    const png = readFileSync(await download.path());
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  });
});

test('the default page opens, shows progress, and runs the paper setting', async () => {
  const { page, problems } = await open('./');
  try {
    await page.waitForFunction(() => document.body.dataset.state === 'running', null, { timeout: TIMEOUT_MS });
    await page.waitForFunction(() => /^Training: epoch \d/.test(document.getElementById('status').textContent), null, {
      timeout: TIMEOUT_MS,
    });
    assert.equal(new URL(page.url()).search, '?v=2');
    assert.equal(await page.locator('#preset').inputValue(), '0');
    assert.equal(await page.locator('select[name="dataset"]').inputValue(), 'gaussian');
    assert.equal(await page.locator('input[name="layers"]').inputValue(), '100,100');
    const started = Date.now();
    await settle(page);
    await page.waitForFunction(() => document.getElementById('matrix').dataset.drawn === '1', null, { timeout: 30_000 });
    console.log(`# the default config finished ${((Date.now() - started) / 1000).toFixed(1)} s after training began`);
    await page.screenshot({ path: path.join(SHOTS, 'default.png'), fullPage: true });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', await text(page, '#error'));
    assert.equal(await page.locator('#fields canvas.field').count(), 10);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the UI stays responsive while training (no animation-frame gap over 100 ms)', async () => {
  const { page, problems } = await open('./?epochs=400');
  try {
    await page.waitForFunction(() => document.body.dataset.state === 'running', null, { timeout: TIMEOUT_MS });
    const gaps = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const gaps = [];
          let last = performance.now();
          const end = last + 2500;
          const frame = (now) => {
            gaps.push(now - last);
            last = now;
            if (now < end && document.body.dataset.state === 'running') requestAnimationFrame(frame);
            else resolve(gaps);
          };
          requestAnimationFrame(frame);
        }),
    );
    assert.ok(gaps.length > 10, `only ${gaps.length} frames`);
    const worst = Math.max(...gaps.slice(1));
    assert.ok(worst <= 100, `longest gap between animation frames: ${worst.toFixed(1)} ms`);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('pause, step and resume', async () => {
  const { page, problems } = await open('./?dataset=moons&layers=32,32&epochs=3000&k=2&grid=16');
  try {
    await page.waitForFunction(() => /^Training: epoch [1-9]/.test(document.getElementById('status').textContent), null, {
      timeout: TIMEOUT_MS,
    });
    await page.click('#play');
    assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
    await page.waitForFunction(() => /^Paused at epoch/.test(document.getElementById('status').textContent));
    await page.waitForTimeout(300); // a slice in flight may still land
    const epochOf = async () => Number((await text(page, '#status')).match(/epoch ([\d,]+)/)[1].replace(/,/g, ''));
    const paused = await epochOf();
    await page.waitForTimeout(400);
    assert.equal(await epochOf(), paused, 'training goes on while paused');
    await page.click('#step');
    await page.waitForFunction((e) => !document.getElementById('status').textContent.includes(`epoch ${e.toLocaleString('en')} `), paused);
    assert.equal(await epochOf(), paused + 30);
    await page.click('#play');
    assert.equal(await settle(page), 'done');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a share link reproduces the run; changing a setting updates the URL and restarts', async () => {
  // A non-canonical spelling of SMALL: other order, spaces, a default value spelled out.
  const { page, problems } = await open('./?grid=32&k=3&epochs=200&layers=16,%2016&dataset=moons&lr=0.02');
  try {
    await settle(page);
    assert.equal(new URL(page.url()).search, `?v=2&${SMALL}`);
    const first = (await downloadText(page, '#export-json')).text;
    // Open the canonical link anew: the same bytes.
    const again = await open(new URL(page.url()).search);
    await settle(again.page);
    const second = (await downloadText(again.page, '#export-json')).text;
    await again.page.close();
    assert.ok(first === second, 'the same link gave a different run.json');
    // A setting changed in the form: the URL follows, the run restarts.
    await page.fill('input[name="seed"]', '7');
    await page.locator('input[name="seed"]').press('Enter');
    await page.locator('input[name="seed"]').blur();
    await page.waitForFunction(() => location.search.includes('seed=7'));
    assert.equal(new URL(page.url()).search, `?v=2&dataset=moons&seed=7&layers=16,16&epochs=200&k=3&grid=32`);
    assert.equal(await settle(page), 'done');
    assert.equal(await page.locator('#preset').inputValue(), 'custom');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a setting changed mid-run cancels the old run cleanly', async () => {
  const { page, problems } = await open('./?epochs=5000');
  try {
    await page.waitForFunction(() => /^Training: epoch [1-9]/.test(document.getElementById('status').textContent), null, {
      timeout: TIMEOUT_MS,
    });
    await page.selectOption('#preset', { label: 'Quick demo (moons, small net)' });
    assert.equal(await settle(page), 'done');
    assert.equal(new URL(page.url()).search, `?v=2&${SMALL}`);
    assert.match(await text(page, '#m-epochs'), /^200$/);
    await page.waitForTimeout(500); // nothing of the old run arrives later
    assert.match(await text(page, '#status'), /^Done.*200 epochs/);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a hostile link opens with a notice, uses the defaults for the bad keys, and runs no script', async () => {
  const hostile = '?dataset=<img src=x onerror=alert(1)>&lr=abc&layers=99999999&epochs=60&k=2&grid=16';
  const { page, problems, dialogs } = await open(`./${hostile}`);
  try {
    assert.equal(await settle(page), 'done', await text(page, '#error'));
    await page.screenshot({ path: path.join(SHOTS, 'hostile-link.png'), fullPage: false });
    assert.ok(await page.locator('#notice').isVisible(), 'the notice is shown');
    const items = await page.locator('#notice-list li').allTextContents();
    assert.equal(items.length, 3, items.join('\n'));
    assert.match(items[0], /^dataset — .*<img src=x onerror=alert\(1\)>.*Used gaussian instead\.$/);
    assert.match(items[1], /^lr — .*abc.*Used 0\.02 instead\.$/);
    assert.match(items[2], /^layers — .*99999999.*Used 100,100 instead\.$/);
    assert.equal(await page.locator('img').count(), 0, 'an <img> element was created');
    assert.deepEqual(dialogs, []);
    assert.equal(new URL(page.url()).search, '?v=2&epochs=60&k=2&grid=16');
    assert.equal(await page.locator('select[name="dataset"]').inputValue(), 'gaussian');
    assert.equal(await page.locator('input[name="lr"]').inputValue(), '0.02');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

describe('bad input shows a message, never a blank page', () => {
  test('absurd sizes: the config error', async () => {
    const { page, problems } = await open('./?layers=4096,4096,4096');
    try {
      assert.equal(await settle(page), 'error');
      assert.match(await text(page, '#error'), /^bad config: layers: .*expected at most 300000/);
      assert.ok(await page.locator('#controls').isVisible());
      assert.equal(await page.locator('input[name="layers"]').inputValue(), '4096,4096,4096');
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test("diverging training: the library's message", async () => {
    const { page, problems } = await open('./?dataset=moons&loss=mse&lr=10&epochs=50');
    try {
      assert.equal(await settle(page), 'error');
      assert.match(await text(page, '#error'), /^training stopped: training diverged in epoch \d+.*Lower the learning rate/);
      await page.screenshot({ path: path.join(SHOTS, 'diverged.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test("a bad CSV upload: the loader's error; a good one runs", async () => {
    const { page, problems } = await open(`./?${SMALL}`);
    try {
      await settle(page);
      await page.setInputFiles('#csv-file', {
        name: 'bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('x,y,label\n1,2,0\n3,abc,1\n'),
      });
      await page.waitForFunction(() => location.search.includes('dataset=csv'));
      assert.equal(await settle(page), 'error');
      assert.equal(await text(page, '#error'), 'bad data: line 3, column 2 ("y"): "abc" is not a number');
      const rows = ['x,y,label'];
      for (let i = 0; i < 40; i++) rows.push(`${(i % 7) / 3 - 1},${((i * 5) % 11) / 5 - 1},${i % 2}`);
      await page.setInputFiles('#csv-file', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
      await page.waitForFunction(() => document.getElementById('csv-name').textContent.includes('good.csv'));
      assert.equal(await settle(page), 'done', await text(page, '#error'));
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});

test('a CSV of the kind spreadsheets write: named classes, the link carries it, a reload gives the same run.json', async () => {
  // Semicolons, decimal commas, quoted cells, class names: a European spreadsheet's export.
  const rows = ['"width";"height";"kind"'];
  for (let i = 0; i < 40; i++) rows.push(`${((i % 7) / 3 - 1).toFixed(3).replace('.', ',')};${(((i * 5) % 11) / 5 - 1).toFixed(3).replace('.', ',')};"${i % 2 ? 'south, far' : 'north'}"`);
  const csv = rows.join('\r\n');
  const { page, problems } = await open(`./?${SMALL}`);
  let link;
  try {
    await settle(page);
    await page.setInputFiles('#csv-file', { name: 'european.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction(() => location.hash.startsWith('#data='));
    assert.equal(await settle(page), 'done', await text(page, '#error'));
    assert.match(await text(page, '#csv-name'), /^Using european\.csv \([\d,]+ characters\)\. The link carries the data\.$/);
    assert.match(await text(page, '#boundary-legend'), /north {2}south, far {2}/);
    link = await page.evaluate(() => location.href);
    const query = new URL(link).search.slice(1);
    assert.match(query, /dataset=csv/);
    assert.match(await page.locator('#embed-snippet').inputValue(), /#data=[A-Za-z0-9_-]+"/);
    const first = (await downloadText(page, '#export-json')).text;
    assert.match(first, /"class_names":\["north","south, far"\]/);
    // The CLI on the file gives the page's bytes.
    assert.equal(first, cliRunJson(query, csv), 'the CLI on the same file');
    await page.screenshot({ path: path.join(SHOTS, 'csv-named-classes.png'), fullPage: true });

    // A reload (or the link opened anywhere) runs on the data the link carries.
    await page.reload();
    assert.equal(await settle(page), 'done', await text(page, '#error'));
    assert.match(await text(page, '#csv-name'), /^Using the data in the link \([\d,]+ characters\)\. The link carries the data\.$/);
    assert.equal(await page.evaluate(() => location.href), link);
    assert.equal((await downloadText(page, '#export-json')).text, first, 'run.json after the reload');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }

  // An edited fragment: a notice that names it, then the run asks for the file.
  const payload = link.split('#data=')[1];
  const mid = Math.floor(payload.length / 2);
  const edited = `${link.split('#data=')[0]}#data=${payload.slice(0, mid)}${payload[mid] === 'A' ? 'B' : 'A'}${payload.slice(mid + 1)}`;
  const damaged = await open(null);
  try {
    await damaged.page.goto(edited);
    assert.equal(await settle(damaged.page), 'error');
    assert.match((await damaged.page.locator('#notice-list li').allTextContents()).join('\n'), /^#data — the data in the link is damaged: .*\. Ignored\.$/m);
    assert.match(await text(damaged.page, '#error'), /dataset=csv needs CSV data: this link runs on a CSV file of its own/);
    assert.deepEqual(damaged.problems, []);
  } finally {
    await damaged.page.close();
  }
});

test('a CSV too large for a link says to share it alongside', async () => {
  const rows = ['x,y,label'];
  // Numbers at full precision barely compress: 4,500 of them are over the link's 32,768 characters.
  for (let i = 0; i < 1500; i++) rows.push(`${Math.sin(i * 1.7)},${Math.cos(i * 0.3)},${i % 2}`);
  const { page, problems } = await open(`./?${SMALL}&epochs=1`);
  try {
    await settle(page);
    await page.setInputFiles('#csv-file', { name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForFunction(() => /alongside/.test(document.getElementById('csv-name').textContent));
    assert.match(await text(page, '#csv-name'), /^Using big\.csv \([\d,]+ characters\)\. The data is too large for a link \(\d+ characters compressed; a link carries up to 32768\): share the file alongside\.$/);
    assert.equal(await page.evaluate(() => location.hash), '');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('embed mode: chosen panels only, no settings, fits a 600 px iframe', async () => {
  const { page, problems } = await open(null, { viewport: { width: 800, height: 900 } });
  try {
    // A blog post's page with the snippet the Embed button gives, 600 px wide.
    const src = new URL(`./?${SMALL}&embed=1&panels=boundary,alignment`, BASE).href;
    await page.setContent(`<!doctype html><body><iframe id="embedded" src="${src.replace(/&/g, '&amp;')}" width="600" height="700"></iframe></body>`);
    const frame = await (await page.waitForSelector('#embedded')).contentFrame();
    await frame.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: TIMEOUT_MS });
    await frame.waitForFunction(() => document.getElementById('colorbar').dataset.drawn === '1', null, { timeout: 30_000 });
    assert.equal(await frame.locator('#controls').isVisible(), false);
    assert.equal(await frame.locator('h1').isVisible(), false);
    assert.equal(await frame.locator('#play').isVisible(), false);
    assert.equal(await frame.locator('[data-panel="boundary"]').isVisible(), true);
    assert.equal(await frame.locator('[data-panel="alignment"]').isVisible(), true);
    for (const hidden of ['training', 'metrics', 'spectrum', 'matrix', 'margin', 'regimes']) {
      assert.equal(await frame.locator(`[data-panel="${hidden}"]`).isVisible(), false, hidden);
    }
    const widths = await frame.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(widths[0] <= widths[1], `the page overflows the iframe: ${widths}`);
    const full = await frame.locator('#open-full').getAttribute('href');
    assert.equal(new URL(full).search, `?v=2&${SMALL}`);
    assert.ok(new URL(frame.url()).search.endsWith('&embed=1&panels=boundary,alignment'));
    await page.locator('#embedded').screenshot({ path: path.join(SHOTS, 'embed-600px.png') });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

/** A checksum of a canvas's pixels, to tell two pictures apart. */
const canvasSum = (page, selector) =>
  page.evaluate((selector) => {
    const c = document.querySelector(selector);
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum = (sum * 31 + data[i]) % 1_000_000_007;
    return sum;
  }, selector);

test('the timeline scrubs through the training snapshots; its last position is the final model', async () => {
  const query = `${SMALL}&snap=50`;
  const { page, problems } = await open(`./?${query}`);
  try {
    await settle(page);
    await page.waitForFunction(() => document.getElementById('eigenvalues').dataset.view === 'final', null, { timeout: 30_000 });
    assert.ok(await page.locator('#timeline').isVisible(), 'the timeline is shown');
    // Snapshots at epochs 0, 50, 100, 150, then the final model (epoch 200).
    assert.equal(await page.locator('#scrub').getAttribute('max'), '4');
    assert.equal(await page.locator('#scrub').inputValue(), '4');
    assert.match(await text(page, '#scrub-value'), /^epoch 200 of 200 \(final model\) · λ₁ = /);
    const run = JSON.parse((await downloadText(page, '#export-json')).text);
    const final = {
      boundary: await canvasSum(page, '#boundary'),
      eigenvalues: await canvasSum(page, '#eigenvalues'),
      caption: await page.locator('#fields figcaption').first().textContent(),
    };
    // To the first snapshot from the keyboard.
    await page.focus('#scrub');
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.getElementById('eigenvalues').dataset.view === '0', null, { timeout: 30_000 });
    const label = await text(page, '#scrub-value');
    assert.match(label, /^epoch 0 of 200 · λ₁ = /);
    const lambda1 = Number(label.match(/λ₁ = ([\d.]+)/)[1]);
    const expected = run.snapshots[0].eigenvalues[0];
    assert.ok(Math.abs(lambda1 - expected) <= 1e-3 * expected, `λ₁ shown ${lambda1}, run.json ${expected}`);
    assert.notEqual(await page.locator('#fields figcaption').first().textContent(), final.caption);
    assert.notEqual(await canvasSum(page, '#boundary'), final.boundary, 'the boundary picture did not change');
    assert.notEqual(await canvasSum(page, '#eigenvalues'), final.eigenvalues, 'the eigenvalue chart did not change');
    assert.match(await text(page, '#h-boundary'), /at epoch 0$/);
    await page.locator('[data-panel="alignment"]').screenshot({ path: path.join(SHOTS, 'panel-alignment-epoch0.png') });
    // Back to the end: the final model's pictures, exactly.
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.getElementById('eigenvalues').dataset.view === 'final', null, { timeout: 30_000 });
    assert.equal(await canvasSum(page, '#boundary'), final.boundary);
    assert.equal(await canvasSum(page, '#eigenvalues'), final.eigenvalues);
    assert.equal(await page.locator('#fields figcaption').first().textContent(), final.caption);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

/** Every alignment field's pixels (the final model's or the shown snapshot's), as one hash per field. */
const fieldSums = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('#fields canvas.field')].map((c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < data.length; i++) sum = (sum * 31 + data[i]) % 1_000_000_007;
      return sum;
    }),
  );

describe('the pool of workers (workers= page option)', () => {
  const query = `${SMALL}&snap=50`;
  /** One run with `workers` workers: its run.json, the final and the first snapshot's field pixels, what the page says. */
  async function runWith(workers) {
    const { page, problems } = await open(`./?${query}&workers=${workers}`);
    try {
      assert.equal(await settle(page), 'done', await text(page, '#error'));
      await page.waitForFunction(() => document.getElementById('eigenvalues').dataset.view === 'final', null, { timeout: 30_000 });
      const shown = {
        workers: await text(page, '#m-workers'),
        address: await page.evaluate(() => location.search),
        json: (await downloadText(page, '#export-json')).text,
        final: await fieldSums(page),
        readout: null,
      };
      await page.locator('[data-panel="metrics"]').screenshot({ path: path.join(SHOTS, `panel-metrics-workers-${workers}.png`) });
      await page.focus('#scrub');
      await page.keyboard.press('Home');
      await page.waitForFunction(() => document.getElementById('eigenvalues').dataset.view === '0', null, { timeout: 30_000 });
      shown.snapshot = await fieldSums(page);
      // A value read off the first snapshot's A1 (hover), as the page writes it.
      const field = page.locator('#fields canvas.field').first();
      const box = await field.boundingBox();
      await field.hover({ position: { x: box.width * 0.3, y: box.height * 0.6 } });
      shown.readout = await text(page, '#fields-readout');
      assert.match(shown.readout, /^A₁\(x₁ = .*\) = −?\d/);
      assert.deepEqual(problems, []);
      return shown;
    } finally {
      await page.close();
    }
  }

  test('1 worker and a pool of 3 give the same run.json bytes and the same field pixels, final and snapshot', async () => {
    const one = await runWith(1);
    const three = await runWith(3);
    assert.match(one.workers, /^1 Web Worker \(set by workers= in the address\)/);
    assert.match(three.workers, /^3 Web Workers \(set by workers= in the address\)/);
    // The option is the page's: no link carries it, and run.json does not know it.
    for (const shown of [one, three]) {
      assert.doesNotMatch(shown.address, /workers/);
      assert.doesNotMatch(shown.json, /worker/);
    }
    assert.ok(three.json === one.json, 'run.json differs between 1 worker and 3');
    assert.equal(three.final.length, 3);
    assert.deepEqual(three.final, one.final);
    assert.deepEqual(three.snapshot, one.snapshot);
    assert.notDeepEqual(three.snapshot, three.final);
    assert.equal(three.readout, one.readout);
    assert.equal(one.json, cliRunJson(query));
  });

  test('without the option the page uses a worker per core and says so', async () => {
    const { page, problems } = await open(`./?${SMALL}`);
    try {
      await settle(page);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const n = Math.min(cores, 8);
      assert.equal(await text(page, '#m-workers'), `${n} Web Worker${n === 1 ? '' : 's'} (one per core, navigator.hardwareConcurrency = ${cores}, at most 8)`);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test("a pool worker's failure stops the run with its message", async () => {
    const page = await browser.newPage();
    try {
      // Every band asked of a pool worker reaches past the grid: the worker's Session refuses it.
      await page.addInitScript(() => {
        const post = Worker.prototype.postMessage;
        Worker.prototype.postMessage = function (message, transfer) {
          return post.call(this, message?.type === 'band' ? { ...message, r1: 1_000_000 } : message, transfer);
        };
      });
      await page.goto(new URL(`./?${SMALL}&workers=2`, BASE).href);
      assert.equal(await settle(page), 'error');
      assert.match(await text(page, '#error'), /^A pool worker failed \(fields\): rows \d+\.\.1000000 are not rows of the 32-row grid$/);
      assert.match(await text(page, '#status'), /^Stopped/);
      await page.screenshot({ path: path.join(SHOTS, 'pool-failure.png') });
    } finally {
      await page.close();
    }
  });
});

test("the regime table: four rows of finite numbers, each the CLI's run.json for that regime", async () => {
  const query = 'dataset=moons&layers=8&epochs=60&pre=100&k=2&grid=16';
  const { page, problems } = await open(`./?${query}`);
  try {
    await settle(page);
    await page.click('#compare');
    await page.waitForFunction(() => /^(Done|Stopped)/.test(document.getElementById('compare-status').textContent), null, {
      timeout: TIMEOUT_MS,
    });
    assert.match(await text(page, '#compare-status'), /^Done/);
    await page.locator('[data-panel="regimes"]').screenshot({ path: path.join(SHOTS, 'panel-regimes.png') });
    const rows = await page.locator('#regimes tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ regime: tr.dataset.regime, values: [...tr.cells].slice(1).map((td) => td.dataset.value ?? null) })),
    );
    assert.deepEqual(rows.map((r) => r.regime), ['normal', 'random-labels', 'adversarial', 'large-norm']);
    for (const { regime, values } of rows) {
      // The true margin may be "not found"; every other cell holds a finite number.
      for (const v of values.slice(0, 6)) assert.ok(Number.isFinite(Number(v)) && v !== null, `${regime}: ${values}`);
    }
    const cli = JSON.parse(cliRunJson(`${query}&regime=adversarial`));
    const adversarial = rows[2].values.map((v) => (v === null ? null : Number(v)));
    assert.deepEqual(adversarial, [
      cli.metrics.train_accuracy,
      cli.metrics.test_accuracy,
      cli.generalization.aggregate,
      cli.hessian.trace,
      cli.hessian.eigenvalues[0],
      cli.margin.estimate,
      cli.margin.true,
    ]);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the speed control paces training without changing any number', async () => {
  const { page, problems } = await open(`./?${SMALL}`);
  try {
    await settle(page);
    const fast = (await downloadText(page, '#export-json')).text;
    await page.focus('#speed');
    await page.keyboard.press('Home');
    assert.equal(await text(page, '#speed-value'), '1 epoch per frame');
    // The same query again, at one epoch per animation frame: 200 epochs take seconds, not a moment.
    await page.dispatchEvent('input[name="seed"]', 'change');
    await page.waitForFunction(() => /^Training: epoch [1-9]/.test(document.getElementById('status').textContent));
    await page.waitForTimeout(600);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'running');
    assert.equal(await settle(page), 'done');
    const slow = (await downloadText(page, '#export-json')).text;
    assert.ok(slow === fast, 'run.json changed with the training speed');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('every preset sets its query, and the menu shows it', async () => {
  const { page, problems } = await open(`./?${SMALL}`);
  try {
    await settle(page);
    const options = await page.locator('#preset option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    assert.ok(options.length >= 10, `only ${options.length} presets`);
    for (const [value, label] of options) {
      if (value === 'custom') continue;
      await page.selectOption('#preset', value);
      // The run has started once its canonical query is in the URL; the menu then names the preset.
      await page.waitForFunction(() => ['running', 'analysing', 'done'].includes(document.body.dataset.state), null, {
        timeout: TIMEOUT_MS,
      });
      assert.equal(await page.locator('#preset').inputValue(), value, `${label}: the menu shows another preset`);
      assert.equal(await page.locator('#notice').isVisible(), false, label);
    }
    const url = new URL(page.url()).search;
    assert.equal(url, `?v=2&${SMALL}`); // the last preset is the quick demo
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the alignment panel exports as one PNG of src/render small multiples', async () => {
  const { page } = await open(`./?${SMALL}`);
  try {
    await settle(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-png="alignment"]')]);
    assert.equal(download.suggestedFilename(), 'alignment.png');
    const png = readFileSync(await download.path());
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.ok(width > height && height >= 500, `${width}×${height}`);
  } finally {
    await page.close();
  }
});

test('the Embed button gives an iframe snippet for the current run', async () => {
  const { page } = await open(`./?${SMALL}`);
  try {
    await settle(page);
    await page.click('#embed-button');
    const snippet = await page.locator('#embed-snippet').inputValue();
    assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?v=2&amp;dataset=moons&amp;.*&amp;embed=1&amp;panels=boundary,alignment,spectrum" /);
  } finally {
    await page.close();
  }
});

/** Sets a range input's value as a drag would and fires its input event. */
async function slide(page, selector, value) {
  await page.evaluate(([selector, value]) => {
    const el = document.querySelector(selector);
    el.value = String(value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, [selector, value]);
}

describe('the instruments: perturbation explorer, curvature through training, self-test', () => {
  const query = `${SMALL}&snap=50`;
  let page;
  let problems;
  let run;
  before(async () => {
    ({ page, problems } = await open(`./?${query}`));
    await settle(page);
    await page.waitForFunction(() => Number(document.body.dataset.perturbed) >= 1, null, { timeout: 30_000 });
    run = JSON.parse((await downloadText(page, '#export-json')).text);
  });
  after(() => page?.close());

  test('dragging t moves the boundary, and the loss there is the CLI run.json value', async () => {
    const base = await canvasSum(page, '#explore-boundary');
    const before = Number(await page.evaluate(() => document.body.dataset.perturbed));
    await slide(page, '#explore-t', 100);
    await page.waitForFunction((n) => Number(document.body.dataset.perturbed) > n, before, { timeout: 30_000 });
    await page.waitForFunction(() => /^t = [1-9]/.test(document.getElementById('explore-t-value').textContent), null, { timeout: 30_000 });
    const line = run.perturbation.lines[0];
    assert.equal(Number(await page.evaluate(() => document.body.dataset.perturbedLoss)), line.loss[line.loss.length - 1]);
    assert.notEqual(await canvasSum(page, '#explore-boundary'), base, 'the boundary did not move');
    for (const selector of ['#explore-line', '#explore-surface']) {
      const p = await pixels(page, selector);
      assert.ok(p.nonWhite > 0.05 * p.size[0] * p.size[1], `${selector} is blank`);
    }
    assert.match(await text(page, '#explore-line-legend'), /curvature at 0: \d/);
    await page.locator('[data-panel="explorer"]').screenshot({ path: path.join(SHOTS, 'panel-explorer.png') });
    // The CLI writes the same perturbation: the page's run.json is the CLI's.
    assert.ok(JSON.stringify(run.perturbation) === JSON.stringify(JSON.parse(cliRunJson(query)).perturbation));
  });

  test('a click on an alignment field picks its eigenvector', async () => {
    await page.locator('#fields canvas.field').nth(1).click();
    assert.equal(await page.locator('#explore-index').inputValue(), '1');
    assert.equal(await page.locator('#explore-t').inputValue(), '0');
  });

  test('the self-test lists run.json\'s checks with their verdicts', async () => {
    const rows = page.locator('#checks tbody tr');
    assert.equal(await rows.count(), run.checks.length);
    for (const [i, c] of run.checks.entries()) {
      assert.equal(await rows.nth(i).getAttribute('data-check'), c.name);
      assert.equal(await rows.nth(i).getAttribute('data-pass'), String(c.pass));
    }
    assert.ok(run.checks.every((c) => c.pass === true), JSON.stringify(run.checks));
    assert.equal(await text(page, '#checks-summary'), `All ${run.checks.length} checks passed.`);
    await page.locator('[data-panel="checks"]').screenshot({ path: path.join(SHOTS, 'panel-checks.png') });
  });

  test('curvature through training: tracked eigenvalues with their overlaps', async () => {
    assert.ok(await page.locator('#tracks-panel').isVisible());
    const p = await pixels(page, '#tracks');
    assert.ok(p.nonWhite > 0.01 * p.size[0] * p.size[1], '#tracks is blank');
    assert.match(await text(page, '#tracks-legend'), /2\/lr = 100/);
    assert.equal(run.snapshots[0].overlaps[0], null);
    assert.ok(run.snapshots[1].overlaps.every((o) => o.overlap >= 0 && o.overlap <= 1));
    await page.locator('[data-panel="tracks"]').screenshot({ path: path.join(SHOTS, 'panel-tracks.png') });
    assert.deepEqual(problems, []);
  });
});

test('one click shows the Gauss–Newton: its spectrum, named, with the CLI numbers', async () => {
  const { page, problems } = await open(`./?${SMALL}`);
  try {
    await settle(page);
    assert.equal(await text(page, '#h-spectrum'), 'Hessian spectrum');
    await page.click('#switch-operator');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('operator') === 'ggn', null, { timeout: 30_000 });
    await settle(page);
    assert.equal(await text(page, '#h-spectrum'), 'Gauss–Newton spectrum');
    assert.equal(await text(page, '#switch-operator'), 'Show the Hessian');
    const json = (await downloadText(page, '#export-json')).text;
    assert.ok(json === cliRunJson(`${SMALL}&operator=ggn`), 'the Gauss–Newton run.json differs from the CLI');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the Hessian and the Gauss–Newton side by side: the other operator\'s fields under this run\'s', async () => {
  const { page, problems } = await open(`./?${SMALL}`);
  try {
    await settle(page);
    await page.click('#compare-operator');
    await page.waitForFunction(() => !document.getElementById('fields-other-box').hidden, null, { timeout: TIMEOUT_MS });
    assert.equal(await page.locator('#fields-other canvas.field').count(), 3);
    const p = await pixels(page, '#fields-other canvas.field');
    assert.ok(p.nonWhite > 0.5 * p.size[0] * p.size[1], 'the Gauss–Newton field is blank');
    // Its captions are the Gauss–Newton run's eigenvalues, as the CLI computes them.
    const cli = JSON.parse(cliRunJson(`${SMALL}&operator=ggn`));
    const caption = await page.locator('#fields-other figcaption').first().textContent();
    assert.equal(caption, `A₁ · λ₁ = ${Number(cli.hessian.eigenvalues[0].toPrecision(3))}`);
    assert.match(await text(page, '#fields-other-title'), /Gauss–Newton \(operator=ggn\)/);
    await page.locator('[data-panel="alignment"]').screenshot({ path: path.join(SHOTS, 'panel-alignment-ggn.png') });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
