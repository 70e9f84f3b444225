// The training panel: loss (log scale) above, training and test accuracy below, drawn from the run's
// history as it grows, with its read-out.

import { $ } from '../dom.js';
import { num, percent, superscript } from '../format.js';
import { context } from '../canvas.js';
import { FONT, INK, clipTo, niceTicks } from '../plot.js';
import { keyboardProbe } from '../probe.js';
import { run } from '../run.js';

export function drawCurves() {
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
