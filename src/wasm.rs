//! The browser binding: a thin layer over the library for the page's Web Worker. No numerics here —
//! every number comes from the library; this file only keeps state between calls and packs results
//! for JavaScript (JSON text, RGBA bytes, chart bitmaps).
//!
//! The worker (`www/worker.js`) drives a [`Session`]:
//!
//! 1. [`read_query`] turns whatever the URL holds into the canonical query plus a notice per bad key
//!    ([`Config::parse_lenient`]); [`Session::new`] then loads the data and sets up training.
//! 2. [`Session::step`] trains a slice of epochs and reports progress and the new history points;
//!    [`Session::live_classes`] and [`regions_rgba`] give the current decision regions for live drawing.
//! 3. [`Session::spectrum`] then [`Session::analyse`] run the later stages exactly as
//!    [`crate::run`] does, so [`Session::run_json`] is byte for byte the CLI's `run.json`.
//! 4. [`Session::field_rgba`], [`Session::overlay`] and [`Session::render`] feed the result panels.
//! 5. With `snap` > 0, [`Session::snapshot`] computes the fields of one training snapshot on demand
//!    (the page's timeline), after which the same calls given its index draw that snapshot.
//!
//! With a pool of workers (`www/pool.js`) the fields are computed in bands of grid rows instead:
//! [`Session::field_task`] gives the θ and eigenpairs, each pool worker's own session (of the same
//! query) computes bands with [`Session::field_band`], and [`Session::set_fields`] takes them back,
//! in row order, after [`Session::analyse_rest`] (or for a snapshot) — the same bits.

mod bench;
mod canvas;

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::analysis::field::{self, Fields, Grid, Rows};
use crate::analysis::perturbation::Perturbation;
use crate::analysis::Rest;
use crate::config::{key_specs as specs, Config};
use crate::data::{Dataset, Split};
use crate::model::Mlp;
use crate::pipeline::Run;
use crate::render::{self, ColorScale, Theme};
use crate::train::{HistoryEntry, Trainer};

/// Side of the grid of the live decision-region picture during training (the final picture uses
/// the config's `grid`). Small enough that one prediction pass costs a few milliseconds.
const LIVE_RESOLUTION: usize = 64;
/// Width of the live picture for 1-D data (a strip).
const LIVE_RESOLUTION_1D: usize = 256;

fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// The whole pipeline for one query string (see `Config`), returning the text of `run.json`.
/// `csv` is the data for `dataset=csv`. A failure throws a JS `Error` with the library's message.
#[wasm_bindgen]
pub fn run_json(query: &str, csv: Option<String>) -> Result<String, JsError> {
    crate::pipeline::run_query(query, csv.as_deref()).map_err(js_error)
}

/// The `#data=` payload of a CSV text (`crate::data::link::encode`): JSON `{"link": payload}`, or
/// `{"link": null, "message": why}` when the data is too large for a link.
#[wasm_bindgen]
pub fn data_link(csv: &str) -> String {
    match crate::data::link::encode(csv) {
        Ok(link) => json!({ "link": link }),
        Err(e) => json!({ "link": null, "message": e.to_string() }),
    }
    .to_string()
}

/// The CSV text of a `#data=` payload; throws the reason (for the page's notice) if it is damaged.
#[wasm_bindgen]
pub fn read_data_link(payload: &str) -> Result<String, JsError> {
    crate::data::link::decode(payload).map_err(|e| JsError::new(&e.to_string()))
}

/// Makes a Rust panic (a bug) readable: its message goes to the console, where the worker's
/// "unreachable" error alone would say nothing. Called once when the worker loads the module.
#[wasm_bindgen]
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&format!(
            "hessian-boundary panicked: {info}"
        )));
    }));
}

/// The crate version, e.g. `0.1.0`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Reads a query leniently (a share link always opens): JSON
/// `{"query": canonical, "notices": [{"key", "value", "message", "used"}]}` where each notice is a
/// bad key that was dropped and `used` is the value used instead (the default; `null` for an unknown
/// key, which has none). The canonical query reproduces the run.
#[wasm_bindgen]
pub fn read_query(query: &str) -> String {
    let (config, errors) = Config::parse_lenient(query);
    let specs = specs();
    let notices: Vec<Value> = errors
        .iter()
        .map(|e| {
            let used = specs
                .iter()
                .find(|s| s.key == e.key)
                .map(|s| s.default.clone());
            json!({ "key": e.key, "value": e.value, "message": e.message, "used": used })
        })
        .collect();
    json!({ "query": config.to_query(), "notices": notices }).to_string()
}

