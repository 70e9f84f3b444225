// The timeline: a slider over the training snapshots (config key `snap`), then the final model; moving it
// redraws the panels that depend on the shown model, asking the worker for a snapshot's fields.

import { $ } from './dom.js';
import { num } from './format.js';
import { ToWorker } from './protocol.js';
import { embed, embedPanels } from './url.js';
import { run, send } from './run.js';
import { drawBoundary } from './panels/boundary.js';
import { drawCurves } from './panels/training.js';
import { buildFields } from './panels/alignment.js';
import { requestCharts } from './panels/charts.js';

const TIMELINE_PANELS = ['boundary', 'alignment', 'spectrum', 'matrix'];

/** Shows the timeline when the run kept snapshots: one position per snapshot before the end, the last one the final model. */
export function setupTimeline(s) {
  const a = run.analysed;
  a.positions = (s.snapshots ?? [])
    .map((t, index) => ({ index, epoch: t.epoch, lambda1: t.eigenvalues[0] }))
    .filter((t) => t.epoch < run.epoch);
  a.positions.push({ index: null, epoch: run.epoch, lambda1: s.hessian?.eigenvalues[0] });
  const shown = !embed || TIMELINE_PANELS.some((p) => embedPanels.includes(p));
  // A run shown from its file has no θ of the snapshots to draw them from.
  $('timeline').hidden = a.positions.length < 2 || !shown || !s.alignment || run.file !== undefined;
  const scrub = $('scrub');
  scrub.max = String(a.positions.length - 1);
  scrub.value = scrub.max;
  timelineLabel();
}

/** Hides the timeline and puts the headings back, for a new run. */
export function resetTimeline() {
  $('timeline').hidden = true;
  showHeadings(null);
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
  send({ type: ToWorker.SNAPSHOT, index: p.index });
}

/** A snapshot's fields from the worker: shown if the slider is still there, else the slider's position is asked for. */
export function onSnapshot(msg) {
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
    eigenvalues: tracked(a.summary.snapshots[msg.index].eigenvalues, a.tracks?.[msg.index]),
    fields: msg.fields,
    values: Array.from({ length: k }, (_, i) => msg.alignment.subarray(i * n, (i + 1) * n)),
    predicted: msg.predicted,
    overlay: null,
  });
}

/** A snapshot's eigenvalues in the tracked order its fields come in (the worker's Session.snapshot):
 * slot j holds the eigenvector that becomes the last snapshot's j-th. */
function tracked(values, slots) {
  if (!slots) return values;
  const out = values.slice();
  slots.forEach(([slot], i) => {
    if (slot < out.length) out[slot] = values[i];
  });
  return out;
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
