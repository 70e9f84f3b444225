// The browser benchmark (issue 6), run by `cargo xtask bench` (not by `cargo xtask test`): in headless
// Chromium (Debian's, through playwright-core) it
//  1. runs each workload of src/bench.rs in the wasm build, in a fresh module Web Worker per workload (as
//     the page computes), with performance.now() as the clock: one JSON line per workload, `"env": "wasm"`;
//  2. loads the page on the default config (the paper's setting) and times, from navigation start,
//     the first contentful paint, the first frame of the running page (the first animation frame after
//     it switched to `running`: panels laid out, data and the live boundary drawn, training under way) and
//     the complete picture (state `done` and every chart canvas and alignment field drawn); then reads
//     the tab's memory: RSS and peak RSS (VmHWM) of Chromium's renderer processes from /proc, and
//     the main thread's JS heap (CDP Performance.getMetrics). One JSON line, `"env": "page"`, measured with
//     the page's pool of workers (`workers`: how many, one per core) and with `one_worker`: the same timings
//     of the page forced to one worker (`workers=1`, www/pool.js). Both carry `stages_s`: the seconds of
//     training, spectrum, analyses (all but G), fields and others (with a pool: the fields' time in the
//     pool and the other analyses' meanwhile), generalization (G over all p and the self-test).
//  3. with `pages` in HB_BENCH (e.g. ["dataset=digits&layers=300,300&epochs=50"]), each such query in the
//     page with the pool: one JSON line each, `"env": "page-query"`, with the same timings and stages, and
//     `error` (the page's message, or null) where the run stopped.
// Environment:
//   HB_BASE_URL   the served page, e.g. http://127.0.0.1:PORT/ (index.html, www/, pkg/)
//   HB_CHROMIUM   the Chromium binary
//   HB_BENCH      JSON options: {"workloads": [...], "repeats": 5, "quick": false, "denseMaxP": 0, "e2e": true,
//                 "pages": []}
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { launch } from './chromium.mjs';
import { required } from './env.mjs';

const env = required('the benchmark with `cargo xtask bench`');
const BASE = env('HB_BASE_URL');
const opts = {
  workloads: ['gaussian', 'iris', 'digits'],
  repeats: 5,
  quick: false,
  denseMaxP: 0,
  e2e: true,
  pages: [],
  ...JSON.parse(process.env.HB_BENCH ?? '{}'),
};
const log = (msg) => process.stderr.write(`browser: ${msg}\n`);
/** A page's run must finish within this. */
const TIMEOUT_MS = 600_000;

const { context, profile } = await launch(env('HB_CHROMIUM'));

