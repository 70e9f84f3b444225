//! run.json read back into a [`Run`], so a published run can be shown without computing it again
//! (the page's `run=`). Nothing the file holds is recomputed; what it lacks stays empty (the θ of the
//! training snapshots, the certified count's own eigenpairs), so only what needs those is unavailable.
//!
//! A file is accepted only if it is exactly what this version writes for the numbers it holds: the
//! sizes are checked first (so nothing later indexes out of bounds), then [`Run::to_json`] of the run
//! read back must give the file's bytes. A hand-edited, truncated or foreign file is refused with a
//! message that names the part that is wrong.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::analysis::alignment::AlignmentMatrix;
use crate::analysis::certificate::{Certificate, Certified};
use crate::analysis::checks::{self, Check};
use crate::analysis::field::{Fields, Grid};
use crate::analysis::generalization::Generalization;
use crate::analysis::margin::Margin;
use crate::analysis::perturbation::{Line, Perturbation, Stencil, Surface};
use crate::analysis::tracking::Match;
use crate::analysis::{Analysis, SnapshotSpectrum};
use crate::config::{Config, Epsilon, MarginMethod, Measure};
use crate::data::{Dataset, Split};
use crate::model::Mlp;
use crate::pipeline::Run;
use crate::spectrum::stochastic::{Density, Trace};
use crate::spectrum::{Eigen, Spectrum};
use crate::train::{HistoryEntry, Labels, Trained};

use super::SCHEMA;

/// Why a run.json cannot be shown: a sentence for the reader that names the part of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct RunFileError(pub String);

impl std::fmt::Display for RunFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunFileError {}

fn bad(message: impl Into<String>) -> RunFileError {
    RunFileError(message.into())
}

#[derive(Deserialize)]
struct PointsFile {
    x: Vec<Vec<f64>>,
    y: Vec<u32>,
    y_random: Option<Vec<u32>>,
}

#[derive(Deserialize)]
struct DataFile {
    dim: usize,
    classes: usize,
    class_names: Option<Vec<String>>,
    train: PointsFile,
    test: PointsFile,
}

#[derive(Deserialize)]
struct ModelFile {
    layers: Vec<usize>,
    params: Vec<f64>,
}

#[derive(Deserialize)]
struct HistoryFile {
    epoch: usize,
    labels: String,
    train_loss: f64,
    train_accuracy: f64,
    test_accuracy: Option<f64>,
}

#[derive(Deserialize)]
struct DensityFile {
    x: Vec<f64>,
    y: Vec<f64>,
    sigma: f64,
    hvp_count: usize,
}

#[derive(Deserialize)]
struct HessianFile {
    eigenvalues: Vec<f64>,
    eigenvectors: Vec<Vec<f64>>,
    residuals: Vec<f64>,
    converged: bool,
    hvp_count: usize,
    trace: f64,
    trace_std_error: f64,
    trace_hvp_count: usize,
    density: DensityFile,
}

#[derive(Deserialize)]
struct GridFile {
    width: usize,
    height: usize,
    origin: Vec<f64>,
    axes: [Vec<f64>; 2],
    u_range: (f64, f64),
    w_range: (f64, f64),
}

#[derive(Deserialize)]
struct AlignmentFile {
    matrix_order: Vec<usize>,
    matrix: Vec<Vec<f64>>,
    grid: GridFile,
    predicted: Vec<u32>,
    fields: Vec<Vec<f64>>,
    reconstructed: Vec<f64>,
}

#[derive(Deserialize)]
struct GeneralizationFile {
    aggregate: f64,
    bounds: (f64, f64),
    counted: (usize, usize),
    params: usize,
    certificate: Certificate,
    reason: Option<String>,
    eigenpairs: usize,
    hvps: usize,
    memory_mb: f64,
    epsilon: f64,
    epsilon_kind: String,
    epsilon_sampled: f64,
    epsilon_expected: Option<f64>,
    m: Vec<f64>,
    measure: String,
    over: String,
}

#[derive(Deserialize)]
struct MarginFile {
    x_t_max: Vec<f64>,
    x_t_min: Vec<f64>,
    x_b: Vec<f64>,
    alignment_x_b: f64,
    search_steps: usize,
    estimate: f64,
    #[serde(rename = "true")]
    true_margin: Option<f64>,
    relative_error: Option<f64>,
    method: String,
    x_b_boundary_distance: Option<f64>,
    boundary_point: Option<Vec<f64>>,
    x_t_slide: Option<Vec<f64>>,
    slide_steps: Option<usize>,
}

#[derive(Deserialize)]
struct SnapshotFile {
    epoch: usize,
    eigenvalues: Vec<f64>,
    residuals: Vec<f64>,
    converged: bool,
    hvp_count: usize,
    matrix: Vec<Vec<f64>>,
    overlaps: Vec<Option<OverlapFile>>,
}

