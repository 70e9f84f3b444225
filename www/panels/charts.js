// The charts src/render draws in the worker — the spectrum panel (eigenvalues, density), the alignment
// matrix, the margin chart and the alignment colour bar: asked for at each canvas's size, then blitted.

import { $ } from '../dom.js';
import { context, fit } from '../canvas.js';
import { FONT } from '../plot.js';
import { ToWorker } from '../protocol.js';
import { run, send } from '../run.js';

/** [name, canvas] of each chart, the visible ones only unless `all`. */
function chartCanvases({ all = false } = {}) {
  const list = [
    ['eigenvalues', $('eigenvalues')],
    ['density', $('density')],
    ['matrix', $('matrix')],
    ['margin', $('margin')],
    ['colorbar', $('colorbar')],
  ];
  return all ? list : list.filter(([, c]) => c.offsetParent !== null);
}

/** Asks the worker for the visible charts (those `where` keeps: the matrix, whose title has G, waits
 * for G over all p). */
export function requestCharts(where = () => true) {
  if (!run?.analysed) return;
  const charts = chartCanvases().filter(([name]) => where(name)).map(([name, canvas]) => {
    const [w, , r] = fit(canvas);
    // Narrow charts (phones, iframes) draw their text and marks smaller, so titles still fit.
    const shrink = name === 'colorbar' ? 1 : Math.min(1, Math.max(0.75, w / 420));
    return { name, width: canvas.width, height: canvas.height, scale: r * shrink };
  });
  send({ type: ToWorker.RENDER, charts: charts.filter((c) => c.width > 1 && c.height > 1), snapshot: run.view.index });
}

/** Draws the bitmaps of a 'charts' message, if they are still for the timeline position shown. */
export function onCharts(charts, snapshot) {
  const byName = Object.fromEntries(chartCanvases({ all: true }));
  if (snapshot !== run?.view?.index) {
    // Drawn for a timeline position the reader has since left.
    for (const c of charts) c.bitmap?.close();
    return;
  }
  for (const c of charts) {
    const canvas = byName[c.name];
    if (!canvas) {
      c.bitmap?.close();
      continue;
    }
    if (c.error) {
      const [ctx] = context(canvas);
      ctx.fillStyle = '#a4161a';
      ctx.font = FONT;
      ctx.fillText(c.error, 10, 20);
      continue;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(c.bitmap, 0, 0, canvas.width, canvas.height);
    c.bitmap.close();
    canvas.dataset.drawn = '1';
    canvas.dataset.view = snapshot === null ? 'final' : String(snapshot);
  }
}

export function clearCharts() {
  for (const [, canvas] of chartCanvases({ all: true })) {
    delete canvas.dataset.drawn;
    delete canvas.dataset.view;
    context(canvas);
  }
}
