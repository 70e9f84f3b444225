// CSV data of the reader's own: from the file picker, dropped anywhere on the page, or carried by the link's
// fragment (#data=…, the compressed text; src/data/link.rs), then run as dataset=csv. The text goes to every
// worker with its run; the worker says whether it fits in a link, and the address bar then carries it.

import { $ } from './dom.js';
import { embed, initial } from './url.js';
import { showError } from './status.js';
import { queryFromForm } from './form.js';
import { start } from './run.js';

const MAX_CSV_BYTES = 20 * 1024 * 1024;

/** The loaded data's text, or null. */
export let csvText = null;
/** The link's #data= payload until a worker has read it (null after, whether it could or not). */
let pendingLink = initial.dataLink;
/** The loaded file's name (null for data from a link). */
let csvName = null;

/** The data part of a 'start' message: the text, or the link's payload for the worker to read. */
export function csvSource() {
  if (csvText !== null) return { csv: csvText };
  return pendingLink === null ? {} : { dataLink: pendingLink };
}

/**
 * What a worker said of the data when the run started or failed: `csv` (the text it read from the link),
 * `link` ({link} or {link: null, message} from data_link, null where the run is not on CSV data).
 */
export function csvStarted(data) {
  if (pendingLink !== null) {
    pendingLink = null;
    if (typeof data?.csv === 'string') csvText = data.csv;
  }
  if (csvText === null || !data?.link) return;
  const source = csvName === null ? 'the data in the link' : csvName;
  const fits = data.link.link ? 'The link carries the data.' : `${data.link.message[0].toUpperCase()}${data.link.message.slice(1)}.`;
  $('csv-name').textContent = `Using ${source} (${csvText.length.toLocaleString('en')} characters). ${fits}`;
  $('csv-name').hidden = false;
}

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
  csvName = file.name;
  pendingLink = null;
  $('csv-name').textContent = `Using ${file.name} (${text.length.toLocaleString('en')} characters).`;
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
