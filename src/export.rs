//! `run.json`, schema `hessian-boundary/run/v1`: everything a run computed, in one file that the CLI
//! writes and the page downloads, byte for byte the same for the same query.
//!
//! Floats are written in their shortest round-trip form, so every number reads back bit-identical.
//! Later stages add their own top-level sections (`hessian`, `alignment`, …).

use serde::Serialize;

mod read;
pub use read::RunFileError;

use crate::config::{Config, LossKind};
use crate::data::Dataset;
use crate::pipeline::Run;
use crate::train::accuracy;

pub const SCHEMA: &str = "hessian-boundary/run/v1";

#[derive(Serialize)]
struct RunJson<'a> {
    schema: &'static str,
    query: String,
    config: &'a Config,
    data: DataJson<'a>,
    model: ModelJson<'a>,
    loss: &'static str,
    metrics: MetricsJson,
    history: Vec<HistoryJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hessian: Option<HessianJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alignment: Option<AlignmentJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generalization: Option<GeneralizationJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    margin: Option<MarginJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    perturbation: Option<PerturbationJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    snapshots: Vec<SnapshotJson<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    checks: &'a [crate::analysis::checks::Check],
}

/// The loss along θ + t·v_i for each exported eigenvector, and on the plane of v_1, v_2.
#[derive(Serialize)]
struct PerturbationJson<'a> {
    lines: Vec<LineJson<'a>>,
    surface: Option<SurfaceJson<'a>>,
}

#[derive(Serialize)]
struct LineJson<'a> {
    index: usize,
    eigenvalue: f64,
    t: &'a [f64],
    loss: &'a [f64],
    /// The second difference of the loss at t = 0 with step `step`.
    curvature: f64,
    step: f64,
    /// central, forward or backward (one-sided when θ sits next to a kink of a ReLU network).
    stencil: crate::analysis::perturbation::Stencil,
}

#[derive(Serialize)]
struct SurfaceJson<'a> {
    a: &'a [f64],
    b: &'a [f64],
    /// Row-major, `b` the row.
    loss: &'a [f64],
}

/// A snapshot eigenvector's predecessor: index in the previous snapshot, |overlap|, and the sign that
/// makes the overlap positive.
#[derive(Serialize)]
struct OverlapJson {
    previous: usize,
    overlap: f64,
    sign: f64,
}

#[derive(Serialize)]
struct SnapshotJson<'a> {
    epoch: usize,
    eigenvalues: &'a [f64],
    residuals: &'a [f64],
    converged: bool,
    hvp_count: usize,
    /// A_i at the training points, in `alignment.matrix_order`.
    matrix: &'a [Vec<f64>],
    /// Per eigenvector, its match in the previous snapshot (null at the first snapshot).
    overlaps: Vec<Option<OverlapJson>>,
}

#[derive(Serialize)]
struct AlignmentJson<'a> {
    grad_label: crate::config::GradLabel,
    value: crate::config::AlignValue,
    /// Training points in display order (grouped by class) and A_i at each, per eigenvector.
    matrix_order: &'a [usize],
    matrix: &'a [Vec<f64>],
    grid: GridJson<'a>,
    /// Per pixel, row-major from the top-left: the predicted class, each A_i, and Σλ_i|A_i| normalized.
    predicted: &'a [u32],
    fields: &'a [Vec<f64>],
    reconstructed: &'a [f64],
}

#[derive(Serialize)]
struct GridJson<'a> {
    width: usize,
    height: usize,
    origin: &'a [f64],
    axes: &'a [Vec<f64>; 2],
    u_range: (f64, f64),
    w_range: (f64, f64),
}

