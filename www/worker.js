// The page's compute worker: owns one wasm `Session` (src/wasm.rs) and runs it off the main thread. The
// page starts a fresh worker for every run and terminates the old one, so a change of settings cancels
// whatever was running, at once and cleanly. Its messages, both directions: www/protocol.js. With a pool
// (www/pool.js) the run's worker has the fields computed by the pool's workers, which are this script too:
// each a session of the same query that computes the bands of grid rows it is handed.
import init, { Session, boundary_segments, data_link, install_panic_hook, key_specs, read_data_link, read_query, regions_rgba, version } from '../pkg/hessian_boundary.js';
import { FromWorker, Stage, ToWorker } from './protocol.js';

const message = (e) => (e instanceof Error ? e.message : String(e));

/** How often the live decision-region picture is sent while training. */
const FIELD_EVERY_MS = 250;
/** How much training a comparison run does between two progress reports. */
const COMPARE_SLICE_MS = 250;

let session = null;
/** The live picture's grid ({width, height}), from the session's info. */
let plane = null;
let msPerEpoch = null;
let lastField = -Infinity;
let started = false;
let queue = Promise.resolve();
/** The pool's size when the page has one for this run (0: compute the fields here). */
let pool = 0;
/** Resolves the fields asked of the pool with the pool's reply, when it comes ('fields'). */
let fieldsArrived = null;
/** Resolve the density and the perturbation asked of the pool with their replies. */
let densityArrived = null;
let perturbationArrived = null;
/** Training snapshots whose fields the pool has computed. */
const pooledSnapshots = new Set();
/** A pool worker's current θ and eigenpairs ('fields-model'). */
let model = null;

const post = (data, transfer = []) => self.postMessage(data, transfer);

