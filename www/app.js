// The page: settings, the URL, and drawing. All computing happens in www/worker.js (the wasm core);
// this thread only handles input and draws what the worker sends (RGBA fields blitted through
// ImageData, chart bitmaps drawn by src/render in the worker, and a few light canvas overlays).
//
// Safety: nothing from the URL, a CSV file or the worker is ever inserted as HTML — text goes through
// textContent (or form values), attributes through setAttribute with values we build ourselves.

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// The URL: config keys plus two page keys (`embed`, `panels`) that are not part of the config.

const PAGE_KEYS = new Set(['embed', 'panels']);
const ALL_PANELS = ['boundary', 'training', 'metrics', 'alignment', 'spectrum', 'matrix', 'margin', 'regimes'];
const DEFAULT_EMBED_PANELS = 'boundary,alignment,spectrum';

/** Splits a search string into the config's part (raw, as given) and the page keys. */
function splitSearch(search) {
  const config = [];
  const page = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    let key;
    try {
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ')).trim();
    } catch {
      key = null;
    }
    if (key !== null && PAGE_KEYS.has(key)) {
      let value = eq < 0 ? '' : pair.slice(eq + 1);
      try {
        value = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        value = '';
      }
      page[key] = value;
    } else {
      config.push(pair);
    }
  }
  return { config: config.join('&'), page };
}

const initial = splitSearch(location.search);
const embed = initial.page.embed === '1' || initial.page.embed === 'true';
const embedPanels = (initial.page.panels ?? DEFAULT_EMBED_PANELS)
  .split(',')
  .map((p) => p.trim())
  .filter((p) => ALL_PANELS.includes(p));

function pageSuffix() {
  if (!embed) return '';
  return `&embed=1&panels=${embedPanels.join(',')}`;
}

// ---------------------------------------------------------------------------------------------
// Presets: the paper's figures.

const PRESETS = [
  { name: "Gaussian mixture (the paper's main setting)", query: '' },
  { name: 'Gaussian, during training (snapshots)', query: 'snap=250' },
  { name: '1-D toy (λ₁ ≈ 11, boundary points ≈ 0.75 and 1.34)', query: 'dataset=line1d&train=1&layers=10&lr=0.002&batch=6&epochs=45000' },
  { name: 'Gaussian, random labels', query: 'regime=random-labels&epochs=3000' },
  { name: 'Gaussian, adversarial initialization', query: 'regime=adversarial' },
  { name: 'Gaussian, large-norm initialization', query: 'regime=large-norm' },
  { name: 'Hierarchical (4 classes)', query: 'dataset=hierarchical' },
  { name: 'Checkerboard (normal)', query: 'dataset=checker' },
  { name: 'Checkerboard, wide margin (pre-trained on noisy)', query: 'dataset=checker&pretrain=checker-noisy' },
  { name: 'Circles', query: 'dataset=circles' },
  { name: 'Moons', query: 'dataset=moons' },
  { name: 'Iris (4-D, shown on 2 principal components)', query: 'dataset=iris&train=0.8&layers=50,50&lr=0.01&batch=120&epochs=1000' },
  { name: 'Digits {0, 1, 7} (64-D)', query: 'dataset=digits&classes=0,1,7&train=0.8&layers=50,50&lr=0.01&epochs=300' },
  { name: 'Quick demo (moons, small net)', query: 'dataset=moons&layers=16,16&epochs=200&k=3&grid=32' },
];

/** A query's pairs other than v, as a sorted string, for comparing presets with canonical queries. */
function pairsKey(query) {
  const p = new URLSearchParams(query);
  p.delete('v');
  return [...p.entries()].map(([k, v]) => `${k}=${v}`).sort().join('&');
}

// ---------------------------------------------------------------------------------------------
// Formatting

