// What the page's own plots share: colours and font, plot coordinates over the data plane, axes and
// ticks, clipping, field images and boundary segments.

import { num } from './format.js';

/** Okabe–Ito class colours, the same as src/render/color.rs. */
export const CLASS_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#f0e442'];
export const classColor = (c) => CLASS_COLORS[c % CLASS_COLORS.length];
export const INK = '#222222';
export const FONT = '12px system-ui, sans-serif';

/** Height / width of a picture of the plane: the data's own aspect, within limits; a strip for 1-D. */
export function planeAspect(plane, oneD) {
  if (oneD) return 0.45;
  const a = (plane.w_range[1] - plane.w_range[0]) / (plane.u_range[1] - plane.u_range[0]);
  return Math.min(1.15, Math.max(0.55, a));
}

export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push(Math.abs(t) < 1e-12 ? 0 : t);
  return ticks;
}

/** Plane coordinates (u, w) to CSS pixels on a plot laid out as L = {x, y, width, height, u0, u1, w0, w1}. */
export const toX = (L, u) => L.x + ((u - L.u0) / (L.u1 - L.u0)) * L.width;
export const toY = (L, w) => L.y + ((L.w1 - w) / (L.w1 - L.w0)) * L.height;

export function drawAxes(ctx, L, names) {
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
export function clipTo(ctx, R) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(R.x, R.y, R.width, R.height);
  ctx.clip();
}

/** Draws a field image so that its pixel centres sit on the grid's points (edges at the range's ends). */
export function drawField(ctx, L, image, width, height) {
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

/** Boundary segments (flat [col, row, col, row, …] in grid pixels, from src/render/contour.rs) on a plot. */
export function strokeSegments(ctx, L, segments, width, height) {
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
