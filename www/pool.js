// The pool: helper workers (www/worker.js again, each with its own wasm instance and a session of the run's
// query) that compute, for the run's worker, the spectral density (beside its eigenpairs), the perturbation and the fields
// of the final model and of the training snapshots, in fixed bands of grid rows. Every pixel's numbers are its own, so the bands, assembled in row order by the
// run's worker (Session.set_fields), are the bits of one worker. No SharedArrayBuffer: plain messages, so a
// static host needs no special headers. The page only relays: the run's worker sends one copy of θ and
// the eigenvectors per helper (transferred, never copied here), the helpers send back their bands.

import { FromWorker, ToWorker } from './protocol.js';
import { newWorker, wasmModule } from './compute.js';
import { initial } from './url.js';

/** Most workers the page uses: each holds a wasm memory of its own (the data, θ and k eigenvectors). */
const MAX_WORKERS = 8;
/** The grid is split into this many bands of rows (fewer on a small grid), whatever the worker count, so a
 * worker that falls behind holds the others up by one band at most. */
const BANDS = 16;

const forced = Number(initial.page.workers);
const isForced = Number.isInteger(forced) && forced >= 1;

/**
 * How many workers compute: the page option `workers=N` (read once from the address at load, never part of a
 * link's config or run.json), else every core (`navigator.hardwareConcurrency`), at most MAX_WORKERS. With
 * 1 the run's worker computes everything itself.
 */
export const workerCount = Math.min(isForced ? forced : navigator.hardwareConcurrency || 1, MAX_WORKERS);

/** Why the workers number what they do, for the Numbers panel. */
export const workerSource = isForced
  ? 'set by workers= in the address'
  : `one per core, navigator.hardwareConcurrency = ${navigator.hardwareConcurrency || 'unknown'}, at most ${MAX_WORKERS}`;

/**
 * `size` helpers with a session of `query` (canonical) on `data` ({csv} or {}), started at once so they are
 * ready when the run's training ends. `onError(message)` hears the first failure of any of them; the
 * fields asked for then never come.
 */
export async function startPool(size, query, data, onError) {
  const module = await wasmModule();
  let failed = false;
  /** The running fields() call's band handler, and density()'s. */
  let onBand = null;
  let onDensity = null;
  let onPerturbation = null;
  const fail = (message) => {
    if (failed) return;
    failed = true;
    onError(message);
  };
  const helpers = Array.from({ length: size }, () => {
    const w = newWorker();
    w.onerror = (event) => {
      event.preventDefault();
      fail(`A pool worker could not run: ${event.message || 'it could not be started'}`);
    };
    w.onmessage = ({ data }) => {
      if (data.type === FromWorker.FAILED) fail(`A pool worker failed (${data.stage}): ${data.message}`);
      else if (data.type === FromWorker.BAND) onBand?.(w, data);
      else if (data.type === FromWorker.DENSITY) onDensity?.(data);
      else if (data.type === FromWorker.PERTURBATION) onPerturbation?.(data);
    };
    w.postMessage({ type: ToWorker.INIT, module });
    w.postMessage({ type: ToWorker.START, query, ...data });
    return w;
  });
  let key = 0;
  return {
    terminate() {
      failed = true;
      for (const w of helpers) w.terminate();
    },
    /** The spectral density at θ = `params` (transferred), from the first helper: its numbers. */
    density(params) {
      key += 1;
      const mine = key;
      return new Promise((resolve) => {
        onDensity = (reply) => {
          if (reply.key === mine) resolve(reply.flat);
        };
        helpers[0].postMessage({ type: ToWorker.DENSITY_TASK, key: mine, params }, [params.buffer]);
      });
    },
    /** The perturbation of one 'perturbation-needed' message ({params, values, vectors}, transferred), from
     * the last helper (the first computes the density): its JSON. The fields' bands queue behind it there. */
    perturbation(msg) {
      key += 1;
      const mine = key;
      return new Promise((resolve) => {
        onPerturbation = (reply) => {
          if (reply.key === mine) resolve(reply.json);
        };
        const { params, values, vectors } = msg;
        helpers[helpers.length - 1].postMessage({ type: ToWorker.PERTURBATION_TASK, key: mine, params, values, vectors }, [params.buffer, vectors.buffer]);
      });
    },
    /**
     * The bands of one 'fields-needed' message of the run's worker ({snapshot, rows, values, models: one
     * {params, vectors} per helper}), in row order: [{predicted, alignment, reconstructed}]. `progress(done,
     * total)` hears each band.
     */
    fields(msg, progress) {
      key += 1;
      const mine = key;
      const per = Math.ceil(msg.rows / Math.min(BANDS, msg.rows));
      const bands = [];
      for (let r0 = 0; r0 < msg.rows; r0 += per) bands.push([r0, Math.min(r0 + per, msg.rows)]);
      const out = new Array(bands.length);
      let next = 0;
      let done = 0;
      const give = (w) => {
        if (next >= bands.length) return;
        const [r0, r1] = bands[next];
        w.postMessage({ type: ToWorker.BAND, key: mine, band: next, r0, r1 });
        next += 1;
      };
      return new Promise((resolve) => {
        onBand = (w, band) => {
          if (band.key !== mine) return;
          out[band.band] = band;
          done += 1;
          progress(done, bands.length);
          if (done === bands.length) resolve(out);
          else give(w);
        };
        helpers.forEach((w, i) => {
          const { params, vectors } = msg.models[i];
          w.postMessage({ type: ToWorker.FIELDS_MODEL, key: mine, params, values: msg.values, vectors }, [params.buffer, vectors.buffer]);
          give(w);
        });
      });
    },
  };
}
