// Smoke test of the page in headless Chromium (Debian's, through playwright-core: no browser download).
// Run by `cargo xtask test`, which serves the page on a free port and sets:
//   HB_BASE_URL       e.g. http://127.0.0.1:PORT/
//   HB_CHROMIUM       the Chromium binary (/usr/bin/chromium)
//   HB_SCREENSHOTS    where to save screenshots (target/screenshots)
//   HB_CRATE_VERSION  the crate version from Cargo.toml
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these checks with \`cargo xtask test\``);
  return value;
};

const BASE = env('HB_BASE_URL');
const SHOTS = env('HB_SCREENSHOTS');
/** How long a page may take to load the module and finish its tiny default run. */
const TIMEOUT_MS = 120_000;

let browser;
let profile;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(path.join(tmpdir(), 'hb-chromium-'));
  // A persistent context gives Chromium a fresh profile dir of ours; the flags keep it off the network.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: env('HB_CHROMIUM'),
    headless: true,
    chromiumSandbox: false,
    viewport: { width: 900, height: 600 },
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/**
 * Opens the page at `search`, waits until it settles (data-state done or error), saves a screenshot, and
 * returns what it shows plus every console error, uncaught exception and failed request along the way.
 */
async function load(search, shot) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  try {
    const response = await page.goto(new URL(search, BASE).href);
    assert.equal(response.status(), 200);
    // First the module (or a failure to load it), then the run's end.
    await page.waitForFunction(
      () => /module loaded/.test(document.getElementById('status').textContent) || document.body.dataset.state === 'error',
      null,
      { timeout: TIMEOUT_MS },
    );
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {
      timeout: TIMEOUT_MS,
    });
  } finally {
    await page.screenshot({ path: path.join(SHOTS, shot), fullPage: true }).catch(() => {});
  }
  const text = (id) => page.locator(`#${id}`).textContent();
  const shown = {
    state: await page.evaluate(() => document.body.dataset.state),
    status: await text('status'),
    error: (await page.locator('#error').isVisible()) ? await text('error') : null,
    trainAccuracy: await text('train-accuracy'),
    testAccuracy: await text('test-accuracy'),
    trainLoss: await text('train-loss'),
    problems,
  };
  await page.close();
  return shown;
}

describe('the page with its default config', () => {
  let shown;
  before(async () => {
    shown = await load('./', 'default.png');
  });

  test('loads the wasm module in its worker, with no console errors', () => {
    assert.equal(shown.status, `module loaded (version ${env('HB_CRATE_VERSION')})`);
    assert.deepEqual(shown.problems, []);
  });

  test('shows the run: train and test accuracy and the final loss', () => {
    assert.equal(shown.error, null, `the default run failed with: ${shown.error}`);
    assert.equal(shown.state, 'done');
    assert.match(shown.trainAccuracy, /^\d+\.\d %$/);
    assert.match(shown.testAccuracy, /^(\d+\.\d %|—)$/);
    assert.match(shown.trainLoss, /^\d/);
  });
});

test('a bad config in the URL shows the error message, not a crash', async () => {
  const shown = await load('./?dataset=no-such-dataset&layers=16', 'bad-config.png');
  assert.equal(shown.state, 'error');
  assert.match(shown.error, /dataset/);
  assert.deepEqual(shown.problems, []);
});
