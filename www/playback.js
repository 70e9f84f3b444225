// Pacing the training: Pause/Resume, Step and the speed control, the slices of training asked of the
// worker, and the progress bar and status line while it trains.

import { $ } from './dom.js';
import { duration } from './format.js';
import { Stage, ToWorker } from './protocol.js';
import { setStatus } from './status.js';
import { run, send } from './run.js';
import { comparing } from './regimes.js';

export let playing = true;

/** Training speed: epochs per animation frame; Infinity trains as much as fits in a time slice. Only pacing: the same epochs run either way. */
const SPEEDS = [1, 2, 5, 10, 20, 50, 100, Infinity];
let speed = Infinity;

/** Asks the worker for the next slice of training (exactly `epochs`, if given), unless one is on its way. */
export function requestStep(epochs) {
  if (!run || run.done || run.pendingStep || run.stage !== 'training') return;
  run.pendingStep = true;
  if (epochs) send({ type: ToWorker.STEP, epochs });
  else if (Number.isFinite(speed)) send({ type: ToWorker.STEP, epochs: speed, field: true });
  else send({ type: ToWorker.STEP, budgetMs: 80 });
}

/** The next slice: at once when running at full speed, else on the next animation frame. */
export function nextStep() {
  if (!Number.isFinite(speed)) {
    requestStep();
    return;
  }
  const r = run;
  requestAnimationFrame(() => r === run && playing && requestStep());
}

export function updateProgress() {
  const bar = $('progress');
  if (!run) return;
  const frac = run.total > 0 ? run.epoch / run.total : run.done ? 1 : 0;
  const stages = { starting: 0, training: 0, [Stage.SPECTRUM]: 0.9, [Stage.ANALYSIS]: 0.95, [Stage.EXPORT]: 0.97, [Stage.GENERALIZATION]: 0.98, done: 1, error: null };
  let value = stages[run.stage] ?? 0;
  if (run.stage === 'training') value = 0.9 * frac;
  if (value === null) return;
  bar.value = value;
  if (run.stage === 'training') {
    const perEpoch = Math.max(run.msPerEpoch ?? NaN, Number.isFinite(speed) ? 1000 / 60 / speed : 0);
    const left = ((run.total - run.epoch) * perEpoch) / 1000;
    const eta = Number.isFinite(left) && run.epoch > 0 ? ` · about ${duration(left)} left` : '';
    setStatus(
      playing
        ? `Training: epoch ${run.epoch.toLocaleString('en')} of ${run.total.toLocaleString('en')}${eta}`
        : `Paused at epoch ${run.epoch.toLocaleString('en')} of ${run.total.toLocaleString('en')}.`,
    );
  }
}

export function updateButtons() {
  const training = run?.stage === 'training' && !run.done;
  $('compare').disabled = !run?.info || run.stage === 'error' || comparing();
  $('play').disabled = !training;
  $('step').disabled = !training || playing;
  $('play').textContent = playing ? 'Pause' : 'Resume';
  $('play').setAttribute('aria-pressed', String(playing));
}

$('play').addEventListener('click', () => {
  playing = !playing;
  updateButtons();
  updateProgress();
  if (playing) requestStep();
});

$('step').addEventListener('click', () => {
  if (!run || playing) return;
  requestStep(Math.max(1, Math.round(run.total / 100)));
});

$('speed').addEventListener('input', () => {
  speed = SPEEDS[Number($('speed').value)] ?? Infinity;
  const label = Number.isFinite(speed) ? `${speed} epoch${speed === 1 ? '' : 's'} per frame` : 'fastest';
  $('speed-value').textContent = label;
  $('speed').setAttribute('aria-valuetext', label);
  updateProgress();
});
