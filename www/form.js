// The settings form: built from the key specs the worker reports, filled from a canonical query, read
// back into a query; any change of a setting (or a preset) restarts the run.

import { $ } from './dom.js';
import { PRESETS, pairsKey } from './presets.js';
import { start } from './run.js';
import { loadCsv } from './csv-drop.js';
import { updateEmbedSnippet } from './share.js';

let specs = null; // [{key, default, allowed}]
const controls = () => [...$('controls').querySelectorAll('[name]')];
const specOf = (key) => specs?.find((s) => s.key === key);
const OPTIONAL = new Set(['n', 'noise', 'classes']); // "default" shows as an empty box

function optionsOf(allowed) {
  const m = /^(none, or )?one of (.*)$/.exec(allowed);
  if (!m) return null;
  const names = m[2].split(',').map((s) => s.trim());
  return m[1] ? ['none', ...names] : names;
}

/** Builds the form from the first worker's key specs (every later worker reports the same). */
export function initForm(keySpecs) {
  if (specs) return;
  specs = keySpecs;
  for (const el of controls()) {
    const spec = specOf(el.name);
    if (!spec) continue;
    if (el.tagName === 'SELECT') {
      for (const name of optionsOf(spec.allowed) ?? []) {
        const option = document.createElement('option');
        option.value = name;
        option.textContent = name;
        el.append(option);
      }
    }
    el.title = `${el.name}: ${spec.allowed} (default ${spec.default})`;
    if (el.tagName === 'INPUT' && el.type !== 'checkbox' && !OPTIONAL.has(el.name)) el.placeholder = spec.default;
  }
  const preset = $('preset');
  for (const [i, p] of PRESETS.entries()) {
    const option = document.createElement('option');
    option.value = String(i);
    option.textContent = p.name;
    preset.append(option);
  }
  const custom = document.createElement('option');
  custom.value = 'custom';
  custom.textContent = 'Custom settings';
  preset.append(custom);
}

export function fillForm(query) {
  if (!specs) return;
  const p = new URLSearchParams(query);
  for (const el of controls()) {
    const spec = specOf(el.name);
    if (!spec) continue;
    const value = p.has(el.name) ? p.get(el.name) : spec.default;
    if (el.type === 'checkbox') el.checked = value === '1' || value === 'true';
    else if (OPTIONAL.has(el.name) && value === 'default') el.value = '';
    else if (el.name === 'layers' && value === '') el.value = 'none';
    else el.value = value;
  }
  const key = pairsKey(query);
  const i = PRESETS.findIndex((preset) => pairsKey(preset.query) === key);
  $('preset').value = i >= 0 ? String(i) : 'custom';
}

export function queryFromForm() {
  const pairs = [];
  for (const el of controls()) {
    const spec = specOf(el.name);
    if (!spec) continue;
    let value = el.type === 'checkbox' ? (el.checked ? '1' : '0') : el.value.trim();
    if (OPTIONAL.has(el.name) && value === '') value = 'default';
    if (el.name === 'label-column' && value === '') value = spec.default; // an empty box: the last column
    if (el.type === 'checkbox' && value === '0' && (spec.default === 'false' || spec.default === '0')) continue;
    if (value !== spec.default) pairs.push(`${encodeURIComponent(el.name)}=${encodeURIComponent(value)}`);
  }
  return pairs.join('&');
}

$('controls').addEventListener('change', (event) => {
  if (event.target.id === 'preset') {
    const p = PRESETS[Number(event.target.value)];
    if (p) start(p.query);
    return;
  }
  if (event.target.id === 'csv-file') {
    const file = event.target.files?.[0];
    if (file) loadCsv(file);
    return;
  }
  if (event.target.closest('#embed-box')) {
    updateEmbedSnippet();
    return;
  }
  if (event.target.name) start(queryFromForm());
});
$('controls').addEventListener('submit', (event) => event.preventDefault());

$('reset').addEventListener('click', () => start(''));
