// Starting compute workers from the page: www/worker.js as a module worker, for a run or for the regime
// comparison, each handed the one wasm module compiled here (so it is fetched and compiled once).

let modulePromise = null;

async function compileModule() {
  try {
    return await WebAssembly.compileStreaming(fetch(new URL('../pkg/hessian_boundary_bg.wasm', import.meta.url)));
  } catch {
    return null; // the worker then loads the module itself and reports any failure
  }
}

/** The compiled wasm module (or null), compiled on the first call. */
export function wasmModule() {
  modulePromise ??= compileModule();
  return modulePromise;
}

export const newWorker = () => new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
