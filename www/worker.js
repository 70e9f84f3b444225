// The page's compute worker: loads the wasm module and runs configs off the main thread.
// Messages in:  {type: 'run', query, csv?}
// Messages out: {type: 'ready', version} once, then {type: 'result', json} or {type: 'error', message} per run.
import init, { run_json, version } from '../pkg/hessian_boundary.js';

const message = (e) => (e instanceof Error ? e.message : String(e));

const ready = init().then(
  () => {
    self.postMessage({ type: 'ready', version: version() });
    return true;
  },
  (e) => {
    self.postMessage({ type: 'error', message: `could not load the wasm module: ${message(e)}` });
    return false;
  },
);

self.onmessage = async ({ data }) => {
  if (data?.type !== 'run' || !(await ready)) return;
  try {
    self.postMessage({ type: 'result', json: run_json(data.query, data.csv ?? undefined) });
  } catch (e) {
    self.postMessage({ type: 'error', message: message(e) });
  }
};