/// Every query key with its default and allowed values: JSON `[{"key", "default", "allowed"}]`.
#[wasm_bindgen]
pub fn key_specs() -> String {
    let specs: Vec<Value> = specs()
        .iter()
        .map(|s| json!({ "key": s.key, "default": s.default, "allowed": s.allowed }))
        .collect();
    Value::Array(specs).to_string()
}

/// Predicted classes as RGBA bytes in the class tints of the charts (`render::color::regions_rgba`).
#[wasm_bindgen]
pub fn regions_rgba(classes: &[u32]) -> Vec<u8> {
    render::color::regions_rgba(classes)
}

/// The decision boundary of a class map (`width`×`height`, row 0 at the top) as line segments,
/// flat `[col0, row0, col1, row1, …]` in continuous pixel coordinates (`render::contour`, the same
/// lines as the CLI's figures).
#[wasm_bindgen]
pub fn boundary_segments(classes: &[u32], width: usize, height: usize) -> Vec<f64> {
    render::contour::boundary_segments(classes, width, height)
        .into_iter()
        .flat_map(|[(c0, r0), (c1, r1)]| [c0, r0, c1, r1])
        .collect()
}

/// One run in the browser: training in slices, then the spectrum and the analyses, then exports.
#[wasm_bindgen]
pub struct Session {
    config: Config,
    /// Present while training.
    trainer: Option<Trainer>,
    /// Present once training has ended.
    run: Option<Run>,
    /// The plane and resolution of the live picture.
    live: Grid,
    info: String,
    /// History points already handed out by `step`.
    history_sent: usize,
    /// The fields of each training snapshot, computed when the timeline first shows it.
    snapshot_fields: Vec<Option<Fields>>,
    /// The analyses waiting for their fields and perturbation from the pool ([`Session::analyse_rest`]),
    /// and the perturbation once it came ([`Session::set_perturbation`]).
    rest: Option<Rest>,
    perturbation: Option<Perturbation>,
    /// The eigenpairs and trace waiting for the density from the pool ([`Session::spectrum_but_density`]).
    top: Option<crate::spectrum::Top>,
}

/// The θ and top-k eigenpairs a pool worker computes fields for ([`Session::field_task`]).
#[wasm_bindgen]
pub struct FieldTask {
    params: Vec<f64>,
    values: Vec<f64>,
    vectors: Vec<f64>,
    rows: usize,
}

