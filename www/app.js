// The page's entry module: embed mode, redrawing on resize, and the first run, the one the URL asks for
// (started through embed.js, which holds an embed back until it is in view and its turn).
// The rest is one module per concern (docs/architecture.md lists them); all computing is in www/worker.js.
//
// Safety: nothing from the URL, a CSV file or the worker is ever inserted as HTML — text goes through
// textContent (or form values), attributes through setAttribute with values we build ourselves.

import { $ } from './dom.js';
import { embed, embedPanels, initial } from './url.js';
import { dpr } from './canvas.js';
import { begin } from './embed.js';
import { drawBoundary } from './panels/boundary.js';
import { drawCurves } from './panels/training.js';
import { drawFields } from './panels/alignment.js';
import { requestCharts } from './panels/charts.js';
import { drawExplorer } from './panels/explorer.js';
import { drawTracks } from './panels/tracks.js';
import { drawComparison } from './panels/operator.js';
// These wire their own controls when loaded.
import './playback.js';
import './form.js';
import './notice.js';
import './csv-drop.js';
import './share.js';
import './timeline.js';
import './regimes.js';

// Canvases are drawn at their box's size: redraw them when it changes. The worker's charts take a round
// trip, so they are asked for again only when their boxes' sizes or the pixel ratio changed.
let resizeTimer = null;
let lastSizes = '';
const chartSizes = () =>
  [...document.querySelectorAll('.plot canvas, #colorbar')].map((c) => `${c.clientWidth}x${c.clientHeight}`).join() + `@${dpr()}`;
const resized = new ResizeObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    drawBoundary();
    drawCurves();
    drawFields();
    drawExplorer();
    drawTracks();
    drawComparison();
    const sizes = chartSizes();
    if (sizes !== lastSizes) requestCharts();
    lastSizes = sizes;
  }, 120);
});
// The plots too: an embed sizes them to its frame's height, not only its width.
for (const el of [document.querySelector('main'), ...document.querySelectorAll('.plot, #fields')]) resized.observe(el);

if (embed) {
  document.body.classList.add('embed');
  for (const panel of document.querySelectorAll('[data-panel]')) {
    panel.hidden = !embedPanels.includes(panel.dataset.panel);
  }
  $('open-full').href = new URL(location.pathname, location.href).href;
}

begin(initial.config, initial.page.run, { fromUrl: true });