const MINUS = '−';
function num(x, digits = 3) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  let s;
  if (a >= 1e-3 && a < 1e4) {
    s = x.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(a))));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  else {
    const [m, e] = x.toExponential(digits - 1).split('e');
    const mantissa = m.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    s = `${mantissa}×10${superscript(Number(e))}`;
  }
  return s.replace(/-/g, MINUS);
}
const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const superscript = (e) => (e < 0 ? '⁻' : '') + String(Math.abs(e)).replace(/\d/g, (d) => SUPERSCRIPTS[d]);
const percent = (x) => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '—');
function duration(s) {
  if (!Number.isFinite(s)) return '';
  if (s < 1) return 'under a second';
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const sub = (i) => String(i).replace(/\d/g, (d) => SUBSCRIPTS[d]);

/** Okabe–Ito class colours, the same as src/render/color.rs. */
const CLASS_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#f0e442'];
const classColor = (c) => CLASS_COLORS[c % CLASS_COLORS.length];
const INK = '#222222';

// ---------------------------------------------------------------------------------------------
// State

let modulePromise = null;
let specs = null; // [{key, default, allowed}]
let worker = null;
let generation = 0;
let csvText = null;
let csvName = null;

/** Everything about the current run. */
let run = null;

function freshRun(query) {
  return {
    query,
    info: null,
    history: [],
    epoch: 0,
    total: 0,
    done: false,
    stage: 'starting',
    field: null, // {rgba, classes, width, height}
    analysed: null,
    startedAt: performance.now(),
    trainStartedAt: null,
    trainSeconds: null,
    pendingStep: false,
  };
}

let playing = true;

function setState(state) {
  document.body.dataset.state = state;
}

function setStatus(text) {
  $('status').textContent = text;
}

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

// ---------------------------------------------------------------------------------------------
// The worker

async function compileModule() {
  try {
    return await WebAssembly.compileStreaming(fetch(new URL('../pkg/hessian_boundary_bg.wasm', import.meta.url)));
  } catch {
    return null; // the worker then loads the module itself and reports any failure
  }
}

/** Starts `query` (raw, as typed or linked) in a fresh worker; the old worker and its run are dropped. */
async function start(query, { fromUrl = false } = {}) {
  generation += 1;
  const gen = generation;
  if (worker) worker.terminate();
  worker = null;
  run = freshRun(query);
  run.fromUrl = fromUrl;
  clearError();
  clearResults();
  setState('loading');
  setStatus('Starting…');
  updateProgress();
  modulePromise ??= compileModule();
  const module = await modulePromise;
  if (gen !== generation) return;
  const w = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
  worker = w;
  w.onmessage = ({ data }) => {
    if (gen === generation) onWorkerMessage(data);
  };
  w.onerror = (event) => {
    event.preventDefault();
    if (gen !== generation) return;
    fail(`The computation could not run: ${event.message || 'the worker could not be started (is pkg/ built? run "cargo xtask serve")'}`);
  };
  w.postMessage({ type: 'init', module });
  w.postMessage({ type: 'start', query, csv: csvText ?? undefined });
}

function send(message) {
  worker?.postMessage(message);
}

function requestStep(epochs) {
  if (!run || run.done || run.pendingStep || run.stage !== 'training') return;
  run.pendingStep = true;
  if (epochs) send({ type: 'step', epochs });
  else if (Number.isFinite(speed)) send({ type: 'step', epochs: speed, field: true });
  else send({ type: 'step', budgetMs: 80 });
}

/** The next slice: at once when running at full speed, else on the next animation frame. */
function nextStep() {
  if (!Number.isFinite(speed)) {
    requestStep();
    return;
  }
  const r = run;
  requestAnimationFrame(() => r === run && playing && requestStep());
}

function fail(message) {
  showError(message);
  setState('error');
  if (run) run.stage = 'error';
  setStatus('Stopped.');
  updateButtons();
}

function onWorkerMessage(msg) {
  switch (msg.type) {
    case 'ready':
      if (!specs) {
        specs = msg.specs;
        buildForm();
      }
      document.body.dataset.version = msg.version;
      break;
    case 'started':
      onStarted(msg);
      break;
    case 'failed':
      if (msg.query !== undefined) applyQuery(msg.query, msg.notices);
      fail(
        csvText === null && /dataset=csv needs CSV data/.test(msg.message)
          ? `${msg.message}: this link runs on a CSV file of its own. Pick it under Data (or drop it on the page).`
          : msg.message,
      );
      break;
    case 'progress':
      onProgress(msg);
      break;
    case 'stage':
      run.stage = msg.stage;
      setStatus(
        {
          spectrum: 'Computing the Hessian spectrum (Lanczos, trace, density)…',
          analysis: 'Computing the alignment fields, G and the margin…',
          export: 'Writing run.json…',
        }[msg.stage] ?? '',
      );
      updateProgress();
      break;
    case 'analysed':
      onAnalysed(msg);
      break;
    case 'snapshot':
      onSnapshot(msg);
      break;
    case 'charts':
      if (msg.purpose === 'export') {
        const c = msg.charts[0];
        if (c?.bitmap) savePng('alignment', c.bitmap);
        else if (c?.error) showError(c.error);
      } else onCharts(msg.charts, msg.snapshot);
      break;
    case 'csv':
      download('data.csv', new Blob([msg.text], { type: 'text/csv' }));
      break;
  }
}

/** Puts the canonical query in the URL and the form, and lists the dropped keys if any. */
function applyQuery(query, notices) {
  run.query = query;
  history.replaceState(null, '', `?${query}${pageSuffix()}`);
  $('query').textContent = query;
  fillForm(query);
  showNotices(notices ?? []);
  updateEmbedSnippet();
  if (embed) $('open-full').href = new URL(`?${query}`, location.href).href;
}

/** Height / width of a picture of the plane: the data's own aspect, within limits; a strip for 1-D. */
function planeAspect(plane, oneD) {
  if (oneD) return 0.45;
  const a = (plane.w_range[1] - plane.w_range[0]) / (plane.u_range[1] - plane.u_range[0]);
  return Math.min(1.15, Math.max(0.55, a));
}

function onStarted(msg) {
  applyQuery(msg.query, msg.notices);
  run.info = msg.info;
  // Plot box (with room for the axes) follows the data's aspect, so little space is wasted.
  const aspect = planeAspect(msg.info.plane, msg.info.dim === 1);
  // Two rows tall only when the picture is about square: a wide one would leave the panel half empty.
  document.querySelector('[data-panel="boundary"]').classList.toggle('tall', msg.info.dim !== 1 && aspect >= 0.8);
  $('margin').parentElement.hidden = msg.info.dim === 1;
  $('boundary').parentElement.style.aspectRatio = `${1 / aspect}`;
  $('margin').parentElement.style.aspectRatio = `${1 / Math.max(aspect, 0.75)}`;
  run.total = msg.info.total_epochs;
  run.stage = 'training';
  run.trainStartedAt = performance.now();
  setState('running');
  $('m-params').textContent = msg.info.params.toLocaleString('en');
  drawBoundary();
  drawCurves();
  updateProgress();
  updateButtons();
  if (run.total === 0) requestStep(1);
  else if (playing) requestStep();
  else setStatus(`Paused before epoch 1 of ${run.total}.`);
}

function onProgress(msg) {
  run.pendingStep = false;
  run.epoch = msg.epoch;
  run.total = msg.total;
  run.msPerEpoch = msg.msPerEpoch;
  run.history.push(...msg.history);
  if (msg.field) {
    const { width, height } = run.info.plane;
    run.field = { rgba: msg.field, classes: msg.classes, segments: msg.segments, width, height };
  }
  scheduleDraw();
  if (msg.done) {
    run.done = true;
    run.trainSeconds = (performance.now() - run.trainStartedAt) / 1000;
    run.stage = 'spectrum';
    setState('analysing');
    setStatus('Training done. Computing the Hessian spectrum…');
    send({ type: 'analyse' });
  } else if (playing) {
    nextStep();
  }
  updateProgress();
  updateButtons();
}

function onAnalysed(msg) {
  run.analysed = msg;
  run.stage = 'done';
  const s = msg.summary;
  msg.final = {
    index: null,
    epoch: run.epoch,
    eigenvalues: s.hessian?.eigenvalues ?? [],
    fields: msg.fields,
    values: s.alignment?.fields ?? [],
    predicted: s.alignment?.predicted,
    overlay: msg.overlay,
  };
  run.view = msg.final;
  setupTimeline(s);
  fillMetrics(s, msg.seconds);
  drawBoundary();
  drawCurves();
  buildFields();
  requestCharts();
  $('export-json').disabled = false;
  $('export-csv').disabled = false;
  setStatus(`Done in ${duration(msg.seconds.total)}: trained ${s.metrics.epochs} epochs, then the top ${s.hessian?.eigenvalues.length ?? 0} Hessian eigenpairs and their alignment.`);
  updateProgress();
  updateButtons();
  setState('done');
  if (embed && embedPanels.includes('regimes')) compareRegimes();
}

// ---------------------------------------------------------------------------------------------
// Progress, buttons

function updateProgress() {
  const bar = $('progress');
  if (!run) return;
  const frac = run.total > 0 ? run.epoch / run.total : run.done ? 1 : 0;
  const stages = { starting: 0, training: 0, spectrum: 0.9, analysis: 0.95, export: 0.99, done: 1, error: null };
  let value = stages[run.stage] ?? 0;
  if (run.stage === 'training') value = 0.9 * frac;
  if (value === null) return;
  bar.value = value;
  if (run.stage === 'training') {
    const perEpoch = Math.max(run.msPerEpoch ?? NaN, Number.isFinite(speed) ? 1000 / 60 / speed : 0);
    const left = ((run.total - run.epoch) * perEpoch) / 1000;
    const eta = Number.isFinite(left) && run.epoch > 0 ? ` · about ${duration(left)} left` : '';
    setStatus(
      playing
        ? `Training: epoch ${run.epoch.toLocaleString('en')} of ${run.total.toLocaleString('en')}${eta}`
        : `Paused at epoch ${run.epoch.toLocaleString('en')} of ${run.total.toLocaleString('en')}.`,
    );
  }
}

function updateButtons() {
  const training = run?.stage === 'training' && !run.done;
  $('compare').disabled = !run?.info || run.stage === 'error' || Boolean(compareWorker);
  $('play').disabled = !training;
  $('step').disabled = !training || playing;
  $('play').textContent = playing ? 'Pause' : 'Resume';
  $('play').setAttribute('aria-pressed', String(playing));
}

$('play').addEventListener('click', () => {
  playing = !playing;
  updateButtons();
  updateProgress();
  if (playing) requestStep();
});

$('step').addEventListener('click', () => {
  if (!run || playing) return;
  requestStep(Math.max(1, Math.round(run.total / 100)));
});

/** Training speed: epochs per animation frame; Infinity trains as much as fits in a time slice. Only pacing: the same epochs run either way. */
const SPEEDS = [1, 2, 5, 10, 20, 50, 100, Infinity];
let speed = Infinity;

$('speed').addEventListener('input', () => {
  speed = SPEEDS[Number($('speed').value)] ?? Infinity;
  const label = Number.isFinite(speed) ? `${speed} epoch${speed === 1 ? '' : 's'} per frame` : 'fastest';
  $('speed-value').textContent = label;
  $('speed').setAttribute('aria-valuetext', label);
  updateProgress();
});

// ---------------------------------------------------------------------------------------------
// The form

const controls = () => [...$('controls').querySelectorAll('[name]')];
const specOf = (key) => specs?.find((s) => s.key === key);
const OPTIONAL = new Set(['n', 'noise', 'classes']); // "default" shows as an empty box

function optionsOf(allowed) {
  const m = /^(none, or )?one of (.*)$/.exec(allowed);
  if (!m) return null;
  const names = m[2].split(',').map((s) => s.trim());
  return m[1] ? ['none', ...names] : names;
}

function buildForm() {
  for (const el of controls()) {
    const spec = specOf(el.name);
    if (!spec) continue;
    if (el.tagName === 'SELECT') {
      for (const name of optionsOf(spec.allowed) ?? []) {
        const option = document.createElement('option');
        option.value = name;
        option.textContent = name;
        el.append(option);
      }
    }
    el.title = `${el.name}: ${spec.allowed} (default ${spec.default})`;
    if (el.tagName === 'INPUT' && el.type !== 'checkbox' && !OPTIONAL.has(el.name)) el.placeholder = spec.default;
  }
  const preset = $('preset');
  for (const [i, p] of PRESETS.entries()) {
    const option = document.createElement('option');
    option.value = String(i);
    option.textContent = p.name;
    preset.append(option);
  }
  const custom = document.createElement('option');
  custom.value = 'custom';
  custom.textContent = 'Custom settings';
  preset.append(custom);
}

function fillForm(query) {
  if (!specs) return;
  const p = new URLSearchParams(query);
  for (const el of controls()) {
    const spec = specOf(el.name);
    if (!spec) continue;
    const value = p.has(el.name) ? p.get(el.name) : spec.default;
    if (el.type === 'checkbox') el.checked = value === '1' || value === 'true';
    else if (OPTIONAL.has(el.name) && value === 'default') el.value = '';
    else if (el.name === 'layers' && value === '') el.value = 'none';
    else el.value = value;
  }
  const key = pairsKey(query);
  const i = PRESETS.findIndex((preset) => pairsKey(preset.query) === key);
  $('preset').value = i >= 0 ? String(i) : 'custom';
}

function queryFromForm() {
  const pairs = [];
  for (const el of controls()) {
    const spec = specOf(el.name);
    if (!spec) continue;
    let value = el.type === 'checkbox' ? (el.checked ? '1' : '0') : el.value.trim();
    if (OPTIONAL.has(el.name) && value === '') value = 'default';
    if (el.type === 'checkbox' && value === '0' && (spec.default === 'false' || spec.default === '0')) continue;
    if (value !== spec.default) pairs.push(`${encodeURIComponent(el.name)}=${encodeURIComponent(value)}`);
  }
  return pairs.join('&');
}

$('controls').addEventListener('change', (event) => {
  if (event.target.id === 'preset') {
    const p = PRESETS[Number(event.target.value)];
    if (p) start(p.query);
    return;
  }
  if (event.target.id === 'csv-file') {
    const file = event.target.files?.[0];
    if (file) loadCsv(file);
    return;
  }
  if (event.target.closest('#embed-box')) {
    updateEmbedSnippet();
    return;
  }
  if (event.target.name) start(queryFromForm());
});
$('controls').addEventListener('submit', (event) => event.preventDefault());

$('reset').addEventListener('click', () => start(''));

// ---------------------------------------------------------------------------------------------
// Notices for bad keys in a link

function showNotices(notices) {
  const list = $('notice-list');
  list.replaceChildren();
  for (const n of notices) {
    const li = document.createElement('li');
    const key = document.createElement('code');
    key.textContent = n.key;
    const used = n.used === null || n.used === undefined ? 'ignored' : `used ${n.used === '' ? '(empty)' : n.used} instead`;
    li.append(key, document.createTextNode(` — ${n.message}. ${used[0].toUpperCase()}${used.slice(1)}.`));
    list.append(li);
  }
  $('notice').hidden = notices.length === 0;
}
$('notice-close').addEventListener('click', () => {
  $('notice').hidden = true;
});

// ---------------------------------------------------------------------------------------------
// CSV upload: file picker or drag and drop anywhere on the page

const MAX_CSV_BYTES = 20 * 1024 * 1024;

async function loadCsv(file) {
  if (file.size > MAX_CSV_BYTES) {
    showError(`bad data: ${file.name} is ${(file.size / 1048576).toFixed(1)} MiB; files up to 20 MiB are read`);
    return;
  }
  let text;
  try {
    text = await file.text();
  } catch (e) {
    showError(`bad data: could not read ${file.name}: ${e.message}`);
    return;
  }
  csvText = text;
  csvName = file.name;
  $('csv-name').textContent = `Using ${file.name} (${text.length.toLocaleString('en')} characters). A link cannot carry the file: share it alongside.`;
  $('csv-name').hidden = false;
  const p = new URLSearchParams(queryFromForm());
  p.set('dataset', 'csv');
  start(p.toString());
}

document.addEventListener('dragover', (event) => {
  if (embed) return;
  event.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (event.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  if (embed) return;
  event.preventDefault();
  document.body.classList.remove('dragging');
  const file = event.dataTransfer?.files?.[0];
  if (file) loadCsv(file);
});

// ---------------------------------------------------------------------------------------------
// Share link, embed snippet, exports

$('copy-link').addEventListener('click', async () => {
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    $('copy-status').textContent = 'Link copied. It reproduces this run exactly.';
  } catch {
    $('copy-status').textContent = `Copy this link: ${url}`;
  }
});

function embedUrl() {
  const panels = $('embed-panels')
    .value.split(',')
    .map((p) => p.trim())
    .filter((p) => ALL_PANELS.includes(p));
  const base = new URL(location.pathname, location.href);
  return `${base.href}?${run?.query ?? 'v=1'}&embed=1&panels=${(panels.length ? panels : DEFAULT_EMBED_PANELS.split(',')).join(',')}`;
}

function updateEmbedSnippet() {
  if (embed) return;
  $('embed-snippet').value =
    `<iframe src="${embedUrl().replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" width="100%" height="640" ` +
    'style="border:0" loading="lazy" title="Hessian eigenvectors and the decision boundary"></iframe>';
}

$('embed-button').addEventListener('click', () => {
  const box = $('embed-box');
  box.hidden = !box.hidden;
  $('embed-button').setAttribute('aria-expanded', String(!box.hidden));
  updateEmbedSnippet();
  if (!box.hidden) $('embed-snippet').select();
});

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

$('export-json').addEventListener('click', () => {
  if (run?.analysed) download('run.json', new Blob([run.analysed.json], { type: 'application/json' }));
});
$('export-csv').addEventListener('click', () => send({ type: 'csv' }));

for (const button of document.querySelectorAll('button.png')) {
  button.addEventListener('click', () => exportPanel(button.dataset.png));
}

/** The alignment fields for a PNG: src/render's small multiples with their colour bar, as the CLI draws them. */
function exportFields() {
  const a = run?.analysed;
  const k = a?.summary.alignment?.fields.length ?? 0;
  if (k === 0 || run.info.dim === 1) return false;
  const cols = Math.ceil(k / Math.ceil(k / 5));
  const rows = Math.ceil(k / cols);
  send({ type: 'render', purpose: 'export', charts: [{ name: `fields-${cols}`, width: 2 * (cols * 260 + 90), height: 2 * rows * 290, scale: 2 }] });
  return true;
}

function savePng(name, bitmap) {
  const out = document.createElement('canvas');
  out.width = bitmap.width;
  out.height = bitmap.height;
  out.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  out.toBlob((blob) => blob && download(`${name}.png`, blob), 'image/png');
}

/** One PNG of a panel: its canvases side by side on white, at the device's resolution. */
function exportPanel(name) {
  // A training snapshot's fields exist only on the page: its PNG is the canvases as shown.
  if (name === 'alignment' && run?.view?.index === null && exportFields()) return;
  const panel = document.querySelector(`[data-panel="${name}"]`);
  const canvases = [...panel.querySelectorAll('canvas')].filter((c) => c.width > 1 && c.offsetParent !== null);
  if (canvases.length === 0) return;
  const width = canvases.reduce((w, c) => w + c.width, 0);
  const height = Math.max(...canvases.map((c) => c.height));
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  let x = 0;
  for (const c of canvases) {
    ctx.drawImage(c, x, 0);
    x += c.width;
  }
  out.toBlob((blob) => blob && download(`${name}.png`, blob), 'image/png');
}

// ---------------------------------------------------------------------------------------------
// Canvases: sized to their box × devicePixelRatio, redrawn on resize

const dpr = () => window.devicePixelRatio || 1;

/** Sizes `canvas` to its CSS box at the device's resolution; returns [cssWidth, cssHeight, ratio]. */
function fit(canvas) {
  const r = dpr();
  const w = Math.max(1, canvas.clientWidth);
  const h = Math.max(1, canvas.clientHeight);
  const W = Math.round(w * r);
  const H = Math.round(h * r);
  if (canvas.width !== W || canvas.height !== H) {
    canvas.width = W;
    canvas.height = H;
  }
  return [w, h, r];
}

function context(canvas) {
  const [w, h, r] = fit(canvas);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  return [ctx, w, h];
}

/** An RGBA buffer as a canvas of its own size (the one ImageData blit), to be scaled with drawImage. */
function bitmapOf(rgba, width, height) {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height), 0, 0);
  return c;
}