async function handle(data) {
  switch (data?.type) {
    case ToWorker.INIT: {
      await init(data.module ? { module_or_path: data.module } : undefined);
      install_panic_hook();
      post({ type: FromWorker.READY, version: version(), specs: JSON.parse(key_specs()) });
      break;
    }
    case ToWorker.START: {
      pool = data.workers > 1 ? data.workers : 0;
      const read = JSON.parse(read_query(data.query ?? ''));
      // A published run.json: the link's own (`run`) or the site's for this query (`runs`).
      const file = data.run ?? data.runs?.[read.query];
      if (file) {
        const opened = await openFile(file, data.run && data.query ? read.query : null);
        if (opened.session) {
          // Nothing is computed: the file has the fields.
          pool = 0;
          session = opened.session;
          started = performance.now();
          const info = JSON.parse(session.info());
          plane = info.plane;
          post({ type: FromWorker.STARTED, query: info.query, notices: read.notices, info, file: file.path, data: { link: null } });
          return;
        }
        read.notices.push({ key: 'run', value: file.path, message: opened.error, used: "the link's settings, computed here," });
      }
      const { csv, notices } = startData(data, read);
      try {
        session = new Session(read.query, csv);
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'setup', message: message(e), query: read.query, notices, data: csvData(read, csv, data) });
        return;
      }
      started = performance.now();
      const info = JSON.parse(session.info());
      plane = info.plane;
      post({ type: FromWorker.STARTED, query: read.query, notices, info, data: csvData(read, csv, data) });
      break;
    }
    case ToWorker.STEP: {
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
        post({ type: FromWorker.FAILED, stage: 'training', message: message(e) });
        return;
      }
      const took = performance.now() - t0;
      if (epochs > 0 && took > 0) {
        const per = took / epochs;
        msPerEpoch = msPerEpoch ? 0.5 * msPerEpoch + 0.5 * per : per;
      }
      const out = { type: FromWorker.PROGRESS, ...progress, msPerEpoch };
      const transfer = [];
      const now = performance.now();
      if (progress.done || data.field || now - lastField >= FIELD_EVERY_MS) {
        out.classes = session.live_classes();
        out.field = regions_rgba(out.classes);
        out.segments = boundary_segments(out.classes, plane.width, plane.height);
        transfer.push(out.field.buffer, out.classes.buffer, out.segments.buffer);
        lastField = now;
      }
      post(out, transfer);
      break;
    }
    case ToWorker.ANALYSE: {
      if (!session) return;
      const t0 = performance.now();
      try {
        post({ type: FromWorker.STAGE, stage: Stage.SPECTRUM });
        if (pool) {
          // A pool worker computes the spectral density (its own HVPs) while this one computes the
          // eigenpairs and the trace.
          const density = askPoolDensity(session.final_params());
          session.spectrum_but_density();
          session.set_density(await density);
        } else {
          session.spectrum();
        }
        const t1 = performance.now();
        post({ type: FromWorker.STAGE, stage: Stage.ANALYSIS });
        let pending;
        // Where the time went (seconds), for the Numbers panel and the browser benchmark.
        const seconds = { spectrum: (t1 - t0) / 1000 };
        if (pool) {
          // The pool computes the perturbation and the fields while this worker computes the other
          // analyses.
          const perturbation = askPoolPerturbation();
          const fields = askPool(null).then((reply) => {
            seconds.fields = reply.seconds;
            return reply.bands;
          });
          pending = session.analyse_rest();
          seconds.others = (performance.now() - t1) / 1000;
          session.set_perturbation(await perturbation);
          setFields(null, await fields);
        } else {
          pending = session.analyse();
        }
        post({ type: FromWorker.STAGE, stage: Stage.EXPORT });
        const json = session.run_json();
        const summary = JSON.parse(json);
        // The page needs no parameters or eigenvectors to draw: keep the message small.
        delete summary.model.params;
        if (summary.hessian) delete summary.hessian.eigenvectors;
        const [width, height] = session.field_size();
        const transfer = [];
        const fields = width > 0 && summary.alignment ? fieldImages(summary.alignment.fields.length, undefined, transfer) : {};
        const overlay = JSON.parse(session.overlay());
        const tracks = JSON.parse(session.tracks());
        post(
          {
            type: FromWorker.ANALYSED,
            json,
            pending,
            summary,
            fields,
            size: [width, height],
            overlay,
            tracks,
            seconds: { ...seconds, analysis: (performance.now() - t0) / 1000, total: (performance.now() - started) / 1000 },
          },
          transfer,
        );
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'analysis', message: message(e) });
      }
      break;
    }
    case ToWorker.GENERALIZE: {
      if (!session) return;
      const t0 = performance.now();
      try {
        post({ type: FromWorker.STAGE, stage: Stage.GENERALIZATION });
        session.generalize((hvps) => post({ type: FromWorker.GENERALIZING, hvps }));
        const json = session.run_json();
        const { generalization, checks } = JSON.parse(json);
        post({ type: FromWorker.GENERALIZED, json, generalization, checks, seconds: (performance.now() - t0) / 1000 });
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'generalization', message: message(e) });
      }
      break;
    }
    case ToWorker.RENDER: {
      if (!session) return;
      const charts = [];
      const transfer = [];
      for (const c of data.charts ?? []) {
        try {
          const bitmap = session.render(c.name, c.width, c.height, c.scale, data.snapshot ?? undefined);
          charts.push({ name: c.name, bitmap });
          transfer.push(bitmap);
        } catch (e) {
          charts.push({ name: c.name, error: message(e) });
        }
      }
      post({ type: FromWorker.CHARTS, purpose: data.purpose, snapshot: data.snapshot ?? null, charts }, transfer);
      break;
    }
    case ToWorker.SNAPSHOT: {
      if (!session) return;
      try {
        if (pool && !pooledSnapshots.has(data.index)) {
          setFields(data.index, (await askPool(data.index)).bands);
          pooledSnapshots.add(data.index);
        }
        const epoch = session.snapshot(data.index);
        const transfer = [];
        const predicted = session.predicted(data.index);
        const alignment = session.alignment(data.index);
        const fields = fieldImages(alignment.length / predicted.length, data.index, transfer);
        transfer.push(predicted.buffer, alignment.buffer);
        post({ type: FromWorker.SNAPSHOT, index: data.index, epoch, fields, predicted, alignment }, transfer);
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'snapshot', message: message(e) });
      }
      break;
    }
    case ToWorker.COMPARE: {
      for (const { regime, query } of data.runs) {
        const summary = compare(regime, query, data.csv);
        if (!summary) return;
        const out = { type: FromWorker.COMPARED, regime, summary };
        const transfer = [];
        if (data.fields && summary.hessian) {
          out.fields = fieldImages(summary.hessian.eigenvalues.length, undefined, transfer);
          out.size = [...session.field_size()];
        }
        post(out, transfer);
      }
      break;
    }
    case ToWorker.PERTURB: {
      if (!session) return;
      try {
        const classes = session.perturbed_classes(data.index, data.t);
        const loss = session.perturbed_loss(data.index, data.t);
        const field = regions_rgba(classes);
        const segments = boundary_segments(classes, plane.width, plane.height);
        post({ type: FromWorker.PERTURBED, id: data.id, index: data.index, t: data.t, loss, field, segments }, [
          field.buffer,
          segments.buffer,
        ]);
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'perturbation', message: message(e) });
      }
      break;
    }
    case ToWorker.FIELDS_MODEL: {
      model = data;
      break;
    }
    case ToWorker.PERTURBATION_TASK: {
      if (!session) return;
      try {
        const json = session.perturbation(data.params, data.values, data.vectors);
        post({ type: FromWorker.PERTURBATION, key: data.key, json });
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'perturbation', message: message(e) });
      }
      break;
    }
    case ToWorker.DENSITY_TASK: {
      if (!session) return;
      try {
        const flat = session.density(data.params);
        post({ type: FromWorker.DENSITY, key: data.key, flat }, [flat.buffer]);
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'density', message: message(e) });
      }
      break;
    }
    case ToWorker.BAND: {
      if (!session) return;
      try {
        const band = session.field_band(model.params, model.values, model.vectors, data.r0, data.r1);
        const out = { type: FromWorker.BAND, key: data.key, band: data.band, predicted: band.predicted(), alignment: band.alignment(), reconstructed: band.reconstructed() };
        band.free();
        post(out, [out.predicted.buffer, out.alignment.buffer, out.reconstructed.buffer]);
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'fields', message: message(e) });
      }
      break;
    }
    case ToWorker.CSV: {
      if (!session) return;
      try {
        post({ type: FromWorker.CSV, text: session.data_csv() });
      } catch (e) {
        post({ type: FromWorker.FAILED, stage: 'export', message: message(e) });
      }
      break;
    }
  }
}

