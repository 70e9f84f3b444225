// The Numbers panel: the final model's accuracies and loss, the Hessian's λ₁, trace, residuals and
// HVP counts, G, the margin, the time taken and how many workers computed it.

import { $ } from '../dom.js';
import { counted, duration, num, percent } from '../format.js';
import { run } from '../run.js';
import { workerCount, workerSource } from '../pool.js';

const IDS = ['m-train-accuracy', 'm-test-accuracy', 'm-train-loss', 'm-epochs', 'm-params', 'm-data', 'm-lambda1', 'm-trace', 'm-g', 'm-residual', 'm-hvp', 'm-margin', 'm-time'];

const set = (id, text) => {
  $(id).textContent = text;
};

set('m-workers', `${workerCount} Web Worker${workerCount === 1 ? '' : 's'} (${workerSource})`);

export function clearMetrics() {
  for (const id of IDS) set(id, '—');
  for (const key of Object.keys($('m-time').dataset)) delete $('m-time').dataset[key];
}

/** The network's parameter count, known as soon as the run starts. */
export function showParams(params) {
  set('m-params', params.toLocaleString('en'));
}

/** Whose points the run used and how they split, e.g. "the authors' points (draw=paper): 150 train, 60 test". */
function dataText(data) {
  const sizes = `${data.train.y.length} train, ${data.test.y.length} test`;
  const whose = { paper: "the authors' points (draw=paper)", seeded: 'our seeded draw (draw=seeded)' }[data.draw] ?? 'file data';
  return `${whose}: ${sizes}`;
}

const EPSILON = { expected: 'its exact mean over random directions', sampled: '5 sampled random directions' };
const CERTIFICATE = {
  invariant: 'exact: the gradients span an invariant space',
  'residual-energy': 'certified by the gradients\' energy left over',
  dense: 'exact: every eigenvector (dense solver)',
  open: 'the interval could not close',
  'top-k': 'only the top k counted',
};

/** The G row: G with its certified interval, the eigenvectors counted and which ε; or, while the
 * worker counts (`hvps` done so far, a number), how far it is. */
export function fillG(g, hvps = null) {
  if (hvps !== null) {
    const done = hvps > 0 ? ` ${hvps.toLocaleString('en')} HVPs (about as many eigenpairs) so far` : '';
    set('m-g', `computing over all p eigenvectors (certified)…${done}`);
    return;
  }
  if (!g) return;
  const [low, high] = g.bounds;
  const value = low === high ? num(g.aggregate, 3) : `in [${num(low, 3)}, ${num(high, 3)}]`;
  const why = CERTIFICATE[g.certificate] ?? g.certificate;
  set(
    'm-g',
    `${value}: ${counted(g)} eigenvectors with ${g.measure} |Aᵢ| > ε = ${num(g.epsilon, 3)} (${EPSILON[g.epsilon_kind]}); ${why}${g.reason ? ` (${g.reason})` : ''}`,
  );
}

/** Fills the panel from run.json's summary `s` and the analysis's timings. */
export function fillMetrics(s, seconds) {
  set('m-train-accuracy', percent(s.metrics.train_accuracy));
  set('m-test-accuracy', percent(s.metrics.test_accuracy));
  set('m-train-loss', num(s.metrics.train_loss, 4));
  set('m-epochs', String(s.metrics.epochs));
  set('m-data', dataText(s.data));
  const h = s.hessian;
  if (h) {
    set('m-lambda1', num(h.eigenvalues[0], 4));
    set('m-trace', `${num(h.trace, 4)} ± ${num(h.trace_std_error, 2)}`);
    const maxRes = Math.max(...h.residuals);
    set('m-residual', `${num(maxRes, 2)} (${num(maxRes / Math.abs(h.eigenvalues[0]), 2)}·λ₁, ${h.converged ? 'converged' : 'not converged'})`);
    set('m-hvp', `${h.hvp_count} eigen + ${h.trace_hvp_count} trace + ${h.density.hvp_count} density (${h.solver})`);
  }
  fillG(s.generalization);
  const m = s.margin;
  if (m) set('m-margin', `estimate ${num(m.estimate)}, true ${m.true === null ? 'not found' : num(m.true)}`);
  const pooled = seconds.fields === undefined ? '' : ` (the fields ${duration(seconds.fields)} in ${workerCount} workers, the others ${duration(seconds.others)} meanwhile)`;
  set('m-time', `training ${duration(run.trainSeconds)}, spectrum ${duration(seconds.spectrum)}, analyses ${duration(seconds.analysis - seconds.spectrum)}${pooled}`);
  // Each stage's seconds, for the browser benchmark (tests/web/bench.mjs).
  Object.assign($('m-time').dataset, { training: run.trainSeconds, spectrum: seconds.spectrum, analyses: seconds.analysis - seconds.spectrum, fields: seconds.fields ?? '', others: seconds.others ?? '' });
}
