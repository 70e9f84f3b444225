// The perturbation explorer: pick an eigenvector v_i and drag t; the worker predicts the classes of
// θ + t·v_i on the live grid and the page redraws that boundary over the unperturbed one (faint), so
// the section of the boundary that moves is the one the alignment field lit up. Beside it the loss
// along the line (run.json's perturbation.lines) with the parabola L(θ) + ½λ_i t² over it, and the loss
// surface on the plane of v₁ and v₂.
//
// Requests are latest-wins: one 'perturb' is in flight at a time, and a slider move during it only
// replaces the next one, so dragging never queues up work.

import { $ } from '../dom.js';
import { num, sub } from '../format.js';
import { bitmapOf, context } from '../canvas.js';
import { INK, clipTo, drawAxes, drawField, strokeSegments, toX, toY } from '../plot.js';
import { ToWorker } from '../protocol.js';
import { run, send } from '../run.js';
import { drawPoints, planeLayout } from './boundary.js';

/** Slider steps on each side of t = 0. */
const STEPS = 100;

let state = null; // {lines, surface, index, inFlight, queued, base, current, nextId, replies}

export function clearExplorer() {
  state = null;
  $('explore-index').replaceChildren();
  $('explore-t').value = '0';
  $('explore-t-value').textContent = '';
  $('explore-readout').textContent = '';
  for (const id of ['explore-boundary', 'explore-line', 'explore-surface']) context($(id));
}

/** After the analysis: one menu entry per exported eigenvector, t back to 0, the unperturbed picture. */
export function setupExplorer(summary) {
  const lines = summary.perturbation?.lines ?? [];
  const select = $('explore-index');
  select.replaceChildren(
    ...lines.map((l, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = `v${sub(l.index)} (λ${sub(l.index)} = ${num(l.eigenvalue)})`;
      return o;
    }),
  );
  state = { lines, surface: summary.perturbation?.surface ?? null, index: 0, inFlight: false, queued: null, base: null, current: null, nextId: 0, replies: 0 };
  if (!lines.length) return;
  $('explore-t').value = '0';
  request();
}

/** Shows eigenvector `index` (0-based) in the explorer, e.g. from a click on its alignment field. */
export function exploreEigenvector(index) {
  if (!state || index < 0 || index >= state.lines.length) return;
  $('explore-index').value = String(index);
  state.index = index;
  $('explore-t').value = '0';
  request();
}

/** t of the slider's position: its step times the line's reach, so the ends are where ½λt² = 2. */
function currentT() {
  const line = state.lines[state.index];
  const reach = line.t[line.t.length - 1];
  return (Number($('explore-t').value) / STEPS) * reach;
}

function request() {
  if (!state?.lines.length) return;
  const message = { type: ToWorker.PERTURB, index: state.index, t: currentT(), id: state.nextId++ };
  if (state.inFlight) state.queued = message;
  else {
    state.inFlight = true;
    send(message);
  }
  drawLine();
  drawSurface();
}

export function onPerturbed(msg) {
  if (!state) return;
  state.inFlight = false;
  state.replies += 1;
  const { width, height } = run.info.plane;
  const picture = { bitmap: bitmapOf(msg.field, width, height), segments: msg.segments, t: msg.t, index: msg.index, loss: msg.loss };
  if (msg.t === 0) state.base ??= picture;
  state.current = picture;
  // For tests and scripts: how many pictures arrived, and the loss of the last (shortest round-trip text).
  document.body.dataset.perturbed = String(state.replies);
  document.body.dataset.perturbedLoss = String(msg.loss);
  if (state.queued) {
    const next = state.queued;
    state.queued = null;
    state.inFlight = true;
    send(next);
  }
  drawExplorerBoundary();
  const line = state.lines[msg.index];
  $('explore-readout').textContent =
    `t = ${num(msg.t)} along v${sub(line.index)}: training loss ${num(msg.loss, 4)} ` +
    `(quadratic model ${num(line.loss[(line.loss.length - 1) / 2] + 0.5 * line.eigenvalue * msg.t * msg.t, 4)})`;
}

function drawExplorerBoundary() {
  const canvas = $('explore-boundary');
  const [ctx, w, h] = context(canvas);
  const info = run?.info;
  if (!info || !state?.current) return;
  const L = planeLayout(w, h, info.plane, info.dim === 1);
  const { width, height } = info.plane;
  drawField(ctx, L, state.current.bitmap, width, height);
  if (!L.oneD && height > 1) {
    clipTo(ctx, L);
    ctx.lineCap = 'round';
    if (state.base) {
      ctx.strokeStyle = 'rgba(34, 34, 34, 0.45)';
      ctx.lineWidth = 1.2;
      ctx.setLineDash([4, 3]);
      strokeSegments(ctx, L, state.base.segments, width, height);
      ctx.setLineDash([]);
    }
    ctx.strokeStyle = INK;
    ctx.lineWidth = 2;
    strokeSegments(ctx, L, state.current.segments, width, height);
    ctx.restore();
  }
  drawAxes(ctx, L, info.plane.axes);
  drawPoints(ctx, L, info);
  $('explore-t-value').textContent = `t = ${num(state.current.t)}`;
}

