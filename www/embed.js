// What an embed (`embed=1`) does beyond showing its panels: it lays them out for its frame's width and
// height (or, with `autosize=1`, tells the parent page its height), starts computing only once scrolled
// into view and only when no other embed of this site on the page is computing (Web Locks), and takes
// commands from the parent page (the message API below; README "Embedding").
//
// Messages from the parent are data, never code or markup: only the fields below are read, each checked
// for its type, and a command can do no more than a link can. Anything else is ignored.
//   {type: 'hessian-boundary:set', query}           show this configuration, read like a link's query
//   {type: 'hessian-boundary:snapshot', index}      timeline position (0 the first snapshot, -1 the final model)
//   {type: 'hessian-boundary:eigenvector', index}   highlight field A_(index+1) (null: none)
// To the parent:
//   {type: 'hessian-boundary:state', state, epoch}  whenever body[data-state] changes
//   {type: 'hessian-boundary:size', height}         with autosize=1, whenever the content's height changes

import { $ } from './dom.js';
import { autosize, embed, splitSearch } from './url.js';
import { run, start } from './run.js';
import { setState, setStatus } from './status.js';
import { runFile } from './published.js';

const PREFIX = 'hessian-boundary:';
/** One lock for every embed of this site: whoever holds it computes. */
const LOCK = 'hessian-boundary:compute';
/** The longest query a 'set' message may carry. */
const MAX_QUERY = 8192;
const parent = window.parent !== window ? window.parent : null;

const tell = (message) => parent?.postMessage(message, '*');

// --- Starting: in view, one embed at a time ------------------------------------------------------

let visible = null;
/** Resolves once any part of the page is in the top-level viewport (the frame has been scrolled to). */
function inView() {
  visible ??= new Promise((resolve) => {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe(document.body);
  });
  return visible;
}

/** Ends this embed's turn to compute. */
let releaseTurn = () => {};
/** Counts requests, so that only the latest starts. */
let requests = 0;

/**
 * Starts the run a link or a 'set' message asks for: at once on the full page; in an embed once it is in
 * view and, unless it shows a published file, once it holds the lock (released when the run ends).
 */
export async function begin(query, runPath, { fromUrl = false } = {}) {
  const file = runPath === undefined ? undefined : runFile(runPath);
  if (!embed) return start(query, { fromUrl, file });
  const request = ++requests;
  releaseTurn();
  setState('waiting');
  setStatus('Starts when scrolled into view.');
  await inView();
  if (request !== requests) return;
  if (file?.url || !navigator.locks) return start(query, { fromUrl, file });
  setState('queued');
  setStatus('Waiting for another figure on this page to finish…');
  navigator.locks.request(
    LOCK,
    () =>
      new Promise((resolve) => {
        releaseTurn = resolve;
        if (request !== requests) resolve();
        else start(query, { fromUrl, file });
      }),
  );
}

// --- Events to the parent; the turn ends with the run -----------------------------------------------

new MutationObserver(() => {
  const state = document.body.dataset.state;
  // Told first, so the parent hears of the end before another embed can start.
  if (embed) tell({ type: `${PREFIX}state`, state, epoch: run?.epoch ?? 0 });
  if (state === 'done' || state === 'error') releaseTurn();
  applyWanted();
}).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });

// --- Commands from the parent ---------------------------------------------------------------------

/** What the parent asked to see, applied once the run has it. */
const wanted = { snapshot: undefined, eigenvector: null };

window.addEventListener('message', (event) => {
  if (!embed || event.source !== parent) return;
  const data = event.data;
  if (typeof data !== 'object' || data === null || typeof data.type !== 'string') return;
  if (data.type === `${PREFIX}set`) {
    if (typeof data.query !== 'string' || data.query.length > MAX_QUERY) return;
    const { config, page } = splitSearch(data.query);
    wanted.snapshot = undefined;
    begin(config, page.run);
  } else if (data.type === `${PREFIX}snapshot`) {
    if (!Number.isInteger(data.index)) return;
    wanted.snapshot = data.index;
    applyWanted();
  } else if (data.type === `${PREFIX}eigenvector`) {
    if (data.index !== null && !(Number.isInteger(data.index) && data.index >= 0)) return;
    wanted.eigenvector = data.index;
    applyWanted();
  }
});

