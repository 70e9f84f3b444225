// CSV data of the reader's own, from the file picker or dropped anywhere on the page: read here, then run
// as dataset=csv. The text goes to every worker with its run; a link cannot carry it.

import { $ } from './dom.js';
import { embed } from './url.js';
import { showError } from './status.js';
import { queryFromForm } from './form.js';
import { start } from './run.js';

const MAX_CSV_BYTES = 20 * 1024 * 1024;

/** The loaded file's text, or null. */
export let csvText = null;

export async function loadCsv(file) {
  if (file.size > MAX_CSV_BYTES) {
    showError(`bad data: ${file.name} is ${(file.size / 1048576).toFixed(1)} MiB; files up to 20 MiB are read`);
    return;
  }
  let text;
  try {
    text = await file.text();
  } catch (e) {
    showError(`bad data: could not read ${file.name}: ${e.message}`);
    return;
  }
  csvText = text;
  $('csv-name').textContent = `Using ${file.name} (${text.length.toLocaleString('en')} characters). A link cannot carry the file: share it alongside.`;
  $('csv-name').hidden = false;
  const p = new URLSearchParams(queryFromForm());
  p.set('dataset', 'csv');
  start(p.toString());
}

document.addEventListener('dragover', (event) => {
  if (embed) return;
  event.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (event.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  if (embed) return;
  event.preventDefault();
  document.body.classList.remove('dragging');
  const file = event.dataTransfer?.files?.[0];
  if (file) loadCsv(file);
});