#[derive(Serialize)]
struct GeneralizationJson<'a> {
    aggregate: f64,
    /// [G_low, G_high]: where G over all p certainly lies (equal ends when exact).
    bounds: [f64; 2],
    /// The same as counts of eigenvectors, and p: G = count / p.
    counted: [usize; 2],
    params: usize,
    /// What makes `bounds` hold: dense, invariant, residual-energy, open, top-k.
    certificate: crate::analysis::certificate::Certificate,
    /// Why the interval is open, when it is.
    reason: Option<&'a str>,
    /// Eigenpairs counted directly and the HVPs and memory (MB) of the certified count.
    eigenpairs: usize,
    hvps: usize,
    memory_mb: f64,
    epsilon: f64,
    /// Which ε: "sampled" (5 random directions) or "expected" (closed form, mean statistic).
    epsilon_kind: crate::config::Epsilon,
    epsilon_sampled: f64,
    epsilon_expected: Option<f64>,
    m: &'a [f64],
    measure: crate::config::Measure,
    /// "all" (every eigenvector, dense solver) or "top_k".
    over: &'static str,
    k: usize,
    trace: f64,
    lambda1: f64,
}

#[derive(Serialize)]
struct MarginJson<'a> {
    x_t_max: &'a [f64],
    x_t_min: &'a [f64],
    x_b: &'a [f64],
    alignment_x_b: f64,
    search_steps: usize,
    estimate: f64,
    #[serde(rename = "true")]
    true_margin: Option<f64>,
    relative_error: Option<f64>,
    method: crate::config::MarginMethod,
    x_b_boundary_distance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    boundary_point: Option<&'a [f64]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x_t_slide: Option<&'a [f64]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slide_steps: Option<usize>,
}

#[derive(Serialize)]
struct HessianJson<'a> {
    solver: crate::config::Solver,
    /// Which matrix (the Hessian, the Gauss–Newton or the Fisher) and which end of its spectrum.
    operator: crate::config::CurvatureOperator,
    which: crate::config::Which,
    /// The top k, largest first (the dense route computes all p; k are exported).
    eigenvalues: &'a [f64],
    eigenvectors: &'a [Vec<f64>],
    residuals: &'a [f64],
    converged: bool,
    /// HVPs of the eigensolver, including one residual check per pair (dense: the p columns).
    hvp_count: usize,
    trace: f64,
    trace_std_error: f64,
    trace_hvp_count: usize,
    density: DensityJson<'a>,
}

#[derive(Serialize)]
struct DensityJson<'a> {
    x: &'a [f64],
    y: &'a [f64],
    sigma: f64,
    hvp_count: usize,
}

#[derive(Serialize)]
struct DataJson<'a> {
    /// Whose points: `paper` (the authors' draw), `seeded` (ours), or absent for file data.
    #[serde(skip_serializing_if = "Option::is_none")]
    draw: Option<crate::config::Draw>,
    dim: usize,
    classes: usize,
    /// Class k's name, for data whose labels are names (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    class_names: Option<&'a [String]>,
    train: PointsJson<'a>,
    test: PointsJson<'a>,
}

#[derive(Serialize)]
struct PointsJson<'a> {
    x: Vec<&'a [f64]>,
    y: &'a [u32],
    /// The labels a random-label phase trained on (training split of such regimes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    y_random: Option<&'a [u32]>,
}

impl<'a> PointsJson<'a> {
    fn new(d: &'a Dataset, y_random: Option<&'a [u32]>) -> Self {
        PointsJson {
            x: d.x.chunks_exact(d.dim.max(1)).collect(),
            y: &d.y,
            y_random,
        }
    }
}

#[derive(Serialize)]
struct ModelJson<'a> {
    layers: &'a [usize],
    activation: crate::config::Activation,
    params: &'a [f64],
}

#[derive(Serialize)]
struct MetricsJson {
    train_loss: f64,
    train_accuracy: Option<f64>,
    test_accuracy: Option<f64>,
    epochs: usize,
}

#[derive(Serialize)]
struct HistoryJson {
    epoch: usize,
    labels: &'static str,
    train_loss: f64,
    train_accuracy: f64,
    test_accuracy: Option<f64>,
}