#[wasm_bindgen]
impl FieldTask {
    pub fn params(&self) -> Vec<f64> {
        self.params.clone()
    }
    pub fn values(&self) -> Vec<f64> {
        self.values.clone()
    }
    /// The k eigenvectors one after the other (k·p numbers).
    pub fn vectors(&self) -> Vec<f64> {
        self.vectors.clone()
    }
    /// How many rows the fields' grid has (the bands split them).
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// A band of grid rows' field numbers ([`Session::field_band`], `analysis::field::Rows`).
#[wasm_bindgen]
pub struct FieldBand(Rows);

#[wasm_bindgen]
impl FieldBand {
    pub fn predicted(&self) -> Vec<u32> {
        self.0.predicted.clone()
    }
    /// A_i per pixel, pixel-major (pixel · k + i).
    pub fn alignment(&self) -> Vec<f64> {
        self.0.alignment.clone()
    }
    /// Σλ|A| per pixel, not yet scaled by the grid's maximum.
    pub fn reconstructed(&self) -> Vec<f64> {
        self.0.reconstructed.clone()
    }
}

/// Plane coordinates of every point of a split, as `[[u, w], …]`.
fn projected(grid: &Grid, data: &Dataset) -> Vec<[f64; 2]> {
    (0..data.len())
        .map(|i| grid.project(data.row(i)))
        .map(|(u, w)| [u, w])
        .collect()
}

/// The plane and resolution of the live picture while training.
fn live_grid(train: &Dataset) -> Grid {
    let resolution = if train.dim == 1 {
        LIVE_RESOLUTION_1D
    } else {
        LIVE_RESOLUTION
    };
    Grid::for_data(train, resolution)
}

/// [`Session::info`]'s JSON.
fn info_json(config: &Config, split: &Split, live: &Grid, mlp: &Mlp, total: usize) -> String {
    let (train, test) = (&split.train, &split.test);
    json!({
        "query": config.to_query(),
        "dim": train.dim,
        "classes": train.classes,
        "class_names": split.class_names,
        "layers": mlp.sizes,
        "params": mlp.param_count(),
        "total_epochs": total,
        "train": { "xy": projected(live, train), "y": train.y },
        "test": { "xy": projected(live, test), "y": test.y },
        "plane": {
            "width": live.width,
            "height": live.height,
            "u_range": live.u_range,
            "w_range": live.w_range,
            "axes": if train.dim == 2 { ["x₁", "x₂"] } else if train.dim == 1 { ["x", ""] } else { ["PC₁", "PC₂"] },
        },
    })
    .to_string()
}

fn history_json(h: &HistoryEntry) -> Value {
    json!({
        "epoch": h.epoch,
        "labels": h.labels.name(),
        "train_loss": h.train_loss,
        "train_accuracy": h.train_accuracy,
        "test_accuracy": h.test_accuracy,
    })
}

#[wasm_bindgen]
impl Session {
    /// Parses `query` (strictly: pass it through [`read_query`] first), loads the data (`csv` for
    /// `dataset=csv`), checks the model's size and sets up training. Throws the library's message.
    #[wasm_bindgen(constructor)]
    pub fn new(query: &str, csv: Option<String>) -> Result<Session, JsError> {
        let config = Config::parse(query).map_err(|e| js_error(crate::pipeline::Error::from(e)))?;
        let prepared = crate::pipeline::prepare(&config, csv.as_deref()).map_err(js_error)?;
        let live = live_grid(&prepared.split.train);
        let trainer = Trainer::new(config.clone(), prepared.split.clone(), prepared.pretrain)
            .map_err(|e| js_error(crate::pipeline::Error::from(e)))?;
        let (_, total) = trainer.progress();
        let info = info_json(&config, &prepared.split, &live, trainer.mlp(), total);
        Ok(Session {
            config,
            trainer: Some(trainer),
            run: None,
            live,
            info,
            history_sent: 0,
            snapshot_fields: Vec::new(),
            rest: None,
            perturbation: None,
            top: None,
        })
    }

    /// A finished run from the text of its `run.json` ([`Run::from_json`]: refused, with what is wrong,
    /// unless it is exactly what this version writes), shown without computing anything: `step` hands
    /// out its whole history at once, `spectrum` and `analyse` keep what the file holds, and
    /// `run_json` gives the file's bytes. The file has no θ of its training snapshots, so `snapshot`
    /// cannot compute their fields.
    pub fn open(text: &str) -> Result<Session, JsError> {
        let run = Run::from_json(text).map_err(js_error)?;
        let live = live_grid(&run.split.train);
        let total = run.trained.history.last().map_or(0, |h| h.epoch);
        let info = info_json(&run.config, &run.split, &live, &run.trained.mlp, total);
        Ok(Session {
            config: run.config.clone(),
            trainer: None,
            snapshot_fields: vec![None; run.during_training.len()],
            run: Some(run),
            live,
            info,
            history_sent: 0,
            rest: None,
            perturbation: None,
            top: None,
        })
    }

    /// What the page needs to draw the data: JSON with `query` (canonical), `dim`, `classes`,
    /// `class_names` (null unless the data names its classes),
    /// `layers`, `params`, `total_epochs`, the points projected onto the plane of the pictures
    /// (`train`/`test`: `{xy: [[u, w]], y}`) and the plane (`width`, `height`, `u_range`, `w_range`,
    /// `axes` names).
    pub fn info(&self) -> String {
        self.info.clone()
    }

