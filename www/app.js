// The page: starts the compute worker, runs the config from the URL's query string, shows the result.
// Everything shown goes through textContent.

const DEFAULT_QUERY = 'dataset=gaussian&layers=16&epochs=50&k=2';
const query = location.search.length > 1 ? location.search.slice(1) : DEFAULT_QUERY;

const $ = (id) => document.getElementById(id);

function setState(state) {
  document.body.dataset.state = state;
}

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = false;
  setState('error');
}

const percent = (x) => (typeof x === 'number' ? `${(100 * x).toFixed(1)} %` : '—');

function showRun(json) {
  const run = JSON.parse(json);
  $('train-accuracy').textContent = percent(run.metrics.train_accuracy);
  $('test-accuracy').textContent = percent(run.metrics.test_accuracy);
  $('train-loss').textContent = run.metrics.train_loss.toPrecision(4);
  $('epochs').textContent = String(run.metrics.epochs);
  $('run').hidden = false;
  setState('done');
}

const worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });

worker.onmessage = ({ data }) => {
  switch (data.type) {
    case 'ready':
      $('status').textContent = `module loaded (version ${data.version})`;
      $('query').textContent = query;
      setState('running');
      worker.postMessage({ type: 'run', query });
      break;
    case 'result':
      try {
        showRun(data.json);
      } catch (e) {
        showError(`could not read run.json: ${e.message}`);
      }
      break;
    case 'error':
      showError(data.message);
      break;
  }
};

worker.onerror = (event) => {
  event.preventDefault();
  showError(`the worker failed: ${event.message || 'it could not be started (is pkg/ built? run "cargo xtask serve")'}`);
};
