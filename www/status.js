// The run's state as the page shows it: body[data-state] (which the CSS and the tests follow), the status
// line, and the error box.

import { $ } from './dom.js';

export function setState(state) {
  document.body.dataset.state = state;
}

export function setStatus(text) {
  $('status').textContent = text;
}

export function showError(text) {
  $('error').textContent = text;
  $('error').hidden = false;
}

export function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}
