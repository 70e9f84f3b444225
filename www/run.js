// The current run: its record, its worker (and its pool, www/pool.js), and what the page does with each
// message the worker sends (www/protocol.js). Every start drops the old worker, its pool and its run, so a
// change of settings cancels cleanly.

import { $ } from './dom.js';
import { dataFragment, embed, embedPanels, pageSuffix } from './url.js';
import { duration } from './format.js';
import { FromWorker, Purpose, Stage, ToWorker } from './protocol.js';
import { newWorker, wasmModule } from './compute.js';
import { startPool, workerCount } from './pool.js';
import { clearError, setState, setStatus, showError } from './status.js';
import { planeAspect } from './plot.js';
import { fillForm, initForm } from './form.js';
import { showNotices } from './notice.js';
import { csvSource, csvStarted, csvText } from './csv-drop.js';
import { download, savePng, setExportsEnabled, updateEmbedSnippet } from './share.js';
import { nextStep, playing, requestStep, updateButtons, updateProgress } from './playback.js';
import { drawBoundary } from './panels/boundary.js';
import { drawCurves } from './panels/training.js';
import { clearMetrics, fillG, fillMetrics, showParams } from './panels/metrics.js';
import { clearMargin, fillMargin } from './panels/margin.js';
import { buildFields, clearFields } from './panels/alignment.js';
import { clearCharts, onCharts, requestCharts } from './panels/charts.js';
import { resetTimeline, onSnapshot, setupTimeline } from './timeline.js';
import { clearRegimes, compareRegimes } from './regimes.js';
import { publishedRuns, publishedStatus } from './published.js';
import { clearExplorer, onPerturbed, setupExplorer } from './panels/explorer.js';
import { clearChecks, fillChecks } from './panels/checks.js';
import { clearTracks, setupTracks } from './panels/tracks.js';
import { clearComparison, showOperator } from './panels/operator.js';

let worker = null;
/** The run's pool of workers for the fields (with workerCount > 1), or a promise of it. */
let pool = null;
/** Counts starts, so that a worker's late messages are dropped once a newer run has begun. */
let generation = 0;

/** Everything about the current run. */
export let run = null;

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
    dataLink: null, // the #data= payload of the run's CSV, where it fits in a link
  };
}

/**
 * Starts `query` (raw, as typed or linked) in a fresh worker; the old worker and its run are dropped.
 * `file`: a published run.json to show instead ({path, url} or {path, error}, see published.js);
 * `expect`: {json, path} of the file this computation checks ("Recompute here").
 */
export async function start(query, { fromUrl = false, file, expect } = {}) {
  generation += 1;
  const gen = generation;
  if (worker) worker.terminate();
  worker = null;
  stopPool();
  run = freshRun(query);
  run.fromUrl = fromUrl;
  run.expect = expect;
  run.requestedFile = file?.path;
  delete document.body.dataset.recompute;
  clearError();
  clearResults();
  setState('loading');
  setStatus('Starting…');
  updateProgress();
  const module = await wasmModule();
  const runs = expect ? undefined : await publishedRuns();
  if (gen !== generation) return;
  const w = newWorker();
  worker = w;
  w.onmessage = ({ data }) => {
    if (gen === generation) onWorkerMessage(data);
  };
  w.onerror = (event) => {
    event.preventDefault();
    if (gen !== generation) return;
    fail(`The computation could not run: ${event.message || 'the worker could not be started (is pkg/ built? run "cargo xtask serve")'}`);
  };
  w.postMessage({ type: ToWorker.INIT, module });
  w.postMessage({ type: ToWorker.START, query, ...csvSource(), run: file, runs, workers: workerCount });
}

/** Sends a message to the current run's worker. */
export function send(message, transfer = []) {
  worker?.postMessage(message, transfer);
}

function stopPool() {
  const p = pool;
  pool = null;
  p?.then((helpers) => helpers.terminate());
}

function fail(message) {
  stopPool();
  showError(message);
  setState('error');
  if (run) run.stage = 'error';
  setStatus('Stopped.');
  updateButtons();
}