#[derive(Deserialize)]
struct OverlapFile {
    previous: usize,
    overlap: f64,
    sign: f64,
}

#[derive(Deserialize)]
struct LineFile {
    index: usize,
    eigenvalue: f64,
    t: Vec<f64>,
    loss: Vec<f64>,
    curvature: f64,
    step: f64,
    stencil: Stencil,
}

#[derive(Deserialize)]
struct SurfaceFile {
    a: Vec<f64>,
    b: Vec<f64>,
    loss: Vec<f64>,
}

#[derive(Deserialize)]
struct PerturbationFile {
    lines: Vec<LineFile>,
    surface: Option<SurfaceFile>,
}

#[derive(Deserialize)]
struct CheckFile {
    name: String,
    value: Option<f64>,
    tolerance: f64,
    pass: Option<bool>,
    detail: String,
}

/// The file's sections, each kept as its text until read as its own type (so an error can name it).
type Sections<'a> = std::collections::HashMap<&'a str, &'a RawValue>;

/// Section `key` of the file, read as `T`; a missing section is `None`.
fn section<T: DeserializeOwned>(file: &Sections, key: &str) -> Result<Option<T>, RunFileError> {
    match file.get(key).map(|raw| raw.get()) {
        None | Some("null") => Ok(None),
        Some(text) => serde_json::from_str(text)
            .map(Some)
            .map_err(|e| bad(format!("its `{key}` section cannot be read: {e}"))),
    }
}

fn required<T: DeserializeOwned>(file: &Sections, key: &str) -> Result<T, RunFileError> {
    section(file, key)?.ok_or_else(|| {
        bad(format!(
            "it has no `{key}` section: it is not the run.json of a finished run"
        ))
    })
}

/// `what` must hold `want` items.
fn count(what: &str, have: usize, want: usize) -> Result<(), RunFileError> {
    if have == want {
        Ok(())
    } else {
        Err(bad(format!("{what} has {have} entries, not {want}")))
    }
}

/// Every row of `rows` must have `want` numbers.
fn rows<T>(what: &str, rows: &[Vec<T>], want: usize) -> Result<(), RunFileError> {
    match rows.iter().position(|r| r.len() != want) {
        None => Ok(()),
        Some(i) => Err(bad(format!(
            "{what}[{i}] has {} numbers, not {want}",
            rows[i].len()
        ))),
    }
}

fn named<T>(what: &str, value: &str, from: fn(&str) -> Option<T>) -> Result<T, RunFileError> {
    from(value).ok_or_else(|| {
        bad(format!(
            "{what} is `{value}`, which this version does not know"
        ))
    })
}

fn points(what: &str, p: PointsFile, dim: usize, classes: usize) -> Result<Dataset, RunFileError> {
    rows(&format!("data.{what}.x"), &p.x, dim)?;
    count(&format!("data.{what}.y"), p.y.len(), p.x.len())?;
    if let Some(y) = p.y.iter().find(|&&y| y as usize >= classes) {
        return Err(bad(format!(
            "data.{what}.y has the label {y}, but the data has {classes} classes"
        )));
    }
    Ok(Dataset {
        dim,
        classes,
        x: p.x.concat(),
        y: p.y,
    })
}