/** A chart layout with room for axes: {x, y, width, height, u0, u1, w0, w1}. */
function chartLayout(w, h, u0, u1, w0, w1) {
  return { x: 52, y: 10, width: Math.max(10, w - 64), height: Math.max(10, h - 44), u0, u1, w0, w1 };
}

function drawLine() {
  const canvas = $('explore-line');
  const [ctx, w, h] = context(canvas);
  const line = state?.lines[state.index];
  if (!line) return;
  const l0 = line.loss[(line.loss.length - 1) / 2];
  const model = (t) => l0 + 0.5 * line.eigenvalue * t * t;
  const t0 = line.t[0];
  const t1 = line.t[line.t.length - 1];
  const values = line.loss.filter(Number.isFinite);
  const top = Math.max(...values, model(t1));
  const bottom = Math.min(...values, l0);
  const L = chartLayout(w, h, t0, t1, bottom, bottom + (top - bottom) * 1.05 || 1);
  drawAxes(ctx, L, [`t along v${sub(line.index)}`, 'training loss']);
  clipTo(ctx, L);
  ctx.strokeStyle = INK;
  ctx.lineWidth = 2;
  ctx.beginPath();
  line.t.forEach((t, i) => (i ? ctx.lineTo(toX(L, t), toY(L, line.loss[i])) : ctx.moveTo(toX(L, t), toY(L, line.loss[i]))));
  ctx.stroke();
  ctx.strokeStyle = '#d55e00';
  ctx.setLineDash([6, 4]);
  ctx.beginPath();
  for (let i = 0; i <= 100; i++) {
    const t = t0 + ((t1 - t0) * i) / 100;
    if (i) ctx.lineTo(toX(L, t), toY(L, model(t)));
    else ctx.moveTo(toX(L, t), toY(L, model(t)));
  }
  ctx.stroke();
  ctx.setLineDash([]);
  const t = currentT();
  ctx.strokeStyle = '#0072b2';
  ctx.beginPath();
  ctx.moveTo(toX(L, t), L.y);
  ctx.lineTo(toX(L, t), L.y + L.height);
  ctx.stroke();
  ctx.restore();
  $('explore-line-legend').textContent =
    `— L(θ + t·v${sub(line.index)})   - - L(θ) + ½λ${sub(line.index)}t² with λ${sub(line.index)} = ${num(line.eigenvalue, 4)}; ` +
    `the loss's own curvature at 0: ${num(line.curvature, 4)} (${line.stencil} difference, step ${num(line.step)})`;
}

/** Filled contours: log-loss in bands, so equal-loss lines read as band edges. */
function drawSurface() {
  const canvas = $('explore-surface');
  const [ctx, w, h] = context(canvas);
  const s = state?.surface;
  if (!s) return;
  const n = s.a.length;
  const m = s.b.length;
  const logs = s.loss.map((v) => Math.log10(Math.max(v, 1e-12)));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const BANDS = 12;
  const rgba = new Uint8Array(n * m * 4);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      // Row 0 of the image is the top: b descending.
      const v = logs[(m - 1 - r) * n + c];
      const band = Math.min(BANDS - 1, Math.floor(((v - lo) / (hi - lo || 1)) * BANDS));
      const f = band / (BANDS - 1);
      const o = (r * n + c) * 4;
      rgba[o] = Math.round(255 - 200 * f);
      rgba[o + 1] = Math.round(250 - 150 * f);
      rgba[o + 2] = Math.round(220 - 60 * f);
      rgba[o + 3] = 255;
    }
  }
  const side = Math.min(w - 64, h - 44);
  const L = { x: 52, y: 10, width: side, height: side, u0: s.a[0], u1: s.a[n - 1], w0: s.b[0], w1: s.b[m - 1] };
  const image = bitmapOf(rgba, n, m);
  ctx.imageSmoothingEnabled = true;
  clipTo(ctx, L);
  ctx.drawImage(image, L.x, L.y, L.width, L.height);
  ctx.restore();
  drawAxes(ctx, L, ['t₁ along v₁', 't₂ along v₂']);
  // Where the slider is, when it moves along v₁ or v₂.
  const t = currentT();
  const at = state.index === 0 ? [t, 0] : state.index === 1 ? [0, t] : null;
  ctx.fillStyle = INK;
  ctx.beginPath();
  ctx.arc(toX(L, 0), toY(L, 0), 3, 0, 2 * Math.PI);
  ctx.fill();
  if (at) {
    ctx.strokeStyle = '#0072b2';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(toX(L, at[0]), toY(L, at[1]), 5, 0, 2 * Math.PI);
    ctx.stroke();
  }
  $('explore-surface-legend').textContent =
    `log₁₀ training loss on θ + t₁v₁ + t₂v₂, ${BANDS} bands from ${num(lo)} to ${num(hi)}; ● θ` + (at ? ', ○ the slider' : '');
}

$('explore-index').addEventListener('change', () => {
  if (!state) return;
  state.index = Number($('explore-index').value);
  $('explore-t').value = '0';
  request();
});
$('explore-t').addEventListener('input', () => request());
$('explore-reset').addEventListener('click', () => {
  $('explore-t').value = '0';
  request();
});

/** Redraws on resize (the pictures are the worker's last reply and run.json's numbers). */
export function drawExplorer() {
  drawExplorerBoundary();
  drawLine();
  drawSurface();
}