impl Run {
    /// The text of run.json (compact, one trailing newline).
    pub fn to_json(&self) -> String {
        let Run {
            config,
            split,
            trained,
            spectrum,
            analysis,
            during_training,
            checks,
        } = self;
        let train_loss = crate::model::autodiff::loss(
            &trained.mlp,
            &trained.params,
            &split.train.x,
            crate::model::autodiff::Target::Labels(&split.train.y),
        );
        let json = RunJson {
            schema: SCHEMA,
            query: config.to_query(),
            config,
            data: DataJson {
                draw: config.dataset.is_synthetic().then(|| config.draw()),
                dim: split.train.dim,
                classes: split.train.classes,
                class_names: split.class_names.as_deref(),
                train: PointsJson::new(
                    &split.train,
                    Some(&trained.permuted_labels[..]).filter(|y| !y.is_empty()),
                ),
                test: PointsJson::new(&split.test, None),
            },
            model: ModelJson {
                layers: &trained.mlp.sizes,
                activation: config.act,
                params: &trained.params,
            },
            loss: match config.loss {
                LossKind::Ce => "cross_entropy",
                LossKind::Mse => "mse",
            },
            metrics: MetricsJson {
                train_loss,
                train_accuracy: accuracy(&trained.mlp, &trained.params, &split.train),
                test_accuracy: accuracy(&trained.mlp, &trained.params, &split.test),
                epochs: trained.history.last().map_or(0, |h| h.epoch),
            },
            history: trained
                .history
                .iter()
                .map(|h| HistoryJson {
                    epoch: h.epoch,
                    labels: h.labels.name(),
                    train_loss: h.train_loss,
                    train_accuracy: h.train_accuracy,
                    test_accuracy: h.test_accuracy,
                })
                .collect(),
            hessian: spectrum.as_ref().map(|s| {
                let k = config.k.min(s.eigen.values.len());
                HessianJson {
                    solver: s.solver,
                    operator: config.operator,
                    which: config.which,
                    eigenvalues: &s.eigen.values[..k],
                    eigenvectors: &s.eigen.vectors[..k],
                    residuals: &s.eigen.residuals[..k],
                    converged: s.eigen.converged,
                    hvp_count: s.eigen.products,
                    trace: s.trace.estimate,
                    trace_std_error: s.trace.std_error,
                    trace_hvp_count: s.trace_products,
                    density: DensityJson {
                        x: &s.density.x,
                        y: &s.density.y,
                        sigma: s.density.sigma,
                        hvp_count: s.density_products,
                    },
                }
            }),
            alignment: analysis.as_ref().map(|a| AlignmentJson {
                grad_label: config.grad_label,
                value: config.align_value,
                matrix_order: &a.matrix.order,
                matrix: &a.matrix.values,
                grid: GridJson {
                    width: a.fields.grid.width,
                    height: a.fields.grid.height,
                    origin: &a.fields.grid.origin,
                    axes: &a.fields.grid.axes,
                    u_range: a.fields.grid.u_range,
                    w_range: a.fields.grid.w_range,
                },
                predicted: &a.fields.predicted,
                fields: &a.fields.alignment,
                reconstructed: &a.fields.reconstructed,
            }),
            generalization: analysis.as_ref().zip(spectrum.as_ref()).map(|(a, s)| {
                GeneralizationJson {
                    aggregate: a.generalization.aggregate,
                    bounds: [a.generalization.bounds.0, a.generalization.bounds.1],
                    counted: [
                        a.generalization.certified.low,
                        a.generalization.certified.high,
                    ],
                    params: a.generalization.params,
                    certificate: a.generalization.certified.certificate,
                    reason: a.generalization.certified.reason.as_deref(),
                    eigenpairs: a.generalization.certified.eigenpairs,
                    hvps: a.generalization.certified.products,
                    memory_mb: a.generalization.certified.memory_mb,
                    epsilon: a.generalization.epsilon,
                    epsilon_kind: a.generalization.epsilon_kind,
                    epsilon_sampled: a.generalization.epsilon_sampled,
                    epsilon_expected: a.generalization.epsilon_expected,
                    m: &a.generalization.m,
                    measure: a.generalization.measure,
                    over: if a.generalization.over_all {
                        "all"
                    } else {
                        "top_k"
                    },
                    k: a.generalization.m.len(),
                    trace: s.trace.estimate,
                    lambda1: s.eigen.values[0],
                }
            }),
            margin: analysis.as_ref().map(|a| MarginJson {
                x_t_max: &a.margin.x_t_max,
                x_t_min: &a.margin.x_t_min,
                x_b: &a.margin.x_b,
                alignment_x_b: a.margin.alignment_x_b,
                search_steps: a.margin.steps,
                estimate: a.margin.estimate,
                true_margin: a.margin.true_margin,
                relative_error: a.margin.relative_error,
                method: a.margin.method,
                x_b_boundary_distance: a.margin.x_b_boundary_distance,
                boundary_point: a.margin.boundary_point.as_deref(),
                x_t_slide: a.margin.x_t_slide.as_deref(),
                slide_steps: a.margin.x_t_slide.as_ref().map(|_| a.margin.slide_steps),
            }),
            snapshots: during_training
                .iter()
                .map(|s| SnapshotJson {
                    epoch: s.epoch,
                    eigenvalues: &s.eigen.values,
                    residuals: &s.eigen.residuals,
                    converged: s.eigen.converged,
                    hvp_count: s.eigen.products,
                    matrix: &s.matrix.values,
                    overlaps: s
                        .matches
                        .iter()
                        .map(|m| {
                            m.map(|m| OverlapJson {
                                previous: m.previous,
                                overlap: m.overlap,
                                sign: m.sign,
                            })
                        })
                        .collect(),
                })
                .collect(),
            perturbation: analysis.as_ref().map(|a| PerturbationJson {
                lines: a
                    .perturbation
                    .lines
                    .iter()
                    .map(|l| LineJson {
                        index: l.index,
                        eigenvalue: l.eigenvalue,
                        t: &l.t,
                        loss: &l.loss,
                        curvature: l.curvature,
                        step: l.step,
                        stencil: l.stencil,
                    })
                    .collect(),
                surface: a.perturbation.surface.as_ref().map(|s| SurfaceJson {
                    a: &s.a,
                    b: &s.b,
                    loss: &s.loss,
                }),
            }),
            checks,
        };
        let mut text =
            serde_json::to_string(&json).expect("run.json serializes (all floats are finite)");
        text.push('\n');
        text
    }
}

impl Run {
    /// The data as CSV, the format `dataset=csv` reads back: a header (`x1,…,xd,label`), then the
    /// training points and the test points, each its features and its label (the class name where
    /// the data names its classes, quoted where needed; else the class number).
    pub fn data_csv(&self) -> String {
        let split = &self.split;
        let mut out = csv::Writer::from_writer(Vec::new());
        let header = (1..=split.train.dim)
            .map(|i| format!("x{i}"))
            .chain(["label".to_string()]);
        let mut rows = vec![header.collect::<Vec<String>>()];
        for data in [&split.train, &split.test] {
            for i in 0..data.len() {
                let class = data.y[i] as usize;
                let label = match &split.class_names {
                    Some(names) => names[class].clone(),
                    None => class.to_string(),
                };
                rows.push(
                    data.row(i)
                        .iter()
                        .map(f64::to_string)
                        .chain([label])
                        .collect(),
                );
            }
        }
        for row in rows {
            out.write_record(&row)
                .expect("writing to memory cannot fail");
        }
        let bytes = out.into_inner().expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("the cells are text")
    }
}
