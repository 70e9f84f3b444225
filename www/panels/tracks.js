// Curvature through training (with `snap`): λ₁…λ_k at each snapshot, each eigenvector followed by its
// overlap with the previous snapshot's (src/analysis/tracking.rs) so a line is one eigenvector and keeps
// its colour, and the line 2/lr, the step size's stability edge for gradient descent.

import { $ } from '../dom.js';
import { num, sub } from '../format.js';
import { context } from '../canvas.js';
import { INK, classColor, clipTo, drawAxes, toX, toY } from '../plot.js';

let data = null; // {epochs, series: [[λ per snapshot] per slot], edge, log, opt}

export function clearTracks() {
  data = null;
  $('tracks-panel').hidden = true;
}

/** `tracks[s][i]` = [slot, sign] of snapshot s's eigenvector i (the worker's Session.tracks()). */
export function setupTracks(summary, tracks) {
  const snaps = summary.snapshots ?? [];
  if (!snaps.length || !tracks?.length) return clearTracks();
  const k = Math.max(...snaps.map((s) => s.eigenvalues.length));
  const series = Array.from({ length: k }, () => snaps.map(() => NaN));
  snaps.forEach((s, j) => s.eigenvalues.forEach((v, i) => {
    const slot = tracks[j]?.[i]?.[0] ?? i;
    if (slot < k) series[slot][j] = v;
  }));
  const values = series.flat().filter(Number.isFinite);
  const edge = 2 / summary.config.lr;
  data = { epochs: snaps.map((s) => s.epoch), series, edge, log: values.every((v) => v > 0), opt: summary.config.opt, overlaps: snaps.map((s) => s.overlaps) };
  $('tracks-panel').hidden = false;
  drawTracks();
}

export function drawTracks() {
  const canvas = $('tracks');
  const [ctx, w, h] = context(canvas);
  if (!data) return;
  const values = data.series.flat().filter(Number.isFinite);
  const f = data.log ? Math.log10 : (v) => v;
  let lo = f(Math.min(...values));
  let hi = f(Math.max(...values));
  // The edge joins the chart when it is within a decade (or, on a linear axis, twice) of the top.
  const edgeShown = data.log ? f(data.edge) <= hi + 1 : data.edge <= 2 * hi;
  if (edgeShown) hi = Math.max(hi, f(data.edge));
  const pad = (hi - lo || 1) * 0.08;
  lo -= pad;
  hi += pad;
  const e0 = data.epochs[0];
  const e1 = data.epochs[data.epochs.length - 1];
  const L = { x: 56, y: 10, width: Math.max(10, w - 68), height: Math.max(10, h - 44), u0: e0, u1: e1 > e0 ? e1 : e0 + 1, w0: lo, w1: hi };
  drawAxes(ctx, L, ['epoch', data.log ? 'log₁₀ λ' : 'λ']);
  clipTo(ctx, L);
  data.series.forEach((line, slot) => {
    ctx.strokeStyle = classColor(slot);
    ctx.fillStyle = classColor(slot);
    ctx.lineWidth = 1.8;
    ctx.beginPath();
    let started = false;
    line.forEach((v, j) => {
      if (!Number.isFinite(v)) return;
      const [x, y] = [toX(L, data.epochs[j]), toY(L, f(v))];
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    });
    ctx.stroke();
  });
  if (edgeShown) {
    ctx.strokeStyle = INK;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(L.x, toY(L, f(data.edge)));
    ctx.lineTo(L.x + L.width, toY(L, f(data.edge)));
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.restore();
  const worst = data.overlaps.slice(1).flat().filter(Boolean).reduce((m, o) => Math.min(m, o.overlap), 1);
  $('tracks-legend').textContent =
    `Each colour is one eigenvector, followed from snapshot to snapshot by its overlap (the last snapshot's order: ` +
    data.series.map((_, i) => `v${sub(i + 1)}`).join(', ') +
    `; the smallest overlap between two snapshots is ${num(worst)}). ` +
    (edgeShown ? '- - ' : '') +
    `2/lr = ${num(data.edge)}, gradient descent's stability edge${edgeShown ? '' : ', is far above the chart'}` +
    (data.opt === 'adam' ? ' (for SGD; Adam adapts its steps)' : '') +
    '.';
}