let drawPending = false;
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    drawBoundary();
    drawCurves();
  });
}

function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push(Math.abs(t) < 1e-12 ? 0 : t);
  return ticks;
}

const FONT = '12px system-ui, sans-serif';

// ---------------------------------------------------------------------------------------------
// The decision-boundary panel (live during training; with the margin estimate after the analysis)

/** The plot's layout in CSS pixels: equal scales on both axes, centred. */
function planeLayout(w, h, plane, oneD) {
  const left = 44;
  const bottom = 30;
  const pad = 8;
  const pw = w - left - 2 * pad;
  const ph = h - bottom - 2 * pad;
  const [u0, u1] = plane.u_range;
  const [w0, w1] = plane.w_range;
  if (oneD) {
    const band = Math.min(ph, 120);
    const y = pad + (ph - band) / 2;
    return { x: left + pad, y, width: pw, height: band, u0, u1, w0: -1, w1: 1, oneD };
  }
  const aspect = (u1 - u0) / (w1 - w0);
  let width = pw;
  let height = pw / aspect;
  if (height > ph) {
    height = ph;
    width = ph * aspect;
  }
  return { x: left + pad + (pw - width) / 2, y: pad + (ph - height) / 2, width, height, u0, u1, w0, w1, oneD };
}

const toX = (L, u) => L.x + ((u - L.u0) / (L.u1 - L.u0)) * L.width;
const toY = (L, w) => L.y + ((L.w1 - w) / (L.w1 - L.w0)) * L.height;

