// The alignment panel: the fields Aᵢ(x) of the shown model as small multiples with the boundary on them
// (curves over the line for 1-D data), their captions, the colour bar's size and the read-outs.

import { $ } from '../dom.js';
import { className, num, sub } from '../format.js';
import { bitmapOf, context } from '../canvas.js';
import { exploreEigenvector } from './explorer.js';
import { FONT, INK, classColor, clipTo, drawAxes, drawField, planeAspect, strokeSegments, toX, toY } from '../plot.js';
import { keyboardProbe } from '../probe.js';
import { run } from '../run.js';

export function clearFields() {
  const placeholder = document.createElement('p');
  placeholder.className = 'placeholder';
  placeholder.textContent = 'After training.';
  $('fields').replaceChildren(placeholder);
  $('fields-readout').textContent = '';
}

/** Makes the panel's canvases for the shown model (run.view) and draws them. */
export function buildFields() {
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
    // The final model's fields pick the explorer's eigenvector.
    if (v.index === null) {
      canvas.title = `Click to move θ along v${i + 1}`;
      canvas.addEventListener('click', () => {
        exploreEigenvector(i);
        document.querySelector('[data-panel="explorer"]').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
      });
    }
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
  $('fields-readout').textContent = `x = ${num(u)}: ${parts.join(', ')} · predicted ${className(v.predicted[col], run.info.class_names)}`;
}

export function drawFields() {
  drawLineFields();
  const a = run?.analysed;
  const v = run?.view;
  if (!v?.fieldBitmaps) return;
  const first = document.querySelector('#fields figure');
  if (first) $('colorbar').style.height = `${Math.max(130, Math.min(320, first.offsetHeight))}px`;
  for (const canvas of document.querySelectorAll('#fields canvas.field')) {
    drawFieldCanvas(canvas, v.fieldBitmaps[Number(canvas.dataset.index)], v.fields.segments, a.size, a.summary.alignment.grid);
  }
}

/** One field picture on `canvas`: the field image at the plane's aspect, the boundary segments over it. */
export function drawFieldCanvas(canvas, bitmap, segments, [width, height], plane) {
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
  drawField(ctx, L, bitmap, width, height);
  ctx.strokeStyle = 'rgba(34,34,34,0.85)';
  ctx.lineWidth = 1.2;
  ctx.lineCap = 'round';
  strokeSegments(ctx, L, segments, width, height);
  ctx.strokeStyle = INK;
  ctx.lineWidth = 1;
  ctx.strokeRect(L.x, L.y, L.width, L.height);
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
    `A${sub(i + 1)}(${names[0]} = ${num(u)}, ${names[1]} = ${num(wv)}) = ${num(value, 3)} · predicted ${className(v.predicted[row * width + col], run.info.class_names)}`;
}

