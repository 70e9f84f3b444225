// Which curvature matrix the spectrum panel shows (operator=hessian|ggn|fisher, which=top|bottom|magnitude),
// the one-click switch between the Hessian and the Gauss–Newton (the same run with the other operator),
// and the side-by-side comparison: the other operator's run in a worker of its own, its alignment fields
// drawn under this run's.

import { $ } from '../dom.js';
import { num, sub } from '../format.js';
import { bitmapOf } from '../canvas.js';
import { planeAspect } from '../plot.js';
import { FromWorker, ToWorker } from '../protocol.js';
import { newWorker, wasmModule } from '../compute.js';
import { csvText } from '../csv-drop.js';
import { run, start } from '../run.js';
import { drawFieldCanvas } from './alignment.js';

let worker = null;
/** The other operator's fields once they came: {bitmaps, segments, size, plane}. */
let other = null;

const NAMES = { hessian: 'Hessian', ggn: 'Gauss–Newton', fisher: 'empirical Fisher' };
const WHAT = {
  hessian: 'The Hessian of the mean training loss',
  ggn: 'The generalized Gauss–Newton Jᵀ H_out J of the mean training loss (the Hessian without the terms in the loss’s gradient)',
  fisher: 'The empirical Fisher (1/n) Σ g g ᵀ of the training gradients (true labels)',
};
const END = { top: 'its largest eigenvalues', bottom: 'its most negative eigenvalues', magnitude: 'its eigenvalues largest in magnitude' };

/** After the analysis: names the operator and the end of its spectrum, and offers the other operator. */
export function showOperator(config) {
  const op = config.operator ?? 'hessian';
  $('h-spectrum').textContent = `${NAMES[op][0].toUpperCase()}${NAMES[op].slice(1)} spectrum`;
  $('spectrum-operator').textContent = `${WHAT[op]}, ${END[config.which ?? 'top']}.`;
  $('switch-operator').textContent = op === 'hessian' ? 'Show the Gauss–Newton' : 'Show the Hessian';
  $('switch-operator').dataset.to = op === 'hessian' ? 'ggn' : 'hessian';
}

/** The current query with the other operator (the default, hessian, omitted as in links). */
function otherQuery() {
  const params = new URLSearchParams(run.query);
  const to = $('switch-operator').dataset.to ?? 'ggn';
  if (to === 'hessian') params.delete('operator');
  else params.set('operator', to);
  return [to, params.toString()];
}

$('switch-operator').addEventListener('click', () => {
  if (run?.query) start(otherQuery()[1]);
});

export function clearComparison() {
  worker?.terminate();
  worker = null;
  other = null;
  $('fields-other').replaceChildren();
  $('fields-other-box').hidden = true;
  $('compare-operator-status').textContent = '';
}

$('compare-operator').addEventListener('click', async () => {
  if (!run?.analysed || worker) return;
  const [to, query] = otherQuery();
  const r = run;
  const w = newWorker();
  worker = w;
  $('compare-operator-status').textContent = `Running the ${NAMES[to]}…`;
  w.onmessage = ({ data }) => {
    if (worker !== w || run !== r) return;
    if (data.type === FromWorker.FAILED) {
      $('compare-operator-status').textContent = `The ${NAMES[to]} run stopped: ${data.message}`;
      worker = null;
    } else if (data.type === FromWorker.COMPARED && data.epoch !== undefined) {
      $('compare-operator-status').textContent = `Running the ${NAMES[to]}: epoch ${data.epoch} of ${data.total}…`;
    } else if (data.type === FromWorker.COMPARED && data.summary) {
      worker = null;
      w.terminate();
      showOther(to, data);
    }
  };
  w.postMessage({ type: ToWorker.INIT, module: await wasmModule() });
  w.postMessage({ type: ToWorker.COMPARE, runs: [{ regime: to, query }], csv: csvText ?? undefined, fields: true });
});

/** The other operator's fields, one figure each, under this run's, captioned with its eigenvalues. */
function showOther(to, msg) {
  const values = msg.summary.hessian.eigenvalues;
  const [width, height] = msg.size;
  other = {
    bitmaps: values.map((_, i) => bitmapOf(msg.fields[`A${i + 1}`], width, height)),
    segments: msg.fields.segments,
    size: msg.size,
    plane: run.analysed.summary.alignment.grid,
  };
  const box = $('fields-other');
  box.replaceChildren(
    ...values.map((v, i) => {
      const figure = document.createElement('figure');
      const canvas = document.createElement('canvas');
      canvas.className = 'field';
      canvas.dataset.index = String(i);
      canvas.style.aspectRatio = `${1 / planeAspect(other.plane, false)}`;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `Alignment field A${i + 1} of the ${NAMES[to]}`);
      const caption = document.createElement('figcaption');
      caption.textContent = `A${sub(i + 1)} · λ${sub(i + 1)} = ${num(v)}`;
      figure.append(canvas, caption);
      return figure;
    }),
  );
  $('fields-other-title').textContent = `The same run with the ${NAMES[to]} (operator=${to}): its top ${values.length} eigenvectors' alignment fields.`;
  $('fields-other-box').hidden = false;
  $('compare-operator-status').textContent = `The ${NAMES[to]}'s fields are under this run's.`;
  drawComparison();
}

export function drawComparison() {
  if (!other) return;
  for (const canvas of document.querySelectorAll('#fields-other canvas.field')) {
    drawFieldCanvas(canvas, other.bitmaps[Number(canvas.dataset.index)], other.segments, other.size, other.plane);
  }
}
