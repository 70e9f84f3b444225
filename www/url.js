// The page's URL: its query split into the config (handed to the worker as given) and the page keys:
// `embed` and `panels` (embed mode and its panels), `autosize` (an embed as tall as its content, which it
// tells the parent page), `run` (a published run.json to show instead of computing) and `workers` (how
// many workers compute, www/pool.js: read once at load and dropped from the address, so no link carries
// it; the numbers never depend on it); and the fragment
// `#data=…`, a dataset the link carries (src/data/link.rs), which no server sees.

const PAGE_KEYS = new Set(['embed', 'panels', 'autosize', 'run', 'workers']);
export const ALL_PANELS = ['boundary', 'training', 'metrics', 'alignment', 'spectrum', 'matrix', 'margin', 'explorer', 'tracks', 'checks', 'regimes'];
export const DEFAULT_EMBED_PANELS = 'boundary,alignment,spectrum';

/** Splits a search string into the config's part (raw, as given) and the page keys. */
export function splitSearch(search) {
  const config = [];
  const page = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    let key;
    try {
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ')).trim();
    } catch {
      key = null;
    }
    if (key !== null && PAGE_KEYS.has(key)) {
      let value = eq < 0 ? '' : pair.slice(eq + 1);
      try {
        value = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        value = '';
      }
      page[key] = value;
    } else {
      config.push(pair);
    }
  }
  return { config: config.join('&'), page };
}

export const initial = {
  ...splitSearch(location.search),
  /** The `#data=` payload as the link has it (the worker reads it), or null. */
  dataLink: location.hash.startsWith('#data=') ? location.hash.slice('#data='.length) : null,
};

/** The fragment that carries `payload` (none for null). */
export const dataFragment = (payload) => (payload ? `#data=${payload}` : '');
export const embed = initial.page.embed === '1' || initial.page.embed === 'true';
export const embedPanels = (initial.page.panels ?? DEFAULT_EMBED_PANELS)
  .split(',')
  .map((p) => p.trim())
  .filter((p) => ALL_PANELS.includes(p));

export const autosize = embed && (initial.page.autosize === '1' || initial.page.autosize === 'true');

/** The page keys to keep after the config when the URL is rewritten; `file`: the run.json shown from the link's `run`. */
export function pageSuffix(file) {
  const run = file ? `&run=${encodeURIComponent(file).replace(/%2F/g, '/')}` : '';
  if (!embed) return run;
  return `&embed=1&panels=${embedPanels.join(',')}${autosize ? '&autosize=1' : ''}${run}`;
}
