// The notice above the page that lists the keys of a link the worker could not use, and what it used instead.

import { $ } from './dom.js';

export function showNotices(notices) {
  const list = $('notice-list');
  list.replaceChildren();
  for (const n of notices) {
    const li = document.createElement('li');
    const key = document.createElement('code');
    key.textContent = n.key;
    const used = n.used === null || n.used === undefined ? 'ignored' : `used ${n.used === '' ? '(empty)' : n.used} instead`;
    li.append(key, document.createTextNode(` — ${n.message}. ${used[0].toUpperCase()}${used.slice(1)}.`));
    list.append(li);
  }
  $('notice').hidden = notices.length === 0;
}

$('notice-close').addEventListener('click', () => {
  $('notice').hidden = true;
});