/** Largest run.json accepted (the paper's setting writes about 5 MB). */
const MAX_RUN_BYTES = 64 * 1024 * 1024;

/**
 * Opens a published run.json ({path, url} from the page, which checked that it is a same-origin
 * relative path, or {path, error}): `{session}`, or `{error}` saying what is wrong. With `query`, the
 * file must be that query's run.
 */
async function openFile(file, query) {
  if (file.error) return { error: `${file.path} cannot be used: ${file.error}` };
  let text;
  try {
    const response = await fetch(file.url, { credentials: 'same-origin', redirect: 'error' });
    if (!response.ok) return { error: `${file.path} could not be loaded (HTTP ${response.status})` };
    if (Number(response.headers.get('content-length')) > MAX_RUN_BYTES) return { error: `${file.path} is larger than ${MAX_RUN_BYTES / 2 ** 20} MB` };
    text = await response.text();
  } catch (e) {
    return { error: `${file.path} could not be loaded (${message(e)})` };
  }
  let opened;
  try {
    opened = Session.open(text);
  } catch (e) {
    return { error: `${file.path} cannot be shown: ${message(e)}` };
  }
  const shown = JSON.parse(opened.info()).query;
  if (query !== null && shown !== query) {
    opened.free();
    return { error: `${file.path} is the run of ${shown}, not of this link's ${query}` };
  }
  return { session: opened };
}

/** A start's CSV text: as sent, or read from the link's #data= payload (a damaged one adds a notice). */
function startData(data, read) {
  if (data.csv !== undefined || data.dataLink === undefined) return { csv: data.csv, notices: read.notices };
  try {
    return { csv: read_data_link(data.dataLink), notices: read.notices };
  } catch (e) {
    return { csv: undefined, notices: [...read.notices, { key: '#data', message: message(e), used: null }] };
  }
}

/** What the page learns of a start's data: the text read from a link, and its link where the run is on CSV data. */
function csvData(read, csv, data) {
  const onCsv = csv !== undefined && new URLSearchParams(read.query).get('dataset') === 'csv';
  return {
    csv: data.dataLink !== undefined ? csv : undefined,
    link: onCsv ? JSON.parse(data_link(csv)) : null,
  };
}

/**
 * The pictures of the result fields as RGBA (regions, Σλ|A|, A1…Ak) and the boundary segments: the
 * final model's, or training snapshot `snapshot`'s. Their buffers are added to `transfer`.
 */
function fieldImages(k, snapshot, transfer) {
  const [width, height] = session.field_size();
  const fields = {};
  for (const name of ['regions', 'reconstructed', ...Array.from({ length: k }, (_, i) => `A${i + 1}`)]) {
    fields[name] = session.field_rgba(name, snapshot);
    transfer.push(fields[name].buffer);
  }
  fields.segments = boundary_segments(session.predicted(snapshot), width, height);
  transfer.push(fields.segments.buffer);
  return fields;
}