try {
  for (const page of context.pages()) await page.close();
  // The page first, so the renderer's peak memory is the page's own, not the kernels'.
  if (opts.e2e) await endToEnd();
  for (const query of opts.pages) {
    log(`page: ${query}`);
    const { page, timing } = await openPage(`?${query}`);
    process.stdout.write(`${JSON.stringify({ env: 'page-query', query, ...timing })}\n`);
    await page.close();
  }
  await kernels();
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

/** Every workload in the wasm build, each in a fresh module worker (fresh linear memory). */
async function kernels() {
  const page = await context.newPage();
  page.on('console', (m) => log(`console: ${m.text()}`));
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  // Any page of the server's origin hosts the workers; the module's own JS is the smallest one.
  await page.goto(new URL('pkg/hessian_boundary.js', BASE).href);
  await page.exposeFunction('hbProgress', (line) => log(line));
  for (const workload of opts.workloads) {
    const line = await page.evaluate(
      ({ base, workload, repeats, quick, denseMaxP }) =>
        new Promise((resolve, reject) => {
          const src = `import init, { bench } from '${base}pkg/hessian_boundary.js';
            self.onmessage = async ({ data }) => {
              try {
                await init();
                const line = bench(data.workload, data.repeats, data.quick, data.denseMaxP,
                  (msg) => self.postMessage({ progress: msg }));
                self.postMessage({ line });
              } catch (e) {
                self.postMessage({ error: String(e && e.message || e) });
              }
            };`;
          const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
          const worker = new Worker(url, { type: 'module' });
          worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
          worker.onmessage = ({ data }) => {
            if (data.progress) window.hbProgress(data.progress);
            else {
              worker.terminate();
              URL.revokeObjectURL(url);
              if (data.error) reject(new Error(data.error));
              else resolve(data.line);
            }
          };
          worker.postMessage({ workload, repeats, quick, denseMaxP });
        }),
      { base: BASE, workload, ...opts },
    );
    const measured = JSON.parse(line);
    process.stdout.write(`${JSON.stringify({ env: 'wasm', ...measured })}\n`);
  }
  await page.close();
}

/**
 * Opens the page at `search` and waits for the complete picture and the end of the run; returns the page
 * and its timings (ms from navigation start), with `workers`, each stage's seconds (`stages_s`) and `error`
 * (the page's message if it stopped with one, else null).
 */
async function openPage(search) {
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.addInitScript(() => {
    const t = (window.__hbBench = { states: {} });
    const charts = ['eigenvalues', 'density', 'matrix', 'margin', 'colorbar'];
    // The picture is complete before G over all p: only the matrix chart (its title has G) waits for it.
    const complete = () => {
      const state = document.body?.dataset.state;
      if (state !== 'generalizing' && state !== 'done') return false;
      const drawn = charts.every((id) => {
        const c = document.getElementById(id);
        if (id === 'matrix' && state === 'generalizing') return true;
        // A hidden panel (the margin for 1-D data) is not part of the picture.
        return !c || c.offsetParent === null || c.dataset.drawn === '1';
      });
      return drawn && document.querySelectorAll('#fields canvas').length > 0;
    };
    const observe = () => {
      new MutationObserver(() => {
        const state = document.body.dataset.state;
        if (state && t.states[state] === undefined) {
          t.states[state] = performance.now();
          if (state === 'running') requestAnimationFrame(() => (t.firstFrame ??= performance.now()));
        }
        if (t.complete === undefined && complete()) {
          // The frame that shows it.
          t.complete = -1;
          requestAnimationFrame(() => (t.complete = performance.now()));
        }
      }).observe(document, { subtree: true, attributes: true, childList: true });
    };
    if (document.body) observe();
    else document.addEventListener('DOMContentLoaded', observe);
  });
  await page.goto(new URL(search, BASE).href);
  await page.waitForFunction(
    () => ((window.__hbBench?.complete ?? -1) > 0 && document.body.dataset.state === 'done') || document.body.dataset.state === 'error',
    null,
    { timeout: TIMEOUT_MS, polling: 100 },
  );
  const t = await page.evaluate(() => {
    const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
    const nav = performance.getEntriesByType('navigation')[0];
    const stages = Object.fromEntries(Object.entries(document.getElementById('m-time').dataset).filter(([, v]) => v !== '').map(([k, v]) => [k, Number(v)]));
    const workers = Number(document.getElementById('m-workers').textContent.match(/^\d+/)?.[0]);
    return { ...window.__hbBench, paint, stages, workers, domContentLoaded: nav?.domContentLoadedEventEnd, load: nav?.loadEventEnd, state: document.body.dataset.state, error: document.getElementById('error').textContent };
  });
  const ms = (v) => (v === undefined ? null : Math.round(v));
  const timing = {
    workers: t.workers,
    first_contentful_paint_ms: ms(t.paint['first-contentful-paint']),
    load_ms: ms(t.load),
    running_ms: ms(t.states.running),
    first_frame_ms: ms(t.firstFrame),
    analysing_ms: ms(t.states.analysing),
    generalizing_ms: ms(t.states.generalizing),
    done_ms: ms(t.states.done),
    complete_ms: ms(t.complete),
    stages_s: t.stages,
    error: t.state === 'error' ? t.error : null,
  };
  return { page, timing };
}

/** The page on the default config: first frame, complete picture, tab memory; with the pool, then with one worker. */
async function endToEnd() {
  log("page: default config (the paper's setting) from navigation to complete picture, with the pool");
  const { page, timing } = await openPage('./');
  if (timing.error) throw new Error(`the page stopped with an error: ${timing.error}`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const memory = rendererMemory();
  // The perturbation explorer: t dragged every animation frame for 3 s; the boundary redraws once per
  // reply from the worker (latest wins), so the rate is replies per second.
  const explorer = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const slider = document.getElementById('explore-t');
        const first = Number(document.body.dataset.perturbed ?? 0);
        const t0 = performance.now();
        let i = 0;
        const frame = () => {
          const now = performance.now();
          if (now - t0 >= 3000) {
            resolve(((Number(document.body.dataset.perturbed) - first) * 1000) / (now - t0));
            return;
          }
          slider.value = String(Math.round(100 * Math.sin(i++ / 10)));
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
  );
  await page.close();
  log('page: default config with one worker (workers=1)');
  const one = await openPage('./?workers=1');
  await one.page.close();
  if (one.timing.error) throw new Error(`the page with one worker stopped with an error: ${one.timing.error}`);
  process.stdout.write(
    `${JSON.stringify({
      env: 'page',
      query: 'default (the paper\'s gaussian setting)',
      ...timing,
      tab_rss_mb: memory.rss,
      tab_peak_rss_mb: memory.peak,
      renderers: memory.count,
      chromium_rss_mb: memory.all,
      js_heap_used_mb: metrics.JSHeapUsedSize / 2 ** 20,
      js_heap_total_mb: metrics.JSHeapTotalSize / 2 ** 20,
      explorer_redraws_per_s: explorer,
      one_worker: one.timing,
    })}\n`,
  );
}

/**
 * Memory (MB) of our Chromium (the processes started with our profile dir): RSS and peak RSS (VmHWM)
 * of the tab's renderer process, taken as the largest renderer (the others are Chromium's spare or
 * WebUI renderers; all are logged), and the RSS of all its processes.
 */
function rendererMemory() {
  const renderers = [];
  let all = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Chromium rewrites its children's process titles (one string, spaces for NULs): match substrings.
      const cmdline = `${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')} `;
      if (!cmdline.includes(`--user-data-dir=${profile} `)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const mb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1] ?? 0) / 1024;
      all += mb('VmRSS');
      if (cmdline.includes('--type=renderer')) {
        const kind = cmdline.includes('--top-chrome-webui') ? 'webui' : cmdline.includes('--extension-process') ? 'extension' : 'page';
        renderers.push({ pid: Number(pid), kind, rss: mb('VmRSS'), peak: mb('VmHWM') });
      }
    } catch {
      // gone meanwhile
    }
  }
  for (const r of renderers) log(`renderer ${r.pid} (${r.kind}): RSS ${r.rss.toFixed(0)} MB, peak ${r.peak.toFixed(0)} MB`);
  const tab = renderers.filter((r) => r.kind === 'page').sort((a, b) => b.peak - a.peak)[0];
  return { rss: tab?.rss ?? null, peak: tab?.peak ?? null, count: renderers.length, all };
}