impl Run {
    /// The run a `run.json` holds, checked to be exactly what this version writes for it (see the
    /// module docs). Nothing is recomputed but the training loss and accuracies that `to_json` writes.
    pub fn from_json(text: &str) -> Result<Run, RunFileError> {
        let file: Sections = serde_json::from_str(text).map_err(|e| {
            if e.classify() == serde_json::error::Category::Data {
                bad("it is not a JSON object")
            } else {
                bad(format!("it is not JSON: {e}"))
            }
        })?;
        let schema: String = required(&file, "schema")?;
        if schema != SCHEMA {
            return Err(bad(format!(
                "its schema is `{schema}`; this page reads `{SCHEMA}`"
            )));
        }
        let query: String = required(&file, "query")?;
        let config = Config::parse(&query)
            .map_err(|e| bad(format!("its query `{query}` is not a valid config: {e}")))?;

        let data: DataFile = required(&file, "data")?;
        let (dim, classes) = (data.dim, data.classes);
        let y_random = data.train.y_random.clone();
        let class_names = data.class_names.clone();
        let train = points("train", data.train, dim, classes)?;
        let test = points("test", data.test, dim, classes)?;
        if train.is_empty() {
            return Err(bad("data.train has no points"));
        }
        let n = train.len();

        let model: ModelFile = required(&file, "model")?;
        let mlp = Mlp::new(dim, &config.layers, classes, config.act, config.loss);
        if model.layers != mlp.sizes {
            return Err(bad(format!(
                "model.layers is {:?}, but the query's network on this data is {:?}",
                model.layers, mlp.sizes
            )));
        }
        let p = mlp.param_count();
        count("model.params", model.params.len(), p)?;

        let history: Vec<HistoryFile> = required(&file, "history")?;
        let history = history
            .into_iter()
            .map(|h| {
                let labels = [Labels::True, Labels::Permuted, Labels::Pretrain]
                    .into_iter()
                    .find(|l| l.name() == h.labels);
                Ok(HistoryEntry {
                    epoch: h.epoch,
                    labels: labels.ok_or_else(|| {
                        bad(format!(
                            "history has the labels `{}`, which this version does not know",
                            h.labels
                        ))
                    })?,
                    train_loss: h.train_loss,
                    train_accuracy: h.train_accuracy,
                    test_accuracy: h.test_accuracy,
                })
            })
            .collect::<Result<Vec<_>, RunFileError>>()?;

        let h: HessianFile = required(&file, "hessian")?;
        let k = h.eigenvalues.len();
        if k == 0 {
            return Err(bad("hessian.eigenvalues is empty"));
        }
        count("hessian.eigenvectors", h.eigenvectors.len(), k)?;
        count("hessian.residuals", h.residuals.len(), k)?;
        rows("hessian.eigenvectors", &h.eigenvectors, p)?;
        count("hessian.density.y", h.density.y.len(), h.density.x.len())?;

        let a: AlignmentFile = required(&file, "alignment")?;
        let pixels = a.grid.width * a.grid.height;
        count("alignment.matrix_order", a.matrix_order.len(), n)?;
        if a.matrix_order.iter().any(|&j| j >= n) {
            return Err(bad(
                "alignment.matrix_order names a training point that is not there",
            ));
        }
        count("alignment.matrix", a.matrix.len(), k)?;
        rows("alignment.matrix", &a.matrix, n)?;
        count("alignment.fields", a.fields.len(), k)?;
        rows("alignment.fields", &a.fields, pixels)?;
        count("alignment.predicted", a.predicted.len(), pixels)?;
        count("alignment.reconstructed", a.reconstructed.len(), pixels)?;
        count("alignment.grid.origin", a.grid.origin.len(), dim)?;
        rows("alignment.grid.axes", &a.grid.axes, dim)?;
        if a.predicted.iter().any(|&c| c as usize >= classes) {
            return Err(bad(
                "alignment.predicted has a class the data does not have",
            ));
        }

        let g: GeneralizationFile = required(&file, "generalization")?;
        let m: MarginFile = required(&file, "margin")?;
        for (what, x) in [
            ("x_t_max", &m.x_t_max),
            ("x_t_min", &m.x_t_min),
            ("x_b", &m.x_b),
        ] {
            count(&format!("margin.{what}"), x.len(), dim)?;
        }
        let snapshots: Vec<SnapshotFile> = section(&file, "snapshots")?.unwrap_or_default();
        for (i, s) in snapshots.iter().enumerate() {
            count(
                &format!("snapshots[{i}].residuals"),
                s.residuals.len(),
                s.eigenvalues.len(),
            )?;
            count(
                &format!("snapshots[{i}].matrix"),
                s.matrix.len(),
                s.eigenvalues.len(),
            )?;
            rows(&format!("snapshots[{i}].matrix"), &s.matrix, n)?;
            count(
                &format!("snapshots[{i}].overlaps"),
                s.overlaps.len(),
                s.eigenvalues.len(),
            )?;
        }
        let perturbation: PerturbationFile = required(&file, "perturbation")?;
        for (i, l) in perturbation.lines.iter().enumerate() {
            count(
                &format!("perturbation.lines[{i}].loss"),
                l.loss.len(),
                l.t.len(),
            )?;
        }
        if let Some(s) = &perturbation.surface {
            count(
                "perturbation.surface.loss",
                s.loss.len(),
                s.a.len() * s.b.len(),
            )?;
        }
        let checks: Vec<CheckFile> = section(&file, "checks")?.unwrap_or_default();
        let checks = checks
            .into_iter()
            .map(|c| {
                let name = checks::NAMES
                    .into_iter()
                    .find(|&n| n == c.name)
                    .ok_or_else(|| {
                        bad(format!(
                            "checks has `{}`, which this version does not know",
                            c.name
                        ))
                    })?;
                Ok(Check {
                    name,
                    value: c.value,
                    tolerance: c.tolerance,
                    pass: c.pass,
                    detail: c.detail,
                })
            })
            .collect::<Result<Vec<_>, RunFileError>>()?;

        let eigen = |values, vectors, residuals, converged, products| Eigen {
            values,
            vectors,
            residuals,
            converged,
            products,
        };
        let order = a.matrix_order;
        let run = Run {
            split: Split {
                train,
                test,
                random_labels: None,
                class_names,
            },
            trained: Trained {
                mlp,
                params: model.params,
                history,
                snapshots: Vec::new(),
                permuted_labels: y_random.unwrap_or_default(),
            },
            spectrum: Some(Spectrum {
                solver: config.solver,
                eigen: eigen(
                    h.eigenvalues,
                    h.eigenvectors,
                    h.residuals,
                    h.converged,
                    h.hvp_count,
                ),
                trace: Trace {
                    estimate: h.trace,
                    std_error: h.trace_std_error,
                    probes: 0,
                },
                density: Density {
                    x: h.density.x,
                    y: h.density.y,
                    sigma: h.density.sigma,
                },
                trace_products: h.trace_hvp_count,
                density_products: h.density.hvp_count,
            }),
            analysis: Some(Analysis {
                matrix: AlignmentMatrix {
                    order: order.clone(),
                    values: a.matrix,
                },
                fields: Fields {
                    grid: Grid {
                        width: a.grid.width,
                        height: a.grid.height,
                        origin: a.grid.origin,
                        axes: a.grid.axes,
                        u_range: a.grid.u_range,
                        w_range: a.grid.w_range,
                    },
                    predicted: a.predicted,
                    alignment: a.fields,
                    reconstructed: a.reconstructed,
                },
                generalization: Generalization {
                    aggregate: g.aggregate,
                    bounds: g.bounds,
                    epsilon: g.epsilon,
                    epsilon_kind: named(
                        "generalization.epsilon_kind",
                        &g.epsilon_kind,
                        Epsilon::from_name,
                    )?,
                    epsilon_sampled: g.epsilon_sampled,
                    epsilon_expected: g.epsilon_expected,
                    certified: Certified {
                        low: g.counted.0,
                        high: g.counted.1,
                        certificate: g.certificate,
                        reason: g.reason,
                        eigenpairs: g.eigenpairs,
                        products: g.hvps,
                        memory_mb: g.memory_mb,
                        values: Vec::new(),
                        m: Vec::new(),
                    },
                    m: g.m,
                    measure: named("generalization.measure", &g.measure, Measure::from_name)?,
                    over_all: g.over == "all",
                    params: g.params,
                },
                margin: Margin {
                    method: named("margin.method", &m.method, MarginMethod::from_name)?,
                    x_t_max: m.x_t_max,
                    x_t_min: m.x_t_min,
                    x_b: m.x_b,
                    alignment_x_b: m.alignment_x_b,
                    steps: m.search_steps,
                    estimate: m.estimate,
                    true_margin: m.true_margin,
                    relative_error: m.relative_error,
                    x_b_boundary_distance: m.x_b_boundary_distance,
                    boundary_point: m.boundary_point,
                    x_t_slide: m.x_t_slide,
                    slide_steps: m.slide_steps.unwrap_or(0),
                },
                perturbation: Perturbation {
                    lines: perturbation
                        .lines
                        .into_iter()
                        .map(|l| Line {
                            index: l.index,
                            eigenvalue: l.eigenvalue,
                            t: l.t,
                            loss: l.loss,
                            curvature: l.curvature,
                            step: l.step,
                            stencil: l.stencil,
                        })
                        .collect(),
                    surface: perturbation.surface.map(|s| Surface {
                        a: s.a,
                        b: s.b,
                        loss: s.loss,
                    }),
                },
            }),
            during_training: snapshots
                .into_iter()
                .map(|s| SnapshotSpectrum {
                    epoch: s.epoch,
                    eigen: eigen(
                        s.eigenvalues,
                        Vec::new(),
                        s.residuals,
                        s.converged,
                        s.hvp_count,
                    ),
                    matrix: AlignmentMatrix {
                        order: order.clone(),
                        values: s.matrix,
                    },
                    matches: s
                        .overlaps
                        .into_iter()
                        .map(|o| {
                            o.map(|o| Match {
                                previous: o.previous,
                                overlap: o.overlap,
                                sign: o.sign,
                            })
                        })
                        .collect(),
                })
                .collect(),
            checks,
            config,
        };
        let written = run.to_json();
        if written != text {
            return Err(bad(first_difference(text, &written)));
        }
        Ok(run)
    }
}

/// Where the file departs from what its numbers write: the byte offset and a few characters around it.
fn first_difference(file: &str, written: &str) -> String {
    let at = file
        .bytes()
        .zip(written.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(file.len().min(written.len()));
    let context = |s: &str| {
        let start = (0..=at.saturating_sub(40))
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        let end = (at + 40..=s.len())
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(s.len());
        s.get(start.min(s.len())..end.min(s.len()))
            .unwrap_or("")
            .to_string()
    };
    format!(
        "it is not what this version writes for the numbers it holds (edited, or from another version): \
         from byte {at} the file has …{}… where …{}… was expected",
        context(file),
        context(written)
    )
}
