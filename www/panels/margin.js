// The margin panel's numbers under its chart (the chart itself is drawn by src/render in the worker and
// put on the page by panels/charts.js; the markers on the boundary picture by panels/boundary.js).

import { $ } from '../dom.js';
import { num } from '../format.js';

export function clearMargin() {
  $('margin-numbers').replaceChildren();
}

/** Lists run.json's `margin` (nothing when the run has none). */
export function fillMargin(m) {
  if (!m) return;
  const dl = $('margin-numbers');
  dl.replaceChildren();
  const row = (k, v) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  };
  row('Estimate (from v₁)', num(m.estimate, 4));
  row('True distance to the boundary', m.true === null ? 'not found' : num(m.true, 4));
  row('Relative error', m.relative_error === null ? '—' : num(m.relative_error, 3));
  row('A₁ at x_b', num(m.alignment_x_b, 4));
  row('Search steps', String(m.search_steps));
}