    /// Trains up to `epochs` more epochs. JSON `{epoch, total, done, history: [new points]}`.
    /// Throws the library's message if training diverges (θ stays as it was before the bad step).
    /// Once training has ended (a run opened from its file), it trains nothing and reports the end.
    pub fn step(&mut self, epochs: u32) -> Result<String, JsError> {
        let Some(trainer) = self.trainer.as_mut() else {
            let run = self.run.as_ref().ok_or_else(|| JsError::new("no run"))?;
            let history = &run.trained.history;
            let epoch = history.last().map_or(0, |h| h.epoch);
            let new: Vec<Value> = history[self.history_sent.min(history.len())..]
                .iter()
                .map(history_json)
                .collect();
            self.history_sent = history.len();
            return Ok(
                json!({ "epoch": epoch, "total": epoch, "done": true, "history": new }).to_string(),
            );
        };
        for _ in 0..epochs {
            if trainer.is_done() {
                break;
            }
            trainer
                .step()
                .map_err(|e| js_error(crate::pipeline::Error::from(e)))?;
        }
        let (epoch, total) = trainer.progress();
        let history: Vec<Value> = trainer.history()[self.history_sent..]
            .iter()
            .map(history_json)
            .collect();
        self.history_sent = trainer.history().len();
        Ok(json!({ "epoch": epoch, "total": total, "done": trainer.is_done(), "history": history }).to_string())
    }

    /// The current model's predicted class at each pixel of the live grid (`info().plane`), row 0 at
    /// the top; [`regions_rgba`] turns it into the picture.
    pub fn live_classes(&self) -> Vec<u32> {
        let (mlp, params) = match (&self.trainer, &self.run) {
            (Some(t), _) => (t.mlp(), t.params()),
            (None, Some(r)) => (&r.trained.mlp, &r.trained.params[..]),
            (None, None) => return Vec::new(),
        };
        crate::model::autodiff::predict(mlp, params, &self.live.points())
    }

    /// Ends training (wherever it is) and computes the Hessian spectrum at the final θ.
    pub fn spectrum(&mut self) -> Result<(), JsError> {
        if let Some(trainer) = self.trainer.take() {
            self.run = Some(Run::from_trainer(trainer));
        }
        let run = self.run.as_mut().ok_or_else(|| JsError::new("no run"))?;
        if run.spectrum.is_none() {
            crate::pipeline::compute_spectrum(run);
        }
        Ok(())
    }

    /// Ends training (wherever it is) and returns the final θ, for the pool worker that computes the
    /// density ([`Session::density`]) while this one runs [`Session::spectrum_but_density`].
    pub fn final_params(&mut self) -> Result<Vec<f64>, JsError> {
        if let Some(trainer) = self.trainer.take() {
            self.run = Some(Run::from_trainer(trainer));
        }
        let run = self.run.as_ref().ok_or_else(|| JsError::new("no run"))?;
        Ok(run.trained.params.clone())
    }

    /// [`Session::spectrum`] but the density, which [`Session::set_density`] then adds. Call after
    /// [`Session::final_params`].
    pub fn spectrum_but_density(&mut self) -> Result<(), JsError> {
        let run = self
            .run
            .as_ref()
            .ok_or_else(|| JsError::new("call final_params() first"))?;
        if run.spectrum.is_none() {
            let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
            self.top = crate::spectrum::top(&self.config, mlp, params, train, None);
        }
        Ok(())
    }

    /// The spectral density at θ = `params` for a session of the same query (trained or not): a pool
    /// worker's share of the spectrum, as `[σ, HVPs, x…, y…]` for [`Session::set_density`].
    pub fn density(&self, params: &[f64]) -> Result<Vec<f64>, JsError> {
        let (mlp, train) = self.model().ok_or_else(|| JsError::new("no run"))?;
        if params.len() != mlp.param_count() {
            return Err(JsError::new(&format!(
                "the density needs θ of {} numbers, not {}",
                mlp.param_count(),
                params.len()
            )));
        }
        let (d, products) = crate::spectrum::density(&self.config, mlp, params, train);
        let mut flat = vec![d.sigma, products as f64];
        flat.extend(&d.x);
        flat.extend(&d.y);
        Ok(flat)
    }

    /// Completes [`Session::spectrum_but_density`] with a [`Session::density`] computed elsewhere.
    pub fn set_density(&mut self, flat: Vec<f64>) -> Result<(), JsError> {
        let points = crate::spectrum::DENSITY_POINTS;
        let run = self.run.as_mut().ok_or_else(|| JsError::new("no run"))?;
        if run.spectrum.is_some() {
            return Ok(());
        }
        if flat.len() != 2 + 2 * points {
            return Err(JsError::new(&format!(
                "a density is {} numbers, not {}",
                2 + 2 * points,
                flat.len()
            )));
        }
        let top = self
            .top
            .take()
            .ok_or_else(|| JsError::new("call spectrum_but_density() first"))?;
        let density = crate::spectrum::stochastic::Density {
            sigma: flat[0],
            x: flat[2..2 + points].to_vec(),
            y: flat[2 + points..].to_vec(),
        };
        run.spectrum = Some(top.with((density, flat[1] as usize)));
        Ok(())
    }

