// Sharing and exporting: Copy link, the Embed snippet, and the downloads (run.json, the data as CSV,
// each panel as PNG).

import { $ } from './dom.js';
import { ALL_PANELS, DEFAULT_EMBED_PANELS, dataFragment, embed } from './url.js';
import { Purpose, ToWorker } from './protocol.js';
import { run, send } from './run.js';

$('copy-link').addEventListener('click', async () => {
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    $('copy-status').textContent = 'Link copied. It reproduces this run exactly.';
  } catch {
    $('copy-status').textContent = `Copy this link: ${url}`;
  }
});

function embedUrl() {
  const panels = $('embed-panels')
    .value.split(',')
    .map((p) => p.trim())
    .filter((p) => ALL_PANELS.includes(p));
  const base = new URL(location.pathname, location.href);
  return `${base.href}?${run?.query ?? 'v=2'}&embed=1&panels=${(panels.length ? panels : DEFAULT_EMBED_PANELS.split(',')).join(',')}${dataFragment(run?.dataLink)}`;
}

export function updateEmbedSnippet() {
  if (embed) return;
  $('embed-snippet').value =
    `<iframe src="${embedUrl().replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" width="100%" height="640" ` +
    'style="border:0" loading="lazy" title="Hessian eigenvectors and the decision boundary"></iframe>';
}

$('embed-button').addEventListener('click', () => {
  const box = $('embed-box');
  box.hidden = !box.hidden;
  $('embed-button').setAttribute('aria-expanded', String(!box.hidden));
  updateEmbedSnippet();
  if (!box.hidden) $('embed-snippet').select();
});

export function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The run.json and CSV downloads exist once the run is analysed. */
export function setExportsEnabled(enabled) {
  $('export-json').disabled = !enabled;
  $('export-csv').disabled = !enabled;
}

$('export-json').addEventListener('click', () => {
  if (run?.analysed) download('run.json', new Blob([run.analysed.json], { type: 'application/json' }));
});
$('export-csv').addEventListener('click', () => send({ type: ToWorker.CSV }));

for (const button of document.querySelectorAll('button.png')) {
  button.addEventListener('click', () => exportPanel(button.dataset.png));
}

/** The alignment fields for a PNG: src/render's small multiples with their colour bar, as the CLI draws them. */
function exportFields() {
  const a = run?.analysed;
  const k = a?.summary.alignment?.fields.length ?? 0;
  if (k === 0 || run.info.dim === 1) return false;
  const cols = Math.ceil(k / Math.ceil(k / 5));
  const rows = Math.ceil(k / cols);
  send({ type: ToWorker.RENDER, purpose: Purpose.EXPORT, charts: [{ name: `fields-${cols}`, width: 2 * (cols * 260 + 90), height: 2 * rows * 290, scale: 2 }] });
  return true;
}

/** Downloads a chart bitmap the worker drew for export as `name`.png. */
export function savePng(name, bitmap) {
  const out = document.createElement('canvas');
  out.width = bitmap.width;
  out.height = bitmap.height;
  out.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  out.toBlob((blob) => blob && download(`${name}.png`, blob), 'image/png');
}

/** One PNG of a panel: its canvases side by side on white, at the device's resolution. */
function exportPanel(name) {
  // A training snapshot's fields exist only on the page: its PNG is the canvases as shown.
  if (name === 'alignment' && run?.view?.index === null && exportFields()) return;
  const panel = document.querySelector(`[data-panel="${name}"]`);
  const canvases = [...panel.querySelectorAll('canvas')].filter((c) => c.width > 1 && c.offsetParent !== null);
  if (canvases.length === 0) return;
  const width = canvases.reduce((w, c) => w + c.width, 0);
  const height = Math.max(...canvases.map((c) => c.height));
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  let x = 0;
  for (const c of canvases) {
    ctx.drawImage(c, x, 0);
    x += c.width;
  }
  out.toBlob((blob) => blob && download(`${name}.png`, blob), 'image/png');
}