/**
 * Asks the page's pool for the fields of the final model (`snapshot` null) or of a training snapshot: one
 * copy of θ and the eigenvectors per pool worker, transferred. Resolves with the 'fields' reply: the bands
 * in row order and the seconds the pool took.
 */
function askPool(snapshot) {
  const task = session.field_task(snapshot ?? undefined);
  const models = Array.from({ length: pool }, () => ({ params: task.params(), vectors: task.vectors() }));
  const msg = { type: FromWorker.FIELDS_NEEDED, snapshot, rows: task.rows(), values: task.values(), models };
  task.free();
  post(msg, models.flatMap((m) => [m.params.buffer, m.vectors.buffer]));
  return new Promise((resolve) => {
    fieldsArrived = resolve;
  });
}

/** Asks the page's pool for the perturbation of the final model (θ and the eigenpairs transferred); resolves
 * with its JSON. */
function askPoolPerturbation() {
  const task = session.field_task(undefined);
  const msg = { type: FromWorker.PERTURBATION_NEEDED, params: task.params(), values: task.values(), vectors: task.vectors() };
  task.free();
  post(msg, [msg.params.buffer, msg.vectors.buffer]);
  return new Promise((resolve) => {
    perturbationArrived = resolve;
  });
}

/** Asks the page's pool for the spectral density at θ = `params` (transferred); resolves with its numbers. */
function askPoolDensity(params) {
  post({ type: FromWorker.DENSITY_NEEDED, params }, [params.buffer]);
  return new Promise((resolve) => {
    densityArrived = resolve;
  });
}

/** The pool's bands, concatenated in row order, as the session's fields (the bits of computing them here). */
function setFields(snapshot, bands) {
  const joined = (name, Type) => {
    const out = new Type(bands.reduce((n, b) => n + b[name].length, 0));
    let at = 0;
    for (const b of bands) {
      out.set(b[name], at);
      at += b[name].length;
    }
    return out;
  };
  session.set_fields(snapshot ?? undefined, joined('predicted', Uint32Array), joined('alignment', Float64Array), joined('reconstructed', Float64Array));
}

/**
 * One run of the regime comparison, start to end, in this worker's own session (the page runs the
 * comparison in a second worker): the same calls as a page run, so its run.json is the CLI's.
 * Posts progress; returns run.json without its big arrays, or null after posting the failure.
 */
function compare(regime, query, csv) {
  try {
    session = new Session(JSON.parse(read_query(query)).query, csv ?? undefined);
    let epochs = 1;
    for (;;) {
      const t0 = performance.now();
      const progress = JSON.parse(session.step(epochs));
      post({ type: FromWorker.COMPARED, regime, epoch: progress.epoch, total: progress.total });
      if (progress.done) break;
      const took = performance.now() - t0;
      epochs = Math.max(1, Math.round(epochs * Math.min(4, COMPARE_SLICE_MS / Math.max(took, 1))));
    }
    post({ type: FromWorker.COMPARED, regime, stage: Stage.SPECTRUM });
    session.spectrum();
    post({ type: FromWorker.COMPARED, regime, stage: Stage.ANALYSIS });
    session.analyse();
    post({ type: FromWorker.COMPARED, regime, stage: Stage.GENERALIZATION });
    session.generalize(() => {});
    const summary = JSON.parse(session.run_json());
    delete summary.model;
    delete summary.data;
    delete summary.hessian?.eigenvectors;
    delete summary.alignment;
    delete summary.snapshots;
    return summary;
  } catch (e) {
    post({ type: FromWorker.FAILED, stage: `comparison (${regime})`, message: message(e) });
    return null;
  }
}

// One message at a time, in order (init is asynchronous), but the pool's fields, density and perturbation,
// which a message being handled waits for.
self.onmessage = ({ data }) => {
  if (data?.type === ToWorker.FIELDS) {
    fieldsArrived?.(data);
    fieldsArrived = null;
    return;
  }
  if (data?.type === ToWorker.PERTURBATION) {
    perturbationArrived?.(data.json);
    perturbationArrived = null;
    return;
  }
  if (data?.type === ToWorker.DENSITY) {
    densityArrived?.(data.flat);
    densityArrived = null;
    return;
  }
  queue = queue.then(() =>
    handle(data).catch((e) => post({ type: FromWorker.FAILED, stage: data?.type ?? 'worker', message: message(e) })),
  );
};