    /// The analyses of the spectrum (and the snapshots' spectra with `snap` > 0) but a certified G
    /// and the self-test, so the page can draw them before the longest steps. Returns whether
    /// [`Session::generalize`] has G to compute (it always has the self-test: run.json is complete
    /// only after it). Call after [`Session::spectrum`].
    pub fn analyse(&mut self) -> Result<bool, JsError> {
        self.analyses(false)
    }

    /// [`Session::analyse`] but the fields and the perturbation, which the page's pool computes
    /// meanwhile from [`Session::field_task`]; [`Session::set_perturbation`], then
    /// [`Session::set_fields`], complete the analysis. Returns whether G is pending, as `analyse` does.
    pub fn analyse_rest(&mut self) -> Result<bool, JsError> {
        self.analyses(true)
    }

    /// What the fields of the final model (or of training snapshot `snapshot`) are computed from, for
    /// the pool's workers. Call after [`Session::spectrum`] (for a snapshot, after the analyses).
    pub fn field_task(&self, snapshot: Option<usize>) -> Result<FieldTask, JsError> {
        let (params, values, vectors) = self.field_pairs(snapshot)?;
        let (_, train) = self.model().ok_or_else(|| JsError::new("no run"))?;
        Ok(FieldTask {
            params: params.to_vec(),
            values,
            vectors: vectors.concat(),
            rows: Grid::for_data(train, self.config.grid).height,
        })
    }

    /// The fields' numbers on grid rows `r0..r1` for θ = `params` and the eigenpairs `values`,
    /// `vectors` (one after the other) of a [`FieldTask`] from a session of the same query: a pool
    /// worker's share. Any session of the query can compute it, trained or not.
    pub fn field_band(
        &self,
        params: &[f64],
        values: &[f64],
        vectors: &[f64],
        r0: usize,
        r1: usize,
    ) -> Result<FieldBand, JsError> {
        let (mlp, train) = self.model().ok_or_else(|| JsError::new("no run"))?;
        let grid = Grid::for_data(train, self.config.grid);
        let p = mlp.param_count();
        if params.len() != p || vectors.len() != values.len() * p {
            return Err(JsError::new(&format!(
                "a field band needs θ of {p} numbers and {} eigenvectors of {p}, not {} and {} numbers",
                values.len(),
                params.len(),
                vectors.len()
            )));
        }
        if r0 > r1 || r1 > grid.height {
            return Err(JsError::new(&format!(
                "rows {r0}..{r1} are not rows of the {}-row grid",
                grid.height
            )));
        }
        let vectors: Vec<Vec<f64>> = vectors.chunks(p).map(<[f64]>::to_vec).collect();
        Ok(FieldBand(field::rows(
            mlp,
            params,
            &grid,
            r0..r1,
            values,
            &vectors,
            self.config.align_value,
        )))
    }