function drawAxes(ctx, L, names) {
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = 1;
  ctx.font = FONT;
  ctx.strokeRect(L.x, L.y, L.width, L.height);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(L.u0, L.u1)) {
    const x = toX(L, t);
    ctx.beginPath();
    ctx.moveTo(x, L.y + L.height);
    ctx.lineTo(x, L.y + L.height + 4);
    ctx.stroke();
    ctx.fillText(num(t), x, L.y + L.height + 6);
  }
  ctx.fillText(names[0], L.x + L.width / 2, L.y + L.height + 17);
  if (L.oneD) return;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(L.w0, L.w1)) {
    const y = toY(L, t);
    ctx.beginPath();
    ctx.moveTo(L.x - 4, y);
    ctx.lineTo(L.x, y);
    ctx.stroke();
    ctx.fillText(num(t), L.x - 6, y);
  }
  ctx.save();
  ctx.translate(12, L.y + L.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(names[1], 0, 0);
  ctx.restore();
}

/** Saves the context and clips drawing to the plot rectangle `R` (undo with `ctx.restore()`). */
function clipTo(ctx, R) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(R.x, R.y, R.width, R.height);
  ctx.clip();
}

/** Draws a field image so that its pixel centres sit on the grid's points (edges at the range's ends). */
function drawField(ctx, L, image, width, height) {
  const du = width > 1 ? (L.u1 - L.u0) / (width - 1) : L.u1 - L.u0;
  clipTo(ctx, L);
  ctx.imageSmoothingEnabled = false;
  const x0 = toX(L, L.u0 - du / 2);
  const x1 = toX(L, L.u1 + du / 2);
  if (L.oneD || height === 1) {
    ctx.drawImage(image, x0, L.y, x1 - x0, L.height);
  } else {
    const dw = (L.w1 - L.w0) / (height - 1);
    const y0 = toY(L, L.w1 + dw / 2);
    const y1 = toY(L, L.w0 - dw / 2);
    ctx.drawImage(image, x0, y0, x1 - x0, y1 - y0);
  }
  ctx.restore();
}

/** Where the points go: 1-D data sits on two rows (training above, test below). */
function pointY(L, xy, test) {
  return L.oneD ? L.y + L.height * (test ? 0.7 : 0.4) : toY(L, xy[1]);
}

function drawPoints(ctx, L, info) {
  const r = 3.5;
  ctx.lineWidth = 1.6;
  info.test.xy.forEach((xy, i) => {
    ctx.strokeStyle = classColor(info.test.y[i]);
    ctx.beginPath();
    ctx.arc(toX(L, xy[0]), pointY(L, xy, true), r, 0, 2 * Math.PI);
    ctx.stroke();
  });
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#ffffff';
  info.train.xy.forEach((xy, i) => {
    ctx.fillStyle = classColor(info.train.y[i]);
    ctx.beginPath();
    ctx.arc(toX(L, xy[0]), pointY(L, xy, false), r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  });
}

function marker(ctx, x, y, kind, size = 7) {
  ctx.beginPath();
  if (kind === 'cross') {
    ctx.arc(x, y, size, 0, 2 * Math.PI);
    ctx.moveTo(x - size * 0.7, y - size * 0.7);
    ctx.lineTo(x + size * 0.7, y + size * 0.7);
    ctx.moveTo(x + size * 0.7, y - size * 0.7);
    ctx.lineTo(x - size * 0.7, y + size * 0.7);
    ctx.stroke();
    return;
  }
  ctx.moveTo(x, y - size);
  ctx.lineTo(x + size * 0.9, y + size * 0.6);
  ctx.lineTo(x - size * 0.9, y + size * 0.6);
  ctx.closePath();
  if (kind === 'filled') ctx.fill();
  ctx.stroke();
}

function drawMarginOverlay(ctx, L, overlay) {
  const at = (p) => [toX(L, p[0]), L.oneD ? L.y + L.height * 0.4 : toY(L, p[1])];
  const [bx, by] = at(overlay.x_b);
  const near = [overlay.x_t_max, overlay.x_t_min]
    .map((p) => ({ p, d: Math.hypot(at(p)[0] - bx, at(p)[1] - by) }))
    .sort((a, b) => a.d - b.d)[0].p;
  const [nx, ny] = at(near);
  ctx.save();
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = 1.6;
  ctx.setLineDash([5, 4]);
  ctx.beginPath();
  ctx.moveTo(bx, by);
  ctx.lineTo(nx, ny);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.lineWidth = 2;
  marker(ctx, ...at(overlay.x_t_max), 'filled', 8);
  ctx.fillStyle = '#ffffff';
  marker(ctx, ...at(overlay.x_t_min), 'filled', 8);
  marker(ctx, bx, by, 'cross', 7);
  ctx.restore();
}

function boundaryImage() {
  const a = run?.analysed;
  const v = run?.view;
  if (a && v?.fields.regions) {
    v.regionsBitmap ??= bitmapOf(v.fields.regions, a.size[0], a.size[1]);
    return [v.regionsBitmap, a.size[0], a.size[1]];
  }
  if (run?.field) {
    run.field.bitmap ??= bitmapOf(run.field.rgba, run.field.width, run.field.height);
    return [run.field.bitmap, run.field.width, run.field.height];
  }
  return null;
}

function drawBoundary() {
  const canvas = $('boundary');
  const [ctx, w, h] = context(canvas);
  const info = run?.info;
  if (!info) return;
  const L = planeLayout(w, h, info.plane, info.dim === 1);
  canvas.layout = L;
  const image = boundaryImage();
  if (image) {
    drawField(ctx, L, ...image);
    const src = boundaryClasses();
    if (src && !L.oneD && src.height > 1) {
      clipTo(ctx, L);
      ctx.strokeStyle = INK;
      ctx.lineWidth = 1.6;
      ctx.lineCap = 'round';
      strokeSegments(ctx, L, src.segments, src.width, src.height);
      ctx.restore();
    }
  }
  drawAxes(ctx, L, info.plane.axes);
  drawPoints(ctx, L, info);
  const a = run.analysed;
  const overlay = run.view?.overlay;
  if (overlay) drawMarginOverlay(ctx, L, overlay);
  // Legend (text only, so it wraps and reads on any width).
  const parts = [];
  for (let c = 0; c < info.classes; c++) parts.push(`class ${c}`);
  const legend = $('boundary-legend');
  legend.replaceChildren();
  for (let c = 0; c < Math.min(info.classes, 10); c++) {
    const swatch = document.createElement('span');
    swatch.className = `swatch c${c % CLASS_COLORS.length}`;
    legend.append(swatch, document.createTextNode(`class ${c}  `));
  }
  legend.append(document.createTextNode(' ● training  ○ test'));
  if (overlay) {
    const m = a.summary.margin;
    legend.append(
      document.createTextNode(
        `  ▲ xₜᵐᵃˣ  △ xₜᵐⁱⁿ (most and least aligned with v₁)  ⊗ x_b (boundary point from v₁); ` +
          `margin: estimate ${num(m.estimate)} (dashed), true ${m.true === null ? 'not found' : num(m.true)}`,
      ),
    );
  }
}

/** The predicted classes behind the boundary picture: the shown model's on the analysis's grid, else the live one. */
function boundaryClasses() {
  const a = run?.analysed;
  const v = run?.view;
  const src = v?.predicted
    ? { classes: v.predicted, segments: v.fields.segments, width: a.size[0], height: a.size[1] }
    : run?.field;
  return src?.classes ? src : null;
}

/** Boundary segments (flat [col, row, col, row, …] in grid pixels, from src/render/contour.rs) on a plot. */
function strokeSegments(ctx, L, segments, width, height) {
  if (!segments) return;
  const X = (col) => toX(L, L.u0 + ((L.u1 - L.u0) * col) / (width - 1));
  const Y = (row) => toY(L, L.w1 - ((L.w1 - L.w0) * row) / (height - 1));
  ctx.beginPath();
  for (let i = 0; i + 3 < segments.length; i += 4) {
    ctx.moveTo(X(segments[i]), Y(segments[i + 1]));
    ctx.lineTo(X(segments[i + 2]), Y(segments[i + 3]));
  }
  ctx.stroke();
}

function classAt(L, px, py) {
  const src = boundaryClasses();
  if (!src) return null;
  const u = L.u0 + ((px - L.x) / L.width) * (L.u1 - L.u0);
  const col = Math.round(((u - L.u0) / (L.u1 - L.u0)) * (src.width - 1));
  let row = 0;
  if (!L.oneD && src.height > 1) {
    const wv = L.w1 - ((py - L.y) / L.height) * (L.w1 - L.w0);
    row = Math.round(((L.w1 - wv) / (L.w1 - L.w0)) * (src.height - 1));
  }
  if (col < 0 || col >= src.width || row < 0 || row >= src.height) return null;
  return src.classes[row * src.width + col];
}

/**
 * Keyboard read-outs: a focusable picture whose arrow keys move a probe over its plot (Shift: in
 * bigger steps) and call `readout` with a pointer-like event at the probe, as hovering does.
 */
function keyboardProbe(canvas, readout, clear) {
  canvas.tabIndex = 0;
  let probe = null;
  const fire = () => {
    const L = canvas.layout;
    if (!L) return;
    const rect = canvas.getBoundingClientRect();
    readout({ clientX: rect.left + L.x + probe[0] * L.width, clientY: rect.top + L.y + probe[1] * L.height });
  };
  canvas.addEventListener('focus', () => {
    probe = [0.5, 0.5];
    fire();
  });
  canvas.addEventListener('blur', clear);
  canvas.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key];
    if (!move || !probe) return;
    event.preventDefault();
    probe = [Math.min(1, Math.max(0, probe[0] + move[0])), Math.min(1, Math.max(0, probe[1] + move[1]))];
    fire();
  });
}

