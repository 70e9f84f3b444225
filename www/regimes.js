// The regime comparison: the current data and network in each of the paper's four regimes, each run to the
// end in a worker, side by side in up to workerCount workers (www/pool.js), one row of the table per regime.

import { $ } from './dom.js';
import { counted, duration, num, percent } from './format.js';
import { FromWorker, Stage, ToWorker } from './protocol.js';
import { newWorker, wasmModule } from './compute.js';
import { csvText } from './csv-drop.js';
import { run } from './run.js';
import { updateButtons } from './playback.js';
import { workerCount } from './pool.js';

const REGIMES = ['normal', 'random-labels', 'adversarial', 'large-norm'];
/** The running comparison's workers (none when no comparison runs). */
let compareWorkers = [];

/** Whether a comparison is running. */
export const comparing = () => compareWorkers.length > 0;

/** The current query with `regime` set: what `hessian-boundary run --config` would be given. */
const regimeQuery = (query, regime) => [...query.split('&').filter((p) => p && !p.startsWith('regime=')), `regime=${regime}`].join('&');

export function clearRegimes() {
  for (const w of compareWorkers) w.terminate();
  compareWorkers = [];
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
  $('compare-status').textContent =
    workerCount > 1
      ? `Trains and analyses three more runs, ${Math.min(workerCount, 3)} at a time.`
      : 'Trains and analyses three more runs: takes about three times as long as this one.';
}


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

export async function compareRegimes() {
  if (!run?.info || comparing()) return;
  const r = run;
  const current = new URLSearchParams(r.query).get('regime') ?? 'normal';
  const runs = [];
  for (const regime of REGIMES) {
    if (regime === current && r.analysed) fillRegime(regime, r.analysed.summary, 'this run');
    else runs.push({ regime, query: regimeQuery(r.query, regime) });
  }
  if (runs.length === 0) return;
  const workers = Array.from({ length: Math.min(workerCount, runs.length) }, () => newWorker());
  compareWorkers = workers;
  updateButtons();
  const startedAt = performance.now();
  let done = 0;
  let next = 0;
  /** The runs under way: regime → [its fraction done, what it is doing]. */
  const running = new Map();
  $('compare-progress').hidden = false;
  $('compare-progress').value = 0;
  const stop = (text) => {
    for (const w of workers) w.terminate();
    compareWorkers = [];
    $('compare-progress').hidden = true;
    $('compare-status').textContent = text;
    updateButtons();
  };
  const show = () => {
    const under = [...running.values()];
    $('compare-progress').value = (done + under.reduce((sum, [frac]) => sum + frac, 0)) / runs.length;
    $('compare-status').textContent = [...running].map(([regime, [, what]]) => `${regime}: ${what}`).join(' · ');
  };
  /** Hands worker `w` the next run, if any is left. */
  const give = (w) => {
    if (next >= runs.length) return;
    const job = runs[next];
    next += 1;
    running.set(job.regime, [0, `run ${next} of ${runs.length}, starting`]);
    w.postMessage({ type: ToWorker.COMPARE, runs: [job], csv: csvText ?? undefined });
  };
  const module = await wasmModule();
  if (compareWorkers !== workers) return;
  for (const w of workers) {
    w.onerror = (event) => {
      event.preventDefault();
      if (compareWorkers === workers) stop(`The comparison could not run: ${event.message}`);
    };
    w.onmessage = ({ data }) => {
      if (compareWorkers !== workers) return;
      if (data.type === FromWorker.FAILED) {
        stop(`Stopped: ${data.message}`);
        return;
      }
      if (data.type !== FromWorker.COMPARED) return;
      const { regime } = data;
      if (data.summary) {
        fillRegime(regime, data.summary, `hessian-boundary run --config '${regimeQuery(r.query, regime)}'`);
        done += 1;
        running.delete(regime);
        if (done === runs.length) stop(`Done in ${duration((performance.now() - startedAt) / 1000)}.`);
        else {
          give(w);
          show();
        }
        return;
      }
      // Training is most of a run's time; the spectrum and the analyses the rest.
      const frac = data.stage ? { [Stage.SPECTRUM]: 0.7, [Stage.ANALYSIS]: 0.75, [Stage.GENERALIZATION]: 0.8 }[data.stage] : 0.85 * (data.total ? data.epoch / data.total : 1);
      const what = data.stage
        ? { [Stage.SPECTRUM]: 'Hessian spectrum', [Stage.ANALYSIS]: 'alignment and margin', [Stage.GENERALIZATION]: 'G over all p eigenvectors' }[data.stage]
        : `epoch ${data.epoch.toLocaleString('en')} of ${data.total.toLocaleString('en')}`;
      running.set(regime, [frac, what]);
      show();
    };
    w.postMessage({ type: ToWorker.INIT, module });
    give(w);
  }
}

$('compare').addEventListener('click', () => compareRegimes());