    /// The perturbation (losses along the top eigenvectors) at θ = `params` with the eigenpairs
    /// `values`, `vectors` of a [`FieldTask`], for a session of the same query (trained or not): a pool
    /// worker's share, as JSON for [`Session::set_perturbation`] (exact: floats round-trip).
    pub fn perturbation(
        &self,
        params: &[f64],
        values: &[f64],
        vectors: &[f64],
    ) -> Result<String, JsError> {
        let (mlp, train) = self.model().ok_or_else(|| JsError::new("no run"))?;
        let p = mlp.param_count();
        if params.len() != p || vectors.len() != values.len() * p {
            return Err(JsError::new(&format!(
                "the perturbation needs θ of {p} numbers and {} eigenvectors of {p}, not {} and {} numbers",
                values.len(),
                params.len(),
                vectors.len()
            )));
        }
        let vectors: Vec<Vec<f64>> = vectors.chunks(p).map(<[f64]>::to_vec).collect();
        let result =
            crate::analysis::perturbation::perturbation(mlp, params, train, values, &vectors);
        serde_json::to_string(&result).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The pool's [`Session::perturbation`], for [`Session::set_fields`] to complete the analysis with.
    pub fn set_perturbation(&mut self, json: &str) -> Result<(), JsError> {
        let read: Perturbation = serde_json::from_str(json)
            .map_err(|e| JsError::new(&format!("the pool's perturbation cannot be read: {e}")))?;
        self.perturbation = Some(read);
        Ok(())
    }

    /// The fields of the final model (after [`Session::analyse_rest`] and [`Session::set_perturbation`],
    /// completing the analysis)
    /// or of training snapshot `snapshot`, from the pool's bands concatenated in row order
    /// ([`FieldBand`]'s arrays).
    pub fn set_fields(
        &mut self,
        snapshot: Option<usize>,
        predicted: Vec<u32>,
        alignment: Vec<f64>,
        reconstructed: Vec<f64>,
    ) -> Result<(), JsError> {
        let k = self.field_pairs(snapshot)?.1.len();
        let (_, train) = self.model().ok_or_else(|| JsError::new("no run"))?;
        let grid = Grid::for_data(train, self.config.grid);
        let rows = Rows {
            predicted,
            alignment,
            reconstructed,
        };
        let fields = field::assemble(grid, k, rows).map_err(|e| JsError::new(&e))?;
        match snapshot {
            Some(i) => self.snapshot_fields[i] = Some(fields),
            None => {
                let rest = self
                    .rest
                    .take()
                    .ok_or_else(|| JsError::new("call analyse_rest() first"))?;
                let perturbation = self
                    .perturbation
                    .take()
                    .ok_or_else(|| JsError::new("call set_perturbation() first"))?;
                if let Some(run) = self.run.as_mut() {
                    run.analysis = Some(rest.with(fields, perturbation));
                }
            }
        }
        Ok(())
    }

    /// G as the run's config asks (certified over all p by default) where it is still pending, then the
    /// self-test, completing run.json: what [`crate::pipeline::run`] computes. `progress` is called
    /// with the HVPs of G done so far, every 50. Call after [`Session::analyse`].
    pub fn generalize(&mut self, progress: &js_sys::Function) -> Result<(), JsError> {
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| JsError::new("call analyse() first"))?;
        // G over the solver's eigenvectors is already the config's G unless it is pending.
        if crate::pipeline::generalization_pending(run) {
            crate::pipeline::compute_generalization(run, &mut |hvps| {
                let _ = progress.call1(&JsValue::NULL, &JsValue::from(hvps as f64));
            });
        }
        crate::pipeline::compute_checks(run);
        Ok(())
    }

    /// Where each training snapshot's eigenvectors sit when tracked
    /// ([`crate::analysis::tracking::slots`]): JSON `[[[slot, sign], …], …]`, one list per snapshot.
    pub fn tracks(&self) -> String {
        let matches: Vec<_> = self
            .run
            .iter()
            .flat_map(|r| &r.during_training)
            .map(|s| s.matches.clone())
            .collect();
        serde_json::to_string(&crate::analysis::tracking::slots(&matches)).unwrap_or_default()
    }

    /// The predicted class at each pixel of the live grid (`info().plane`) for θ + t·v_`index`
    /// (0-based, of the final spectrum): the perturbation explorer's picture. Call after
    /// [`Session::spectrum`].
    pub fn perturbed_classes(&self, index: usize, t: f64) -> Result<Vec<u32>, JsError> {
        let (run, v) = self.eigenvector(index)?;
        let moved = crate::analysis::perturbation::moved(&run.trained.params, &[(t, v)]);
        Ok(crate::model::autodiff::predict(
            &run.trained.mlp,
            &moved,
            &self.live.points(),
        ))
    }

    /// The training loss at θ + t·v_`index`, as run.json's `perturbation` lines compute it.
    pub fn perturbed_loss(&self, index: usize, t: f64) -> Result<f64, JsError> {
        let (run, v) = self.eigenvector(index)?;
        let moved = crate::analysis::perturbation::moved(&run.trained.params, &[(t, v)]);
        let train = &run.split.train;
        Ok(crate::model::autodiff::loss(
            &run.trained.mlp,
            &moved,
            &train.x,
            crate::model::autodiff::Target::Labels(&train.y),
        ))
    }

