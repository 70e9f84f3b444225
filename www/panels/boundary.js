// The decision-boundary panel: the predicted regions (live during training, then the shown model's), the
// boundary line, the data points, the margin markers after the analysis, the legend and the read-out.

import { $ } from '../dom.js';
import { className, num } from '../format.js';
import { bitmapOf, context } from '../canvas.js';
import { CLASS_COLORS, INK, classColor, clipTo, drawAxes, drawField, strokeSegments, toX, toY } from '../plot.js';
import { keyboardProbe } from '../probe.js';
import { run } from '../run.js';

/** The plot's layout in CSS pixels: equal scales on both axes, centred. */
export function planeLayout(w, h, plane, oneD) {
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

/** Where the points go: 1-D data sits on two rows (training above, test below). */
function pointY(L, xy, test) {
  return L.oneD ? L.y + L.height * (test ? 0.7 : 0.4) : toY(L, xy[1]);
}

export function drawPoints(ctx, L, info) {
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

export function drawBoundary() {
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
  const legend = $('boundary-legend');
  legend.replaceChildren();
  for (let c = 0; c < Math.min(info.classes, 10); c++) {
    const swatch = document.createElement('span');
    swatch.className = `swatch c${c % CLASS_COLORS.length}`;
    legend.append(swatch, document.createTextNode(`${className(c, info.class_names)}  `));
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
  if (c !== null && c !== undefined) text += ` · predicted ${className(c, run.info.class_names)}`;
  // The nearest point within 8 px.
  let best = null;
  for (const [set, test] of [[run.info.train, false], [run.info.test, true]]) {
    set.xy.forEach((xy, i) => {
      const d = Math.hypot(toX(L, xy[0]) - px, pointY(L, xy, test) - py);
      if (d < 8 && (!best || d < best.d)) best = { d, y: set.y[i], test };
    });
  }
  if (best) text += ` · ${best.test ? 'test' : 'training'} point of ${className(best.y, run.info.class_names)}`;
  $('boundary-readout').textContent = text;
}

$('boundary').addEventListener('pointermove', (event) => boundaryReadout(event));
keyboardProbe($('boundary'), (event) => boundaryReadout(event), () => {
  $('boundary-readout').textContent = '';
});
$('boundary').addEventListener('pointerleave', () => {
  $('boundary-readout').textContent = '';
});
