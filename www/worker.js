// The page's compute worker: owns one wasm `Session` (src/wasm.rs) and runs it off the main thread.
// The page starts a fresh worker for every run and terminates the old one, so a change of settings
// cancels whatever was running, at once and cleanly.
//
// Messages in (from www/app.js):
//   {type: 'init', module?}            a compiled WebAssembly.Module (else the worker fetches pkg/ itself)
//   {type: 'start', query, csv?}       read the query leniently, set the run up
//   {type: 'step', budgetMs | epochs}  train about budgetMs of work (or exactly `epochs` epochs)
//   {type: 'analyse'}                  spectrum, then the analyses, then run.json
//   {type: 'render', charts: [{name, width, height, scale}], purpose?}   chart bitmaps of src/render
//   {type: 'csv'}                      the data as CSV
// Messages out:
//   {type: 'ready', version, specs}
//   {type: 'started', query, notices, info} | {type: 'failed', stage, message, query?, notices?}
//   {type: 'progress', epoch, total, done, history, field?, classes?, segments?, msPerEpoch}
//   {type: 'stage', stage}             'spectrum' | 'analysis' | 'export', as each begins
//   {type: 'analysed', json, summary, fields, size, overlay, seconds}
//   {type: 'charts', purpose, charts: [{name, bitmap | error}]}
//   {type: 'csv', text}
import init, { Session, boundary_segments, install_panic_hook, key_specs, read_query, regions_rgba, version } from '../pkg/hessian_boundary.js';

const message = (e) => (e instanceof Error ? e.message : String(e));

/** How often the live decision-region picture is sent while training. */
const FIELD_EVERY_MS = 250;

let session = null;
/** The live picture's grid ({width, height}), from the session's info. */
let plane = null;
let msPerEpoch = null;
let lastField = -Infinity;
let started = false;
let queue = Promise.resolve();

const post = (data, transfer = []) => self.postMessage(data, transfer);

async function handle(data) {
  switch (data?.type) {
    case 'init': {
      await init(data.module ? { module_or_path: data.module } : undefined);
      install_panic_hook();
      post({ type: 'ready', version: version(), specs: JSON.parse(key_specs()) });
      break;
    }
    case 'start': {
      const read = JSON.parse(read_query(data.query ?? ''));
      try {
        session = new Session(read.query, data.csv ?? undefined);
      } catch (e) {
        post({ type: 'failed', stage: 'setup', message: message(e), query: read.query, notices: read.notices });
        return;
      }
      started = performance.now();
      const info = JSON.parse(session.info());
      plane = info.plane;
      post({ type: 'started', query: read.query, notices: read.notices, info });
      break;
    }
    case 'step': {
      if (!session) return;
      let epochs = data.epochs;
      if (!epochs) {
        // Size the slice from the measured cost of an epoch (one epoch to start with).
        epochs = msPerEpoch ? Math.max(1, Math.floor((data.budgetMs ?? 60) / msPerEpoch)) : 1;
      }
      const t0 = performance.now();
      let progress;
      try {
        progress = JSON.parse(session.step(epochs));
      } catch (e) {
        post({ type: 'failed', stage: 'training', message: message(e) });
        return;
      }
      const took = performance.now() - t0;
      if (epochs > 0 && took > 0) {
        const per = took / epochs;
        msPerEpoch = msPerEpoch ? 0.5 * msPerEpoch + 0.5 * per : per;
      }
      const out = { type: 'progress', ...progress, msPerEpoch };
      const transfer = [];
      const now = performance.now();
      if (progress.done || now - lastField >= FIELD_EVERY_MS) {
        out.classes = session.live_classes();
        out.field = regions_rgba(out.classes);
        out.segments = boundary_segments(out.classes, plane.width, plane.height);
        transfer.push(out.field.buffer, out.classes.buffer, out.segments.buffer);
        lastField = now;
      }
      post(out, transfer);
      break;
    }
    case 'analyse': {
      if (!session) return;
      const t0 = performance.now();
      try {
        post({ type: 'stage', stage: 'spectrum' });
        session.spectrum();
        post({ type: 'stage', stage: 'analysis' });
        session.analyse();
        post({ type: 'stage', stage: 'export' });
        const json = session.run_json();
        const summary = JSON.parse(json);
        // The page needs no parameters or eigenvectors to draw: keep the message small.
        delete summary.model.params;
        if (summary.hessian) delete summary.hessian.eigenvectors;
        const [width, height] = session.field_size();
        const fields = {};
        const transfer = [];
        const names = ['regions', 'reconstructed'];
        for (let i = 1; i <= (summary.alignment?.fields.length ?? 0); i++) names.push(`A${i}`);
        if (width > 0) {
          for (const name of names) {
            fields[name] = session.field_rgba(name);
            transfer.push(fields[name].buffer);
          }
        }
        const overlay = JSON.parse(session.overlay());
        if (summary.alignment) {
          fields.segments = boundary_segments(Uint32Array.from(summary.alignment.predicted), width, height);
          transfer.push(fields.segments.buffer);
        }
        post(
          {
            type: 'analysed',
            json,
            summary,
            fields,
            size: [width, height],
            overlay,
            seconds: { analysis: (performance.now() - t0) / 1000, total: (performance.now() - started) / 1000 },
          },
          transfer,
        );
      } catch (e) {
        post({ type: 'failed', stage: 'analysis', message: message(e) });
      }
      break;
    }
    case 'render': {
      if (!session) return;
      const charts = [];
      const transfer = [];
      for (const c of data.charts ?? []) {
        try {
          const bitmap = session.render(c.name, c.width, c.height, c.scale);
          charts.push({ name: c.name, bitmap });
          transfer.push(bitmap);
        } catch (e) {
          charts.push({ name: c.name, error: message(e) });
        }
      }
      post({ type: 'charts', purpose: data.purpose, charts }, transfer);
      break;
    }
    case 'csv': {
      if (!session) return;
      try {
        post({ type: 'csv', text: session.data_csv() });
      } catch (e) {
        post({ type: 'failed', stage: 'export', message: message(e) });
      }
      break;
    }
  }
}

// One message at a time, in order (init is asynchronous).
self.onmessage = ({ data }) => {
  queue = queue.then(() =>
    handle(data).catch((e) => post({ type: 'failed', stage: data?.type ?? 'worker', message: message(e) })),
  );
};