function onWorkerMessage(msg) {
  switch (msg.type) {
    case FromWorker.READY:
      initForm(msg.specs);
      document.body.dataset.version = msg.version;
      break;
    case FromWorker.STARTED:
      onStarted(msg);
      break;
    case FromWorker.FAILED:
      if (msg.data) onData(msg.data);
      if (msg.query !== undefined) applyQuery(msg.query, msg.notices);
      fail(
        csvText === null && /dataset=csv needs CSV data/.test(msg.message)
          ? `${msg.message}: this link runs on a CSV file of its own. Pick it under Data (or drop it on the page).`
          : msg.message,
      );
      break;
    case FromWorker.PROGRESS:
      onProgress(msg);
      break;
    case FromWorker.STAGE:
      run.stage = msg.stage;
      setStatus(
        {
          [Stage.SPECTRUM]: 'Computing the Hessian spectrum (Lanczos, trace, density)…',
          [Stage.ANALYSIS]: 'Computing the alignment fields, G and the margin…',
          [Stage.GENERALIZATION]: 'Drawn. Computing G over all p eigenvectors (certified) and the self-test…',
          [Stage.EXPORT]: 'Writing run.json…',
        }[msg.stage] ?? '',
      );
      updateProgress();
      break;
    case FromWorker.ANALYSED:
      onAnalysed(msg);
      break;
    case FromWorker.GENERALIZING:
      fillG(null, msg.hvps);
      setStatus(`Drawn. Computing G over all p eigenvectors (certified): ${msg.hvps.toLocaleString('en')} HVPs so far…`);
      break;
    case FromWorker.GENERALIZED:
      onGeneralized(msg);
      break;
    case FromWorker.SNAPSHOT:
      onSnapshot(msg);
      break;
    case FromWorker.CHARTS:
      if (msg.purpose === Purpose.EXPORT) {
        const c = msg.charts[0];
        if (c?.bitmap) savePng('alignment', c.bitmap);
        else if (c?.error) showError(c.error);
      } else onCharts(msg.charts, msg.snapshot);
      break;
    case FromWorker.PERTURBED:
      onPerturbed(msg);
      break;
    case FromWorker.CSV:
      download('data.csv', new Blob([msg.text], { type: 'text/csv' }));
      break;
    case FromWorker.FIELDS_NEEDED:
      relayFields(msg);
      break;
    case FromWorker.DENSITY_NEEDED:
      relayDensity(msg);
      break;
    case FromWorker.PERTURBATION_NEEDED:
      relayPerturbation(msg);
      break;
  }
}

/** A pool worker computes the spectral density the run's worker asks for, while it computes the eigenpairs. */
async function relayDensity(msg) {
  const gen = generation;
  const flat = await (await pool).density(msg.params);
  if (gen === generation) send({ type: ToWorker.DENSITY, flat }, [flat.buffer]);
}

/** A pool worker computes the perturbation the run's worker asks for, while it computes the other analyses. */
async function relayPerturbation(msg) {
  const gen = generation;
  const json = await (await pool).perturbation(msg);
  if (gen === generation) send({ type: ToWorker.PERTURBATION, json });
}

/** The pool computes the fields the run's worker asks for; the bands go back to it as they are. */
async function relayFields(msg) {
  const gen = generation;
  const helpers = await pool;
  const t0 = performance.now();
  const bands = await helpers.fields(msg, (done, total) => {
    if (gen === generation && msg.snapshot === null) setStatus(`Computing the alignment fields in ${workerCount} workers (${done} of ${total} bands), G and the margin…`);
  });
  if (gen !== generation) return;
  send({ type: ToWorker.FIELDS, bands, seconds: (performance.now() - t0) / 1000 }, bands.flatMap((b) => [b.predicted.buffer, b.alignment.buffer, b.reconstructed.buffer]));
}

/** The worker's word on the run's CSV data: the text it read from the link, and whether it fits in a link. */
function onData(data) {
  csvStarted(data);
  run.dataLink = data.link?.link ?? null;
}