$('boundary').addEventListener('pointermove', (event) => boundaryReadout(event));
keyboardProbe($('boundary'), (event) => boundaryReadout(event), () => {
  $('boundary-readout').textContent = '';
});

function boundaryReadout(event) {
  const canvas = $('boundary');
  const L = canvas.layout;
  if (!L || !run?.info) return;
  const rect = canvas.getBoundingClientRect();
  const px = event.clientX - rect.left;
  const py = event.clientY - rect.top;
  if (px < L.x || px > L.x + L.width || py < L.y || py > L.y + L.height) {
    $('boundary-readout').textContent = '';
    return;
  }
  const u = L.u0 + ((px - L.x) / L.width) * (L.u1 - L.u0);
  const wv = L.w1 - ((py - L.y) / L.height) * (L.w1 - L.w0);
  const names = run.info.plane.axes;
  const c = classAt(L, px, py);
  let text = L.oneD ? `${names[0]} = ${num(u)}` : `${names[0]} = ${num(u)}, ${names[1]} = ${num(wv)}`;
  if (c !== null && c !== undefined) text += ` · predicted class ${c}`;
  // The nearest point within 8 px.
  let best = null;
  for (const [set, test] of [[run.info.train, false], [run.info.test, true]]) {
    set.xy.forEach((xy, i) => {
      const d = Math.hypot(toX(L, xy[0]) - px, pointY(L, xy, test) - py);
      if (d < 8 && (!best || d < best.d)) best = { d, y: set.y[i], test };
    });
  }
  if (best) text += ` · ${best.test ? 'test' : 'training'} point of class ${best.y}`;
  $('boundary-readout').textContent = text;
}
$('boundary').addEventListener('pointerleave', () => {
  $('boundary-readout').textContent = '';
});

// ---------------------------------------------------------------------------------------------
// Training curves: loss (log scale) above, accuracy below

function drawCurves() {
  const canvas = $('curves');
  const [ctx, w, h] = context(canvas);
  const hist = run?.history ?? [];
  const total = Math.max(1, run?.total ?? 1);
  const left = 52;
  const right = 22;
  const gap = 30;
  const top = 22;
  const bottom = 30;
  const ph = (h - top - bottom - gap - 14) / 2;
  const loss = { x: left, y: top, width: w - left - right, height: ph };
  const acc = { x: left, y: top + ph + gap + 14, width: w - left - right, height: ph };
  canvas.layout = { loss, acc, total, x: loss.x, y: loss.y, width: loss.width, height: acc.y + acc.height - loss.y };
  const X = (R, e) => R.x + (e / total) * R.width;
  ctx.font = FONT;
  ctx.fillStyle = INK;
  ctx.strokeStyle = INK;
  ctx.lineWidth = 1;
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  ctx.fillText('training loss', loss.x, loss.y - 4);
  ctx.fillText('accuracy: training —, test - -', acc.x, acc.y - 4);
  ctx.strokeRect(loss.x, loss.y, loss.width, loss.height);
  ctx.strokeRect(acc.x, acc.y, acc.width, acc.height);
  // x ticks under both
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(0, total, 4)) {
    ctx.fillText(num(t), X(acc, t), acc.y + acc.height + 5);
  }
  ctx.fillText('epoch', acc.x + acc.width / 2, acc.y + acc.height + 17);
  // accuracy axis
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of [0, 0.5, 1]) ctx.fillText(`${t * 100} %`, acc.x - 5, acc.y + (1 - t) * acc.height);
  if (hist.length === 0) return;
  // loss axis, log scale
  const losses = hist.map((p) => p.train_loss).filter((v) => v > 0 && Number.isFinite(v));
  let lo = Math.log10(Math.min(...losses));
  let hi = Math.log10(Math.max(...losses));
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  lo = Math.floor(lo * 2) / 2;
  hi = Math.ceil(hi * 2) / 2;
  canvas.layout.lossRange = [lo, hi];
  const LY = (v) => loss.y + ((hi - Math.log10(v)) / (hi - lo)) * loss.height;
  const every = Math.max(1, Math.ceil((Math.floor(hi) - Math.ceil(lo) + 1) / 5));
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) {
    if (e % every !== 0) continue;
    ctx.fillText(e >= -2 && e <= 3 ? num(10 ** e) : `10${superscript(e)}`, loss.x - 5, LY(10 ** e));
  }
  // phases: a line where the labels change
  ctx.strokeStyle = '#999999';
  ctx.setLineDash([3, 3]);
  for (let i = 1; i < hist.length; i++) {
    if (hist[i].labels !== hist[i - 1].labels) {
      for (const R of [loss, acc]) {
        ctx.beginPath();
        ctx.moveTo(X(R, hist[i - 1].epoch), R.y);
        ctx.lineTo(X(R, hist[i - 1].epoch), R.y + R.height);
        ctx.stroke();
      }
    }
  }
  ctx.setLineDash([]);
  const line = (R, Y, key, color, dash) => {
    clipTo(ctx, R);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.8;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let started = false;
    for (const p of hist) {
      const v = p[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || (key === 'train_loss' && v <= 0)) continue;
      const x = X(R, p.epoch);
      const y = Y(v);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
    ctx.restore();
  };
  const AY = (v) => acc.y + (1 - v) * acc.height;
  line(loss, LY, 'train_loss', '#0072b2', []);
  line(acc, AY, 'train_accuracy', '#0072b2', []);
  line(acc, AY, 'test_accuracy', '#d55e00', [6, 4]);
  // The epoch of the training snapshot the timeline shows.
  if (run?.view && run.view.index !== null) {
    ctx.strokeStyle = '#009e73';
    ctx.lineWidth = 2;
    for (const R of [loss, acc]) {
      ctx.beginPath();
      ctx.moveTo(X(R, run.view.epoch), R.y);
      ctx.lineTo(X(R, run.view.epoch), R.y + R.height);
      ctx.stroke();
    }
  }
}

