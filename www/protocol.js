// The messages between the page and a compute worker (www/worker.js), both directions: written down here
// only. The page (www/run.js, www/regimes.js, www/playback.js, …) and the worker both use these names.
//
// To the worker (ToWorker):
//   {type: 'init', module?}            a compiled WebAssembly.Module (else the worker fetches pkg/ itself)
//   {type: 'start', query, csv? | dataLink?, run?, runs?, workers?}   read the query leniently, set the run up on
//                                      the CSV text (or the text of a link's #data= payload,
//                                      src/data/link.rs); `run` ({path, url} or {path, error}): show that
//                                      published run.json instead of computing (it must be the query's
//                                      run if the query is not empty); `runs`: {canonical query: {path,
//                                      url}}, the site's precomputed runs; a file that cannot be used
//                                      becomes a notice (key `run`) and the query is computed; `workers`
//                                      > 1: the page has a pool of that many (www/pool.js) for the fields
//   {type: 'step', budgetMs | epochs, field?}  train about budgetMs of work (or exactly `epochs`
//                                      epochs); `field`: send the live picture with this slice
//   {type: 'analyse'}                  spectrum, then the analyses (but a certified G), then run.json
//   {type: 'generalize'}               after 'analysed': G over all p (when `pending`) and the self-test,
//                                      completing run.json
//   {type: 'perturb', index, t, id}    the live picture's classes for θ + t·v_(index+1), and the loss there
//   {type: 'render', charts: [{name, width, height, scale}], purpose?, snapshot?}   chart bitmaps of
//                                      src/render (with `snapshot`: that training snapshot's; with
//                                      purpose Purpose.EXPORT: for a PNG download)
//   {type: 'snapshot', index}          the fields of training snapshot `index` (computed once, then kept)
//   {type: 'compare', runs: [{regime, query}], csv?, fields?}   each query run to the end, one after the
//                                      other (with `fields`: its field pictures too)
//   {type: 'csv'}                      the data as CSV
//   {type: 'fields', bands, seconds}   the pool's reply to 'fields-needed': the bands in row order (below)
//                                      and the seconds the pool took
//   {type: 'density', flat}            the pool's reply to 'density-needed': Session.density's numbers
//   {type: 'perturbation', json}       the pool's reply to 'perturbation-needed': Session.perturbation's JSON
// To a pool worker (after 'init' and a 'start' of the run's canonical query):
//   {type: 'fields-model', key, params, values, vectors}   θ and the k eigenpairs (vectors one after the
//                                      other) of the fields asked for as `key`
//   {type: 'band', key, band, r0, r1}  the fields' numbers on grid rows r0..r1 (Session.field_band)
//   {type: 'density-task', key, params}   the spectral density at θ = params (Session.density)
//   {type: 'perturbation-task', key, params, values, vectors}   the losses along the eigenvectors
//                                      (Session.perturbation)
// From the worker (FromWorker):
//   {type: 'ready', version, specs}
//   {type: 'started', query, notices, info, data, file?} | {type: 'failed', stage, message, query?, notices?, data?}
//                                      (`file`: the path of the run.json shown; nothing is computed;
//                                      a failure's `stage` says where, for the reader only; `data`:
//                                      {csv?: the text read from dataLink, link: null | {link: payload} |
//                                      {link: null, message: why it does not fit}}; a damaged dataLink
//                                      is a notice with key '#data')
//   {type: 'progress', epoch, total, done, history, field?, classes?, segments?, msPerEpoch}
//   {type: 'stage', stage}             'spectrum' | 'analysis' | 'generalization' | 'export' (Stage)
//   {type: 'analysed', json, summary, fields, size, overlay, tracks, seconds, pending}   everything
//                                      drawable but the self-test (with `pending`, G is still to come
//                                      too); `json` is complete only for a published run; `seconds`:
//                                      {spectrum, analysis (both), total} and with a pool {fields (its
//                                      time), others (the other analyses', here meanwhile)}
//   {type: 'generalizing', hvps}       progress of 'generalize': HVPs (≈ eigenpairs) done so far
//   {type: 'generalized', json, generalization, checks, seconds}   G, the self-test, the complete run.json
//   {type: 'perturbed', id, index, t, loss, field, segments}   the reply to 'perturb' `id`
//   {type: 'charts', purpose, snapshot, charts: [{name, bitmap | error}]}
//   {type: 'snapshot', index, epoch, fields, predicted, alignment}
//   {type: 'compared', regime, epoch?, total?, stage?, summary?, fields?, size?}   progress, then the
//                                      run.json (trimmed) and, if asked for, its field pictures
//   {type: 'csv', text}
//   {type: 'fields-needed', snapshot, rows, values, models: [{params, vectors}]}   with a pool: the fields
//                                      of the final model (snapshot null) or of a training snapshot are
//                                      to come from the pool ('fields'); one copy of θ and the
//                                      eigenvectors per pool worker; `rows`: the grid's rows
//   {type: 'band', key, band, predicted, alignment, reconstructed}   a pool worker's band (FieldBand)
//   {type: 'density-needed', params}   with a pool: the spectral density at the final θ is to come from a
//                                      pool worker ('density') while this one computes the eigenpairs
//   {type: 'density', key, flat}       a pool worker's density
//   {type: 'perturbation-needed', params, values, vectors}   with a pool: the perturbation of the final
//                                      model is to come from a pool worker ('perturbation')
//   {type: 'perturbation', key, json}  a pool worker's perturbation
// Messages are handled one at a time, in order ('fields', 'density' and 'perturbation' at once: a message being handled
// waits for them).
// The page starts a fresh worker (and pool) for every run.

export const ToWorker = Object.freeze({
  INIT: 'init',
  START: 'start',
  STEP: 'step',
  ANALYSE: 'analyse',
  GENERALIZE: 'generalize',
  RENDER: 'render',
  SNAPSHOT: 'snapshot',
  COMPARE: 'compare',
  CSV: 'csv',
  PERTURB: 'perturb',
  FIELDS: 'fields',
  FIELDS_MODEL: 'fields-model',
  BAND: 'band',
  DENSITY: 'density',
  DENSITY_TASK: 'density-task',
  PERTURBATION: 'perturbation',
  PERTURBATION_TASK: 'perturbation-task',
});

export const FromWorker = Object.freeze({
  READY: 'ready',
  STARTED: 'started',
  FAILED: 'failed',
  PROGRESS: 'progress',
  STAGE: 'stage',
  ANALYSED: 'analysed',
  GENERALIZING: 'generalizing',
  GENERALIZED: 'generalized',
  CHARTS: 'charts',
  SNAPSHOT: 'snapshot',
  COMPARED: 'compared',
  CSV: 'csv',
  PERTURBED: 'perturbed',
  FIELDS_NEEDED: 'fields-needed',
  BAND: 'band',
  DENSITY_NEEDED: 'density-needed',
  DENSITY: 'density',
  PERTURBATION_NEEDED: 'perturbation-needed',
  PERTURBATION: 'perturbation',
});

/** The steps after training, in order, as 'stage' and 'compared' messages name them. */
export const Stage = Object.freeze({
  SPECTRUM: 'spectrum',
  ANALYSIS: 'analysis',
  GENERALIZATION: 'generalization',
  EXPORT: 'export',
});

/** A 'render' message's purpose when its bitmap is for a PNG download, not for the page's canvases. */
export const Purpose = Object.freeze({ EXPORT: 'export' });