/** Puts the canonical query (and the data the link carries) in the URL and the form, and lists the dropped keys if any. */
function applyQuery(query, notices) {
  run.query = query;
  history.replaceState(null, '', `?${query}${pageSuffix(run.linkedFile)}${dataFragment(run.dataLink)}`);
  $('query').textContent = query;
  fillForm(query);
  showNotices(notices ?? []);
  updateEmbedSnippet();
  if (embed) $('open-full').href = new URL(`?${query}`, location.href).href;
}

function onStarted(msg) {
  run.file = msg.file;
  // The link's own run.json stays in the address; a site's precomputed one follows from the query.
  run.linkedFile = msg.file !== undefined && msg.file === run.requestedFile ? msg.file : undefined;
  document.body.dataset.source = msg.file ? 'file' : 'computed';
  onData(msg.data);
  applyQuery(msg.query, msg.notices);
  run.info = msg.info;
  // A run computed here gets its pool now, so its workers are ready when training ends.
  if (workerCount > 1 && !msg.file) {
    const gen = generation;
    pool = startPool(workerCount, msg.query, csvSource(), (message) => {
      if (gen === generation) fail(message);
    });
  }
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
  showParams(msg.info.params);
  drawBoundary();
  drawCurves();
  updateProgress();
  updateButtons();
  if (run.total === 0) requestStep(1);
  else if (playing) requestStep();
  else setStatus(`Paused before epoch 1 of ${run.total}.`);
}

let drawPending = false;
/** The live pictures are redrawn at most once a frame, however often progress arrives. */
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    drawBoundary();
    drawCurves();
  });
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
    run.stage = Stage.SPECTRUM;
    setState('analysing');
    setStatus('Training done. Computing the Hessian spectrum…');
    send({ type: ToWorker.ANALYSE });
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
  fillMargin(s.margin);
  drawBoundary();
  drawCurves();
  buildFields();
  requestCharts((name) => !msg.pending || name !== 'matrix');
  setupExplorer(s);
  showOperator(s.config);
  setupTracks(s, msg.tracks);
  if (run.file) {
    // A published run.json: G and the self-test are in it already.
    fillChecks(s.checks);
    finish();
    return;
  }
  // G over all p takes longest, then the self-test: the worker computes them after the charts just
  // asked for.
  if (msg.pending) fillG(null, 0);
  run.stage = Stage.GENERALIZATION;
  setState('generalizing');
  send({ type: ToWorker.GENERALIZE });
  updateProgress();
  updateButtons();
}

/** G over all p has come: run.json is complete. */
function onGeneralized(msg) {
  const a = run.analysed;
  a.json = msg.json;
  a.summary.generalization = msg.generalization;
  a.summary.checks = msg.checks;
  a.seconds.generalization = msg.seconds;
  $('m-time').dataset.generalization = String(msg.seconds);
  a.seconds.total += msg.seconds;
  fillG(msg.generalization);
  fillChecks(msg.checks);
  requestCharts((name) => name === 'matrix');
  finish();
}

function finish() {
  const a = run.analysed;
  const s = a.summary;
  run.stage = 'done';
  setExportsEnabled(true);
  const g = a.seconds.generalization === undefined ? '' : `, then G over all p and the self-test (${duration(a.seconds.generalization)})`;
  setStatus(
    publishedStatus() ??
      `Done in ${duration(a.seconds.total)}: trained ${s.metrics.epochs} epochs, then the top ${s.hessian?.eigenvalues.length ?? 0} Hessian eigenpairs and their alignment${g}.`,
  );
  updateProgress();
  updateButtons();
  setState('done');
  if (embed && embedPanels.includes('regimes')) compareRegimes();
}

/** Empties every panel for a new run. */
function clearResults() {
  $('recompute').hidden = true;
  clearMetrics();
  clearMargin();
  clearFields();
  setExportsEnabled(false);
  resetTimeline();
  clearRegimes();
  clearCharts();
  clearExplorer();
  clearChecks();
  clearTracks();
  clearComparison();
  drawBoundary();
  drawCurves();
  updateButtons();
}