    /// Computes the fields of training snapshot `index` (of run.json's `snapshots`) from its θ and
    /// top-k eigenpairs, on the final fields' grid, as [`crate::analysis::analyse`] does for the
    /// final model; kept, so scrubbing back is free. Returns its epoch. Call after
    /// [`Session::analyse`].
    pub fn snapshot(&mut self, index: usize) -> Result<usize, JsError> {
        let run = self.run.as_ref().ok_or_else(|| JsError::new("no run"))?;
        let epoch = run
            .during_training
            .get(index)
            .ok_or_else(|| JsError::new(&format!("no snapshot {index}")))?
            .epoch;
        if self.snapshot_fields[index].is_none() {
            let (params, values, vectors) = self.field_pairs(Some(index))?;
            let grid = Grid::for_data(&run.split.train, self.config.grid);
            let fields = field::fields(
                &run.trained.mlp,
                params,
                grid,
                &values,
                &vectors,
                self.config.align_value,
            );
            self.snapshot_fields[index] = Some(fields);
        }
        Ok(epoch)
    }

    /// The predicted class at each pixel of the result fields (row 0 at the top): the final model's,
    /// or training snapshot `snapshot`'s.
    pub fn predicted(&self, snapshot: Option<usize>) -> Result<Vec<u32>, JsError> {
        Ok(self.fields(snapshot)?.predicted.clone())
    }

    /// A_1…A_k at each pixel, one field after the other: the final model's, or training snapshot
    /// `snapshot`'s (run.json carries only the final ones).
    pub fn alignment(&self, snapshot: Option<usize>) -> Result<Vec<f64>, JsError> {
        Ok(self.fields(snapshot)?.alignment.concat())
    }

    /// The text of `run.json`, exactly [`Run::to_json`] (the CLI writes the same bytes).
    pub fn run_json(&self) -> Result<String, JsError> {
        self.run
            .as_ref()
            .map(Run::to_json)
            .ok_or_else(|| JsError::new("the run has not ended"))
    }

    /// The data as CSV ([`Run::data_csv`]), the format `dataset=csv` reads back.
    pub fn data_csv(&self) -> Result<String, JsError> {
        self.run
            .as_ref()
            .map(Run::data_csv)
            .ok_or_else(|| JsError::new("the run has not ended"))
    }

    /// Grid size of the result fields: `[width, height]` (the config's `grid`; height 1 for 1-D data).
    pub fn field_size(&self) -> Vec<u32> {
        match self.analysis_ref() {
            Some(a) => vec![a.fields.grid.width as u32, a.fields.grid.height as u32],
            None => vec![0, 0],
        }
    }

    /// A result field as RGBA bytes (row 0 at the top): `"regions"` (predicted class tints),
    /// `"reconstructed"` (Σλ|A|, sequential scale) or `"A1"`…`"Ak"` (alignment, diverging scale);
    /// the final model's, or training snapshot `snapshot`'s.
    pub fn field_rgba(&self, name: &str, snapshot: Option<usize>) -> Result<Vec<u8>, JsError> {
        let fields = self.fields(snapshot)?;
        let (w, h) = (fields.grid.width, fields.grid.height);
        match name {
            "regions" => Ok(render::color::regions_rgba(&fields.predicted)),
            "reconstructed" => Ok(render::field_rgba(
                &fields.reconstructed,
                w,
                h,
                &ColorScale::MAGNITUDE,
            )),
            _ => {
                let i: usize = name
                    .strip_prefix('A')
                    .and_then(|i| i.parse().ok())
                    .filter(|&i| i >= 1 && i <= fields.alignment.len())
                    .ok_or_else(|| JsError::new(&format!("no field {name}")))?;
                Ok(render::field_rgba(
                    &fields.alignment[i - 1],
                    w,
                    h,
                    &ColorScale::ALIGNMENT,
                ))
            }
        }
    }

    /// Input-space points of the margin analysis projected onto the plane of the pictures: JSON
    /// `{x_t_max: [u, w], x_t_min, x_b}` (null before the analysis).
    pub fn overlay(&self) -> String {
        let Some(a) = self.analysis_ref() else {
            return "null".into();
        };
        let g = &a.fields.grid;
        let p = |x: &[f64]| {
            let (u, w) = g.project(x);
            [u, w]
        };
        json!({ "x_t_max": p(&a.margin.x_t_max), "x_t_min": p(&a.margin.x_t_min), "x_b": p(&a.margin.x_b) }).to_string()
    }