$('curves').addEventListener('pointermove', (event) => curvesReadout(event));
keyboardProbe(
  $('curves'),
  (event) => curvesReadout(event),
  () => {
    $('curves-readout').textContent = '';
  },
);

function curvesReadout(event) {
  const canvas = $('curves');
  const L = canvas.layout;
  const hist = run?.history ?? [];
  if (!L || hist.length === 0) return;
  const rect = canvas.getBoundingClientRect();
  const px = event.clientX - rect.left;
  const epoch = ((px - L.loss.x) / L.loss.width) * L.total;
  if (epoch < 0 || epoch > L.total) {
    $('curves-readout').textContent = '';
    return;
  }
  let best = hist[0];
  for (const p of hist) if (Math.abs(p.epoch - epoch) < Math.abs(best.epoch - epoch)) best = p;
  $('curves-readout').textContent =
    `epoch ${best.epoch} (${best.labels}): loss ${num(best.train_loss, 4)}, training accuracy ${percent(best.train_accuracy)}` +
    `, test accuracy ${percent(best.test_accuracy)}`;
}
$('curves').addEventListener('pointerleave', () => {
  $('curves-readout').textContent = '';
});

// ---------------------------------------------------------------------------------------------
// Results: metrics, alignment fields, charts

function fillMetrics(s, seconds) {
  const set = (id, text) => {
    $(id).textContent = text;
  };
  set('m-train-accuracy', percent(s.metrics.train_accuracy));
  set('m-test-accuracy', percent(s.metrics.test_accuracy));
  set('m-train-loss', num(s.metrics.train_loss, 4));
  set('m-epochs', String(s.metrics.epochs));
  const h = s.hessian;
  if (h) {
    set('m-lambda1', num(h.eigenvalues[0], 4));
    set('m-trace', `${num(h.trace, 4)} ± ${num(h.trace_std_error, 2)}`);
    const maxRes = Math.max(...h.residuals);
    set('m-residual', `${num(maxRes, 2)} (${num(maxRes / Math.abs(h.eigenvalues[0]), 2)}·λ₁, ${h.converged ? 'converged' : 'not converged'})`);
    set('m-hvp', `${h.hvp_count} eigen + ${h.trace_hvp_count} trace + ${h.density.hvp_count} density (${h.solver})`);
  }
  const g = s.generalization;
  if (g) {
    const over = g.over === 'all' ? `all ${s.model.layers ? '' : ''}p eigenvectors` : `the top ${g.k} eigenvectors`;
    set('m-g', `${num(g.aggregate, 3)} (ε = ${num(g.epsilon, 3)}, ${g.measure} |Aᵢ| over ${over})`);
  }
  const m = s.margin;
  if (m) {
    set('m-margin', `estimate ${num(m.estimate)}, true ${m.true === null ? 'not found' : num(m.true)}`);
    const dl = $('margin-numbers');
    dl.replaceChildren();
    const row = (k, v) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      dl.append(dt, dd);
    };
    row('Estimate (from v₁)', num(m.estimate, 4));
    row('True distance to the boundary', m.true === null ? 'not found' : num(m.true, 4));
    row('Relative error', m.relative_error === null ? '—' : num(m.relative_error, 3));
    row('A₁ at x_b', num(m.alignment_x_b, 4));
    row('Search steps', String(m.search_steps));
  }
  set('m-time', `training ${duration(run.trainSeconds)}, spectrum and analyses ${duration(seconds.analysis)}`);
}

