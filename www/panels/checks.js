// The self-test panel: run.json's `checks`, each with its number, its tolerance and pass or fail, for
// the model on screen (src/analysis/checks.rs says what each compares).

import { $ } from '../dom.js';
import { num } from '../format.js';

const NAMES = {
  hvp: 'Hessian-vector product vs finite differences',
  symmetry: 'Operator symmetry',
  residual: 'Eigenpair residuals',
  curvature: 'Loss curvature along v₁ vs λ₁',
  dense: 'Solver vs dense eigensolver',
};

export function clearChecks() {
  $('checks').querySelector('tbody').replaceChildren();
  $('checks-summary').textContent = 'After the analysis.';
}

export function fillChecks(checks) {
  const body = $('checks').querySelector('tbody');
  body.replaceChildren();
  let failed = 0;
  let done = 0;
  for (const c of checks ?? []) {
    const row = document.createElement('tr');
    const verdict = c.pass === null ? 'skipped' : c.pass ? '✓ pass' : '✗ fail';
    if (c.pass === false) failed += 1;
    if (c.pass !== null) done += 1;
    row.dataset.check = c.name;
    row.dataset.pass = String(c.pass);
    for (const text of [NAMES[c.name] ?? c.name, c.value === null ? '—' : num(c.value), `≤ ${num(c.tolerance)}`, verdict, c.detail]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    body.append(row);
  }
  $('checks-summary').textContent = failed ? `${failed} of ${done} checks failed.` : `All ${done} checks passed.`;
}