    /// Draws one chart of `crate::render` at `width`×`height` device pixels (`scale` = device pixel
    /// ratio) on an OffscreenCanvas and returns it as an `ImageBitmap`. Charts: `eigenvalues`,
    /// `density`, `matrix`, `fields` (or `fields-N`, N columns), `margin`, `boundary`,
    /// `reconstructed`, `colorbar`. With `snapshot`, `eigenvalues` and `matrix` are that training
    /// snapshot's (the others stay the final model's).
    pub fn render(
        &self,
        chart: &str,
        width: u32,
        height: u32,
        scale: f64,
        snapshot: Option<usize>,
    ) -> Result<web_sys::ImageBitmap, JsError> {
        let run = self
            .run
            .as_ref()
            .ok_or_else(|| JsError::new("the run has not ended"))?;
        let snapshot = match snapshot {
            None => None,
            Some(i) => Some(
                run.during_training
                    .get(i)
                    .ok_or_else(|| JsError::new(&format!("no snapshot {i}")))?,
            ),
        };
        canvas::render(
            run,
            snapshot,
            chart,
            width.max(1),
            height.max(1),
            Theme { scale },
        )
    }
}

impl Session {
    /// The finished run and its eigenvector `index` (0-based).
    fn eigenvector(&self, index: usize) -> Result<(&Run, &[f64]), JsError> {
        let run = self.run.as_ref().ok_or_else(|| JsError::new("no run"))?;
        let v = run
            .spectrum
            .as_ref()
            .and_then(|s| s.eigen.vectors.get(index))
            .ok_or_else(|| JsError::new(&format!("no eigenvector {}", index + 1)))?;
        Ok((run, v))
    }

    /// The network and the training split, while training or after.
    /// [`Session::analyse`], or with `rest` [`Session::analyse_rest`].
    fn analyses(&mut self, rest: bool) -> Result<bool, JsError> {
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| JsError::new("call spectrum() first"))?;
        if run.analysis.is_some() {
            // Opened from its file: G and everything else are there already.
            return Ok(false);
        }
        if rest {
            self.rest = crate::pipeline::compute_analyses_before_g_rest(run);
        } else {
            crate::pipeline::compute_analyses_before_g(run);
        }
        self.snapshot_fields = vec![None; run.during_training.len()];
        Ok(crate::pipeline::generalization_pending(run))
    }

    fn model(&self) -> Option<(&Mlp, &Dataset)> {
        match (&self.trainer, &self.run) {
            (Some(t), _) => Some((t.mlp(), &t.split().train)),
            (None, Some(r)) => Some((&r.trained.mlp, &r.split.train)),
            (None, None) => None,
        }
    }

    /// θ and the top-k eigenpairs of the final model's fields, or training snapshot `snapshot`'s in
    /// their tracked order and sign.
    fn field_pairs(
        &self,
        snapshot: Option<usize>,
    ) -> Result<(&[f64], Vec<f64>, Vec<Vec<f64>>), JsError> {
        let run = self.run.as_ref().ok_or_else(|| JsError::new("no run"))?;
        let Some(index) = snapshot else {
            let spectrum = run
                .spectrum
                .as_ref()
                .ok_or_else(|| JsError::new("call spectrum() first"))?;
            let (_, values, vectors) =
                crate::analysis::field_inputs(&self.config, &run.split.train, spectrum);
            return Ok((&run.trained.params, values.to_vec(), vectors.to_vec()));
        };
        if index >= run.during_training.len() {
            return Err(JsError::new(&format!("no snapshot {index}")));
        }
        let theta = run.trained.snapshots.get(index).ok_or_else(|| {
            JsError::new("this run was opened from its run.json, which holds no θ of the training snapshots: recompute it here to see their fields")
        })?;
        let (values, vectors) =
            crate::analysis::tracked_pairs(&run.during_training, index, self.config.k);
        Ok((&theta.params, values, vectors))
    }

    fn analysis_ref(&self) -> Option<&crate::analysis::Analysis> {
        self.run.as_ref().and_then(|r| r.analysis.as_ref())
    }

    /// The final model's fields, or a training snapshot's once [`Session::snapshot`] computed them.
    fn fields(&self, snapshot: Option<usize>) -> Result<&Fields, JsError> {
        match snapshot {
            None => self
                .analysis_ref()
                .map(|a| &a.fields)
                .ok_or_else(|| JsError::new("no analysis yet")),
            Some(i) => self
                .snapshot_fields
                .get(i)
                .and_then(Option::as_ref)
                .ok_or_else(|| JsError::new(&format!("call snapshot({i}) first"))),
        }
    }
}