function buildFields() {
  const a = run.analysed;
  const v = run.view;
  const box = $('fields');
  box.replaceChildren();
  const values = v.eigenvalues;
  if (!a.summary.alignment) return;
  if (run.info.dim === 1) {
    // 1-D data: the fields are curves over the line.
    const canvas = document.createElement('canvas');
    canvas.id = 'line-fields';
    canvas.className = 'chart line-chart';
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Alignment of the top eigenvectors along the line');
    canvas.addEventListener('pointermove', (event) => lineReadout(event, canvas));
    keyboardProbe(canvas, (event) => lineReadout(event, canvas), () => {
      $('fields-readout').textContent = '';
    });
    canvas.addEventListener('pointerleave', () => {
      $('fields-readout').textContent = '';
    });
    const legend = document.createElement('p');
    legend.className = 'legend';
    legend.id = 'line-legend';
    box.append(canvas, legend);
    $('colorbar').hidden = true;
    drawLineFields();
    return;
  }
  $('colorbar').hidden = false;
  const [width, height] = a.size;
  v.fieldBitmaps = [];
  v.values.forEach((_, i) => {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.className = 'field';
    canvas.dataset.index = String(i);
    canvas.style.aspectRatio = `${1 / planeAspect(a.summary.alignment.grid, false)}`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Alignment field A${i + 1}`);
    const caption = document.createElement('figcaption');
    caption.textContent = `A${sub(i + 1)} · λ${sub(i + 1)} = ${num(values[i])}`;
    figure.append(canvas, caption);
    box.append(figure);
    v.fieldBitmaps.push(bitmapOf(v.fields[`A${i + 1}`], width, height));
    canvas.addEventListener('pointermove', (event) => fieldReadout(event, canvas, i));
    keyboardProbe(canvas, (event) => fieldReadout(event, canvas, i), () => {
      $('fields-readout').textContent = '';
    });
    canvas.addEventListener('pointerleave', () => {
      $('fields-readout').textContent = '';
    });
  });
  drawFields();
}

/** Curve styles of the 1-D alignment chart: Okabe–Ito colours with distinct dashes. */
const LINE_STYLES = [
  ['#0072b2', []],
  ['#d55e00', [7, 4]],
  ['#009e73', [2, 3]],
  ['#cc79a7', [9, 3, 2, 3]],
];

/** 1-D data: A₁…A₄ as curves over the line, the class flips as vertical lines, the points on the axis. */
function drawLineFields() {
  const canvas = $('line-fields');
  const a = run?.analysed;
  const v = run?.view;
  if (!canvas || !a?.summary.alignment) return;
  const [ctx, w, h] = context(canvas);
  const grid = a.summary.alignment.grid;
  const fields = v.values.slice(0, LINE_STYLES.length);
  const predicted = v.predicted;
  const width = a.size[0];
  const L = { x: 48, y: 10, width: w - 60, height: h - 48, u0: grid.u_range[0], u1: grid.u_range[1], w0: -1.1, w1: 1.1 };
  canvas.layout = L;
  const X = (col) => toX(L, L.u0 + ((L.u1 - L.u0) * col) / (width - 1));
  drawAxes(ctx, { ...L, oneD: false }, ['x', 'Aᵢ(x)']);
  clipTo(ctx, L);
  ctx.strokeStyle = '#bbbbbb';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(L.x, toY(L, 0));
  ctx.lineTo(L.x + L.width, toY(L, 0));
  ctx.stroke();
  ctx.strokeStyle = INK;
  ctx.lineWidth = 1.4;
  ctx.fillStyle = INK;
  ctx.font = FONT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  for (let j = 0; j + 1 < width; j++) {
    if (predicted[j] !== predicted[j + 1]) {
      const x = X(j + 0.5);
      ctx.beginPath();
      ctx.moveTo(x, L.y);
      ctx.lineTo(x, L.y + L.height);
      ctx.stroke();
      ctx.fillText(`x = ${num(L.u0 + ((L.u1 - L.u0) * (j + 0.5)) / (width - 1))}`, x + 4, L.y + 4);
    }
  }
  fields.forEach((f, i) => {
    const [color, dash] = LINE_STYLES[i];
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.beginPath();
    f.forEach((v, j) => (j ? ctx.lineTo(X(j), toY(L, v)) : ctx.moveTo(X(j), toY(L, v))));
    ctx.stroke();
  });
  ctx.setLineDash([]);
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#ffffff';
  run.info.train.xy.forEach((xy, i) => {
    ctx.fillStyle = classColor(run.info.train.y[i]);
    ctx.beginPath();
    ctx.arc(toX(L, xy[0]), toY(L, 0), 4, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  });
  ctx.restore();
  const values = v.eigenvalues;
  const legend = $('line-legend');
  legend.replaceChildren();
  fields.forEach((_, i) => {
    const swatch = document.createElement('span');
    swatch.className = `swatch c${i}`;
    legend.append(swatch, document.createTextNode(`A${sub(i + 1)} (λ${sub(i + 1)} = ${num(values[i])})${['', ' dashed', ' dotted', ' dash-dot'][i]}   `));
  });
  legend.append(document.createTextNode(' | vertical lines: where the predicted class flips'));
}

function lineReadout(event, canvas) {
  const L = canvas.layout;
  const a = run?.analysed;
  if (!L || !a) return;
  const rect = canvas.getBoundingClientRect();
  const px = event.clientX - rect.left;
  const width = a.size[0];
  const col = Math.round(((px - L.x) / L.width) * (width - 1));
  if (col < 0 || col >= width) {
    $('fields-readout').textContent = '';
    return;
  }
  const u = L.u0 + ((L.u1 - L.u0) * col) / (width - 1);
  const v = run.view;
  const parts = v.values.slice(0, LINE_STYLES.length).map((f, i) => `A${sub(i + 1)} = ${num(f[col])}`);
  $('fields-readout').textContent = `x = ${num(u)}: ${parts.join(', ')} · predicted class ${v.predicted[col]}`;
}

function drawFields() {
  drawLineFields();
  const a = run?.analysed;
  const v = run?.view;
  if (!v?.fieldBitmaps) return;
  const first = document.querySelector('#fields figure');
  if (first) $('colorbar').style.height = `${Math.max(130, Math.min(320, first.offsetHeight))}px`;
  const [width, height] = a.size;
  const plane = a.summary.alignment.grid;
  for (const canvas of document.querySelectorAll('#fields canvas.field')) {
    const i = Number(canvas.dataset.index);
    const [ctx, w, h] = context(canvas);
    const aspect = (plane.u_range[1] - plane.u_range[0]) / (plane.w_range[1] - plane.w_range[0]);
    let pw = w;
    let ph = w / aspect;
    if (ph > h) {
      ph = h;
      pw = h * aspect;
    }
    const L = { x: (w - pw) / 2, y: (h - ph) / 2, width: pw, height: ph, u0: plane.u_range[0], u1: plane.u_range[1], w0: plane.w_range[0], w1: plane.w_range[1] };
    canvas.layout = L;
    drawField(ctx, L, v.fieldBitmaps[i], width, height);
    ctx.strokeStyle = 'rgba(34,34,34,0.85)';
    ctx.lineWidth = 1.2;
    ctx.lineCap = 'round';
    strokeSegments(ctx, L, v.fields.segments, width, height);
    ctx.strokeStyle = INK;
    ctx.lineWidth = 1;
    ctx.strokeRect(L.x, L.y, L.width, L.height);
  }
}

function fieldReadout(event, canvas, i) {
  const L = canvas.layout;
  const a = run?.analysed;
  if (!L || !a) return;
  const rect = canvas.getBoundingClientRect();
  const px = event.clientX - rect.left;
  const py = event.clientY - rect.top;
  const [width, height] = a.size;
  const col = Math.round(((px - L.x) / L.width) * (width - 1));
  const row = Math.round(((py - L.y) / L.height) * (height - 1));
  if (col < 0 || col >= width || row < 0 || row >= height) {
    $('fields-readout').textContent = '';
    return;
  }
  const u = L.u0 + ((px - L.x) / L.width) * (L.u1 - L.u0);
  const wv = L.w1 - ((py - L.y) / L.height) * (L.w1 - L.w0);
  const names = run.info.plane.axes;
  const v = run.view;
  const value = v.values[i][row * width + col];
  $('fields-readout').textContent =
    `A${sub(i + 1)}(${names[0]} = ${num(u)}, ${names[1]} = ${num(wv)}) = ${num(value, 3)} · predicted class ${v.predicted[row * width + col]}`;
}

/** The charts drawn by src/render in the worker, each at its canvas's device-pixel size. */
function chartCanvases({ all = false } = {}) {
  const list = [
    ['eigenvalues', $('eigenvalues')],
    ['density', $('density')],
    ['matrix', $('matrix')],
    ['margin', $('margin')],
  ];
  list.push(['colorbar', $('colorbar')]);
  return all ? list : list.filter(([, c]) => c.offsetParent !== null);
}

function requestCharts() {
  if (!run?.analysed) return;
  const charts = chartCanvases().map(([name, canvas]) => {
    const [w, , r] = fit(canvas);
    // Narrow charts (phones, iframes) draw their text and marks smaller, so titles still fit.
    const shrink = name === 'colorbar' ? 1 : Math.min(1, Math.max(0.6, w / 480));
    return { name, width: canvas.width, height: canvas.height, scale: r * shrink };
  });
  send({ type: 'render', charts: charts.filter((c) => c.width > 1 && c.height > 1), snapshot: run.view.index });
}

function onCharts(charts, snapshot) {
  const byName = Object.fromEntries(chartCanvases({ all: true }));
  if (snapshot !== run?.view?.index) {
    // Drawn for a timeline position the reader has since left.
    for (const c of charts) c.bitmap?.close();
    return;
  }
  for (const c of charts) {
    const canvas = byName[c.name];
    if (!canvas) {
      c.bitmap?.close();
      continue;
    }
    if (c.error) {
      const [ctx] = context(canvas);
      ctx.fillStyle = '#a4161a';
      ctx.font = FONT;
      ctx.fillText(c.error, 10, 20);
      continue;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(c.bitmap, 0, 0, canvas.width, canvas.height);
    c.bitmap.close();
    canvas.dataset.drawn = '1';
    canvas.dataset.view = snapshot === null ? 'final' : String(snapshot);
  }
}

function clearResults() {
  for (const id of ['m-train-accuracy', 'm-test-accuracy', 'm-train-loss', 'm-epochs', 'm-params', 'm-lambda1', 'm-trace', 'm-g', 'm-residual', 'm-hvp', 'm-margin', 'm-time']) {
    $(id).textContent = '—';
  }
  $('margin-numbers').replaceChildren();
  const placeholder = document.createElement('p');
  placeholder.className = 'placeholder';
  placeholder.textContent = 'After training.';
  $('fields').replaceChildren(placeholder);
  $('export-json').disabled = true;
  $('export-csv').disabled = true;
  $('fields-readout').textContent = '';
  $('timeline').hidden = true;
  showHeadings(null);
  clearRegimes();
  for (const id of ['eigenvalues', 'density', 'matrix', 'margin', 'colorbar']) {
    const canvas = $(id);
    delete canvas.dataset.drawn;
    delete canvas.dataset.view;
    context(canvas);
  }
  drawBoundary();
  drawCurves();
  updateButtons();
}

// ---------------------------------------------------------------------------------------------
// The timeline: training snapshots (config key `snap`), then the final model

const TIMELINE_PANELS = ['boundary', 'alignment', 'spectrum', 'matrix'];

/** Shows the timeline when the run kept snapshots: one position per snapshot before the end, the last one the final model. */
function setupTimeline(s) {
  const a = run.analysed;
  a.positions = (s.snapshots ?? [])
    .map((t, index) => ({ index, epoch: t.epoch, lambda1: t.eigenvalues[0] }))
    .filter((t) => t.epoch < run.epoch);
  a.positions.push({ index: null, epoch: run.epoch, lambda1: s.hessian?.eigenvalues[0] });
  const shown = !embed || TIMELINE_PANELS.some((p) => embedPanels.includes(p));
  $('timeline').hidden = a.positions.length < 2 || !shown || !s.alignment;
  const scrub = $('scrub');
  scrub.max = String(a.positions.length - 1);
  scrub.value = scrub.max;
  timelineLabel();
}

function timelineLabel(pending = false) {
  const a = run.analysed;
  const p = a.positions[Number($('scrub').value)];
  const label =
    `epoch ${p.epoch.toLocaleString('en')} of ${run.epoch.toLocaleString('en')}` +
    (p.index === null ? ' (final model)' : '') +
    ` · λ₁ = ${num(p.lambda1, 4)}` +
    (pending ? ' · computing its fields…' : '');
  $('scrub-value').textContent = label;
  $('scrub').setAttribute('aria-valuetext', label);
}

$('scrub').addEventListener('input', () => showPosition());

/** Shows the timeline's current position: the final model at once, a snapshot once the worker has its fields (one request at a time; the latest position wins). */
function showPosition() {
  const a = run?.analysed;
  if (!a?.positions) return;
  const p = a.positions[Number($('scrub').value)];
  if (p.index === null) {
    timelineLabel();
    setView(a.final);
    return;
  }
  timelineLabel(true);
  if (a.snapshotPending) return;
  a.snapshotPending = true;
  send({ type: 'snapshot', index: p.index });
}

function onSnapshot(msg) {
  const a = run.analysed;
  a.snapshotPending = false;
  const p = a.positions[Number($('scrub').value)];
  if (p.index !== msg.index) {
    showPosition();
    return;
  }
  const n = msg.predicted.length;
  const k = msg.alignment.length / n;
  timelineLabel();
  setView({
    index: msg.index,
    epoch: msg.epoch,
    eigenvalues: a.summary.snapshots[msg.index].eigenvalues,
    fields: msg.fields,
    values: Array.from({ length: k }, (_, i) => msg.alignment.subarray(i * n, (i + 1) * n)),
    predicted: msg.predicted,
    overlay: null,
  });
}

/** Redraws what depends on the shown model: boundary, fields, eigenvalues and matrix (the metrics stay the final model's). */
function setView(view) {
  run.view = view;
  showHeadings(view.index === null ? null : view.epoch);
  drawBoundary();
  drawCurves();
  buildFields();
  requestCharts();
}

const HEADINGS = { 'h-boundary': 'Decision boundary', 'h-alignment': 'Alignment of the top eigenvectors with the input gradients' };
function showHeadings(epoch) {
  for (const [id, text] of Object.entries(HEADINGS)) {
    $(id).textContent = epoch === null ? text : `${text} at epoch ${epoch.toLocaleString('en')}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Regime comparison: the current data and network in each of the paper's regimes, in a worker of its own

const REGIMES = ['normal', 'random-labels', 'adversarial', 'large-norm'];
let compareWorker = null;

/** The current query with `regime` set: what `hessian-boundary run --config` would be given. */
const regimeQuery = (query, regime) => [...query.split('&').filter((p) => p && !p.startsWith('regime=')), `regime=${regime}`].join('&');

function clearRegimes() {
  compareWorker?.terminate();
  compareWorker = null;
  const body = $('regimes').tBodies[0];
  body.replaceChildren();
  for (const regime of REGIMES) {
    const tr = document.createElement('tr');
    tr.dataset.regime = regime;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = regime;
    tr.append(th);
    for (let i = 0; i < 7; i++) {
      const td = document.createElement('td');
      td.textContent = '—';
      tr.append(td);
    }
    body.append(tr);
  }
  $('compare-progress').hidden = true;
  $('compare-status').textContent = 'Trains and analyses three more runs: takes about three times as long as this one.';
}

/** How many eigenvectors G counted, of how many: over the top k, G can tell regimes apart by at most k. */
const counted = (g) => `${g.m.filter((mi) => mi > g.epsilon).length} of ${g.over === 'all' ? 'all' : 'top'} ${g.m.length}`;

function fillRegime(regime, s, note) {
  const row = $('regimes').querySelector(`tr[data-regime="${regime}"]`);
  const g = s.generalization;
  const m = s.margin;
  const cells = [
    [percent(s.metrics.train_accuracy), s.metrics.train_accuracy],
    [percent(s.metrics.test_accuracy), s.metrics.test_accuracy],
    [g ? num(g.aggregate) : '—', g?.aggregate, g && `${counted(g)} · ε = ${num(g.epsilon)}`],
    [num(s.hessian?.trace), s.hessian?.trace],
    [num(s.hessian?.eigenvalues[0]), s.hessian?.eigenvalues[0]],
    [num(m?.estimate), m?.estimate],
    [m && m.true === null ? 'not found' : num(m?.true), m?.true],
  ];
  [...row.cells].slice(1).forEach((td, i) => {
    const [text, value, below] = cells[i];
    td.textContent = text;
    if (below) {
      const small = document.createElement('small');
      small.textContent = below;
      td.append(small);
    }
    if (typeof value === 'number') td.dataset.value = String(value);
  });
  row.title = note;
}

async function compareRegimes() {
  if (!run?.info || compareWorker) return;
  const r = run;
  const current = new URLSearchParams(r.query).get('regime') ?? 'normal';
  const runs = [];
  for (const regime of REGIMES) {
    if (regime === current && r.analysed) fillRegime(regime, r.analysed.summary, 'this run');
    else runs.push({ regime, query: regimeQuery(r.query, regime) });
  }
  if (runs.length === 0) return;
  const w = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
  compareWorker = w;
  updateButtons();
  const startedAt = performance.now();
  let done = 0;
  $('compare-progress').hidden = false;
  $('compare-progress').value = 0;
  const stop = (text) => {
    w.terminate();
    compareWorker = null;
    $('compare-progress').hidden = true;
    $('compare-status').textContent = text;
    updateButtons();
  };
  w.onerror = (event) => {
    event.preventDefault();
    if (w === compareWorker) stop(`The comparison could not run: ${event.message}`);
  };
  w.onmessage = ({ data }) => {
    if (w !== compareWorker) return;
    if (data.type === 'failed') {
      stop(`Stopped: ${data.message}`);
      return;
    }
    if (data.type !== 'compared') return;
    const { regime } = data;
    if (data.summary) {
      fillRegime(regime, data.summary, `hessian-boundary run --config '${regimeQuery(r.query, regime)}'`);
      done += 1;
      $('compare-progress').value = done / runs.length;
      if (done === runs.length) stop(`Done in ${duration((performance.now() - startedAt) / 1000)}.`);
      return;
    }
    // Training is most of a run's time; the spectrum and the analyses the rest.
    const frac = data.stage ? { spectrum: 0.85, analysis: 0.93 }[data.stage] : 0.85 * (data.total ? data.epoch / data.total : 1);
    $('compare-progress').value = (done + frac) / runs.length;
    const what = data.stage
      ? { spectrum: 'Hessian spectrum', analysis: 'alignment, G and margin' }[data.stage]
      : `epoch ${data.epoch.toLocaleString('en')} of ${data.total.toLocaleString('en')}`;
    $('compare-status').textContent = `${regime} (${done + 1} of ${runs.length}): ${what}`;
  };
  w.postMessage({ type: 'init', module: await modulePromise });
  w.postMessage({ type: 'compare', runs, csv: csvText ?? undefined });
}

$('compare').addEventListener('click', () => compareRegimes());

// ---------------------------------------------------------------------------------------------
// Resizing

let resizeTimer = null;
let lastWidth = 0;
new ResizeObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const width = document.documentElement.clientWidth;
    drawBoundary();
    drawCurves();
    drawFields();
    if (width !== lastWidth || dpr() !== lastDpr) requestCharts();
    lastWidth = width;
    lastDpr = dpr();
  }, 120);
}).observe(document.querySelector('main'));
let lastDpr = dpr();

// ---------------------------------------------------------------------------------------------
// Start

if (embed) {
  document.body.classList.add('embed');
  for (const panel of document.querySelectorAll('[data-panel]')) {
    panel.hidden = !embedPanels.includes(panel.dataset.panel);
  }
  $('open-full').href = new URL(location.pathname, location.href).href;
}

start(initial.config, { fromUrl: true });
