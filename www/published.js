// Published runs: a run.json that the link names (`run=PATH`) or that the site precomputed for a query
// (`cargo xtask dist --runs`), shown at once without computing; and "Recompute here", which computes the
// same query in this browser and says whether it gave the file's bytes.

import { $ } from './dom.js';
import { run, start } from './run.js';

/** `{path, url}` for a `run=` path if it is a relative path on this site, else `{path, error}`. */
export function runFile(path) {
  const bad = (error) => ({ path, error });
  if (!path) return bad('the path is empty');
  if (path.length > 1000) return bad('the path is longer than 1000 characters');
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || /^[/\\]/.test(path)) {
    return bad('it is not a relative path on this site (give it as e.g. runs/moons.json, beside the page)');
  }
  let url;
  try {
    url = new URL(path, location.href);
  } catch {
    return bad('it is not a path');
  }
  if (url.origin !== location.origin) return bad('it is not on this site');
  return { path, url: url.href };
}

let manifest = null;

/** The site's precomputed runs, {canonical query: {path, url}}, from the list `<meta name="hessian-boundary:runs">` names (none without it). */
export function publishedRuns() {
  manifest ??= loadManifest();
  return manifest;
}

async function loadManifest() {
  const meta = document.querySelector('meta[name="hessian-boundary:runs"]');
  if (!meta) return {};
  try {
    const response = await fetch(new URL(meta.content, location.href));
    const list = response.ok ? await response.json() : {};
    const runs = {};
    for (const [query, path] of Object.entries(list)) {
      const file = typeof path === 'string' ? runFile(path) : null;
      if (file?.url) runs[query] = file;
    }
    return runs;
  } catch {
    return {};
  }
}

/**
 * At the end of a run: the status line for a run shown from its file (with "Recompute here" offered) or
 * recomputed to check one, else null.
 */
export function publishedStatus() {
  $('recompute').hidden = !run.file;
  if (run.file) {
    const snapshots = run.analysed.summary.snapshots?.length ? ' (its training snapshots need that: the file has no θ of them)' : '';
    return `Shown from ${run.file} at once: computed ahead of time, nothing was recomputed here. Recompute here to check it${snapshots}.`;
  }
  if (run.expect === undefined) return null;
  const same = run.analysed.json === run.expect.json;
  document.body.dataset.recompute = same ? 'same' : 'different';
  if (same) return `Recomputed here: run.json is byte for byte ${run.expect.path}.`;
  const at = [...run.expect.json].findIndex((c, i) => c !== run.analysed.json[i]);
  return `Recomputed here: run.json differs from ${run.expect.path} from character ${at < 0 ? run.expect.json.length : at} on.`;
}

$('recompute').addEventListener('click', () => {
  if (!run?.file || !run.analysed) return;
  start(run.query, { expect: { json: run.analysed.json, path: run.file } });
});