function applyWanted() {
  const positions = run?.analysed?.positions;
  const state = document.body.dataset.state;
  if (wanted.snapshot !== undefined && positions && !$('timeline').hidden && (state === 'done' || state === 'generalizing')) {
    const n = positions.length;
    const i = wanted.snapshot < 0 ? n + wanted.snapshot : wanted.snapshot;
    wanted.snapshot = undefined;
    if (i >= 0 && i < n) {
      $('scrub').value = String(i);
      $('scrub').dispatchEvent(new Event('input'));
    }
  }
  const figures = [...$('fields').querySelectorAll('figure')];
  const chosen = wanted.eigenvector !== null && wanted.eigenvector < figures.length ? wanted.eigenvector : null;
  figures.forEach((f, i) => f.classList.toggle('highlighted', i === chosen));
  $('fields').classList.toggle('has-highlight', chosen !== null);
}

// --- Layout: the panels fill the frame ------------------------------------------------------------

/** Smallest plot width tried before a layout counts as not fitting. */
const MIN_FIT = 64;

/** The largest --fit (px) at which `panel` shows all its content, or 0 if none; null without anything to size. */
function largestFit(panel) {
  const sized = panel.querySelector('.plot, .fields');
  const fits = () => panel.scrollHeight <= panel.clientHeight + 1 && panel.scrollWidth <= panel.clientWidth + 1;
  const at = (px) => {
    panel.style.setProperty('--fit', `${px}px`);
    return fits();
  };
  if (!sized) return at(MIN_FIT) ? null : 0;
  let lo = MIN_FIT;
  let hi = Math.max(MIN_FIT, panel.clientWidth);
  if (!at(lo)) return 0;
  if (at(hi)) return hi;
  while (hi - lo > 2) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid)) lo = mid;
    else hi = mid;
  }
  at(lo);
  return lo;
}

/** Tries each grid of columns × rows for the shown panels and keeps the one with the largest plots. */
function fitPanels() {
  const box = document.querySelector('.panels');
  const panels = [...box.querySelectorAll(':scope > .panel')].filter((p) => !p.hidden);
  if (panels.length === 0) return;
  const top = box.getBoundingClientRect().top + window.scrollY;
  const bottom = parseFloat(getComputedStyle(document.querySelector('.layout')).paddingBottom) || 0;
  box.style.height = `${Math.max(160, Math.floor(window.innerHeight - top - bottom))}px`;
  let best = null;
  for (let cols = 1; cols <= panels.length; cols++) {
    const rows = Math.ceil(panels.length / cols);
    if (cols > 1 && Math.ceil(panels.length / (cols - 1)) === rows) continue;
    box.style.setProperty('--cols', String(cols));
    box.style.setProperty('--rows', String(rows));
    const fits = panels.map(largestFit);
    const sized = fits.filter((f) => f !== null);
    const score = sized.length ? Math.min(...sized) : fits.every((f) => f === null) ? 1 : 0;
    if (!best || score > best.score) best = { cols, rows, fits, score };
  }
  box.style.setProperty('--cols', String(best.cols));
  box.style.setProperty('--rows', String(best.rows));
  panels.forEach((p, i) => p.style.setProperty('--fit', `${best.fits[i] || MIN_FIT}px`));
  box.dataset.grid = `${best.cols}x${best.rows}`;
}

let fitPending = false;
function refit() {
  if (fitPending) return;
  fitPending = true;
  requestAnimationFrame(() => {
    fitPending = false;
    fitPanels();
  });
}

let lastHeight = 0;
function tellHeight() {
  const height = Math.ceil(document.body.getBoundingClientRect().height);
  if (height === lastHeight) return;
  lastHeight = height;
  tell({ type: `${PREFIX}size`, height });
}

if (embed) {
  document.body.classList.add(autosize ? 'autosize' : 'fit');
  if (autosize) {
    new ResizeObserver(tellHeight).observe(document.body);
  } else {
    window.addEventListener('resize', refit);
    // What changes the panels' content or the room above them (not the read-outs, which are one line).
    new MutationObserver(refit).observe(document.body, { attributes: true, attributeFilter: ['hidden', 'class'], subtree: true });
    new MutationObserver((records) => records.some((r) => !r.target.closest?.('.readout')) && refit()).observe(document.querySelector('.panels'), {
      childList: true,
      subtree: true,
    });
    refit();
  }
  new MutationObserver(applyWanted).observe($('fields'), { childList: true });
}
