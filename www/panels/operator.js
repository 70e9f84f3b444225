// Which curvature matrix the spectrum panel shows (operator=hessian|ggn|fisher, which=top|bottom|magnitude),
// and the one-click switch between the Hessian and the Gauss–Newton: the same run with the other operator.

import { $ } from '../dom.js';
import { run, start } from '../run.js';

const NAMES = { hessian: 'Hessian', ggn: 'Gauss–Newton', fisher: 'empirical Fisher' };
const WHAT = {
  hessian: 'The Hessian of the mean training loss',
  ggn: 'The generalized Gauss–Newton Jᵀ H_out J of the mean training loss (the Hessian without the terms in the loss’s gradient)',
  fisher: 'The empirical Fisher (1/n) Σ g g ᵀ of the training gradients (true labels)',
};
const END = { top: 'its largest eigenvalues', bottom: 'its most negative eigenvalues', magnitude: 'its eigenvalues largest in magnitude' };

/** After the analysis: names the operator and the end of its spectrum, and offers the other operator. */
export function showOperator(config) {
  const op = config.operator ?? 'hessian';
  $('h-spectrum').textContent = `${NAMES[op][0].toUpperCase()}${NAMES[op].slice(1)} spectrum`;
  $('spectrum-operator').textContent = `${WHAT[op]}, ${END[config.which ?? 'top']}.`;
  $('switch-operator').textContent = op === 'hessian' ? 'Show the Gauss–Newton' : 'Show the Hessian';
  $('switch-operator').dataset.to = op === 'hessian' ? 'ggn' : 'hessian';
}

$('switch-operator').addEventListener('click', () => {
  if (!run?.query) return;
  const params = new URLSearchParams(run.query);
  const to = $('switch-operator').dataset.to ?? 'ggn';
  if (to === 'hessian') params.delete('operator');
  else params.set('operator', to);
  start(params.toString());
});
