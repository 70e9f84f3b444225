//! The run configuration: one struct, the single source of truth for every knob.
//!
//! A [`Config`] fully determines a run (with its `seed`). Its text form is a URL query string
//! (`v=1&dataset=moons&layers=50,50`), used by the CLI's `--config`, by `run.json`'s `query` and by
//! the page's share links. Defaults are omitted when encoding, so the shortest query names only what
//! differs from the paper's main setting.
//!
//! | module | what it holds |
//! |---|---|
//! | `keys.rs` | the key table: every key, its default, what it accepts, how it reads and writes |
//! | `values.rs` | the value types (ranges, enums, lists) with their parsers and "expected …" texts |
//! | `query.rs` | the query codec: [`Config::parse`], [`Config::parse_lenient`], [`Config::to_query`] |
//! | [`limits`] | the hard limits and [`Config::check_size`], the checks that need the loaded data |
//! | `error.rs` | [`ConfigError`] and [`FieldError`]: every bad key with its value, shown safely |
//!

mod error;
mod keys;
pub mod limits;
mod query;
mod values;

pub use error::{ConfigError, FieldError};
pub use keys::{key_specs, KeySpec};
pub use limits::param_count;

use serde::Serialize;

/// Schema version of the query form, written first in every encoded query (`v=2`). A query's
/// version decides its defaults ([`Config::defaults`]), so an old link keeps its numbers when a
/// default changes: that change is a new version.
pub const SCHEMA_VERSION: u32 = 2;
/// Every version a query may name.
pub const SCHEMA_VERSIONS: [u32; 2] = [1, 2];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetName {
    Gaussian,
    Hierarchical,
    Circles,
    Moons,
    Checker,
    CheckerNoisy,
    Line1d,
    Xor,
    Spirals,
    Iris,
    Digits,
    /// User-supplied CSV (CLI `--data FILE`, or an upload on the page).
    Csv,
}

/// Whose points a synthetic dataset has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Draw {
    /// The authors' exact points and split, from a port of their code's generators and seeds
    /// (`data::authors`); `n`, `noise` and `train` do not apply.
    Paper,
    /// Our seeded draw from the same distribution, driven by `seed`, `n`, `noise` and `train`.
    Seeded,
}

/// How the margin's boundary point x_b is searched for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarginMethod {
    /// Adam on A₁(x)² from seeded starts in the data's spread (schema v1's estimator).
    Search,
    /// The authors' procedure: plain SGD on (A₁(x)² − 1)² from a N(0, I) start.
    Paper,
    /// x_b as `search` (fewer, cheaper steps), then from x_t^max and x_t^min: the first class flip on
    /// the ray towards x_b, slid along the learned boundary to the foot nearest x_t (schema v2's default).
    BoundarySlide,
}

/// Which label the per-sample gradient g(x) of the alignment uses at the training points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GradLabel {
    /// ŷ = argmax f(x), the paper's definition (and the only choice off the training set).
    Predicted,
    True,
}

/// What the alignment fields show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlignValue {
    /// cos(g, v).
    Cosine,
    /// cos·|cos|: the signed squared cosine, which stresses the aligned regions.
    Squared,
}

/// The statistic over training points in the generalization measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// The poster's definition: mean of |A_i| over training points.
    Mean,
    /// The authors' code: max of |A_i|.
    Max,
}

/// The threshold ε of the generalization measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Epsilon {
    /// The authors' code: the statistic of 5 seeded random unit directions, averaged.
    Sampled,
    /// The exact expectation over uniformly random unit directions (closed form for the mean
    /// statistic; the max statistic has none and keeps the sampled value).
    Expected,
}

/// Which eigenvectors G counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GOver {
    /// Those the solver computed: the top k, or all p with the dense solver (schema v1).
    Solver,
    /// All p, certified from the block Krylov space of the training gradients.
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    Relu,
    Tanh,
    Sigmoid,
    Gelu,
    Linear,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// Cross-entropy on softmax of the logits.
    Ce,
    /// Mean over n·C elements of (output − one-hot)², like PyTorch's MSELoss.
    Mse,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Optimizer {
    Sgd,
    Adam,
}

/// The paper's training regimes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    Normal,
    /// Train on a seeded permutation of the labels.
    RandomLabels,
    /// Train on random labels for `pre` epochs, then on the true labels from there.
    Adversarial,
    /// Fresh init rescaled to the norm of a model trained `pre` epochs on random labels, then true labels.
    LargeNorm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Solver {
    Lanczos,
    Power,
    Dense,
}

/// The curvature matrix whose eigenvectors the run studies; all three are exact products.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CurvatureOperator {
    /// ∇²_θ L of the mean training loss: the paper's matrix.
    Hessian,
    /// The generalized Gauss–Newton Jᵀ H_out J: the Hessian without the terms in the loss's first
    /// derivative, positive semi-definite for convex losses.
    Ggn,
    /// The empirical Fisher (1/n) Σ g_j g_jᵀ with the true labels.
    Fisher,
}

/// Which end of the spectrum the solvers return, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Which {
    /// Largest eigenvalues first.
    Top,
    /// Most negative first: the directions a saddle escapes along.
    Bottom,
    /// Largest |λ| first.
    Magnitude,
}

impl Which {
    /// The order of two eigenvalues: `Less` when `a` comes first. Ties of |λ| put the positive first.
    pub fn order(self, a: f64, b: f64) -> std::cmp::Ordering {
        match self {
            Which::Top => b.total_cmp(&a),
            Which::Bottom => a.total_cmp(&b),
            Which::Magnitude => b.abs().total_cmp(&a.abs()).then(b.total_cmp(&a)),
        }
    }

    /// Indices of `values` in this order (a stable sort, so equal values keep their order).
    pub fn sorted(self, values: &[f64]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&i, &j| self.order(values[i], values[j]));
        order
    }
}

/// One entry of `classes`: a numeric label, or a class name (for CSV files whose labels are names).
/// Numbers stay numbers in run.json (`untagged`), as before names existed. Ordered numerically or
/// as text (a dataset's labels are all of one kind).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum ClassLabel {
    Number(u32),
    Name(String),
}

impl ClassLabel {
    /// Whether a label of the data is this entry: a number matches itself or a name spelled as it.
    pub fn matches(&self, label: &ClassLabel) -> bool {
        match (self, label) {
            (ClassLabel::Number(a), ClassLabel::Name(b)) => a.to_string() == *b,
            _ => self == label,
        }
    }
}

impl From<u32> for ClassLabel {
    fn from(n: u32) -> Self {
        ClassLabel::Number(n)
    }
}

impl std::fmt::Display for ClassLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClassLabel::Number(n) => write!(f, "{n}"),
            ClassLabel::Name(s) => f.write_str(s),
        }
    }
}

/// `label-column`: a CSV column by its 1-based number or its header name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LabelColumn {
    Number(usize),
    Name(String),
}

impl std::fmt::Display for LabelColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LabelColumn::Number(n) => write!(f, "{n}"),
            LabelColumn::Name(s) => f.write_str(s),
        }
    }
}

/// Every knob of a run. `Default` is the paper's main setting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Config {
    /// `dataset`: which data.
    pub dataset: DatasetName,
    /// `draw`: the authors' points or our seeded draw; `None` = the dataset's own choice
    /// ([`Config::draw`]).
    pub draw: Option<Draw>,
    /// `seed`: drives data, split, init and minibatch order.
    pub seed: u64,
    /// `n`: number of points in total; `None` = the dataset's own default (e.g. 300 for gaussian).
    pub n: Option<usize>,
    /// `noise`: the dataset's noise level; `None` = its default.
    pub noise: Option<f64>,
    /// `train`: fraction of the points used for training (the rest is the test split).
    pub train: f64,
    /// `classes`: keep only these labels (relabelled 0..C in the given order); `None` = all.
    pub classes: Option<Vec<ClassLabel>>,
    /// `label-column`: which column of a CSV holds the label; `None` = the last. Absent from run.json
    /// at its default, so older runs keep their bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_column: Option<LabelColumn>,
    /// `standardize`: z-score features with mean/std fitted on the training split.
    pub standardize: bool,
    /// `layers`: hidden widths; empty is a linear model (no hidden layer).
    pub layers: Vec<usize>,
    /// `act`: hidden activation.
    pub act: Activation,
    /// `loss`.
    pub loss: LossKind,
    /// `opt`.
    pub opt: Optimizer,
    /// `lr`: learning rate.
    pub lr: f64,
    /// `momentum`: SGD momentum (PyTorch convention); ignored by Adam.
    pub momentum: f64,
    /// `wd`: weight decay (L2, added to the gradient like PyTorch's `weight_decay`).
    pub wd: f64,
    /// `batch`: minibatch size; ≥ training points means full batch.
    pub batch: usize,
    /// `epochs`: epochs of the (final, true-label) training phase.
    pub epochs: usize,
    /// `regime`.
    pub regime: Regime,
    /// `pre`: epochs of the random-label phase of `adversarial` and `large-norm`, and of `pretrain`.
    pub pre: usize,
    /// `snap`: every this many epochs of the final phase, keep θ and compute its top-k spectrum
    /// (warm-started Lanczos), for the "during training" view; 0 = only the final θ. Off by default
    /// because each snapshot costs a few dozen HVPs.
    pub snap: usize,
    /// `k`: eigenpairs to compute.
    pub k: usize,
    /// `solver`.
    pub solver: Solver,
    /// `operator`: the Hessian, the Gauss–Newton or the empirical Fisher.
    pub operator: CurvatureOperator,
    /// `which`: the top, the bottom or the largest-magnitude end of the spectrum.
    pub which: Which,
    /// `tol`: an eigenpair counts as converged when its residual ‖Hv − λv‖ ≤ tol·|λ₁|.
    pub tol: f64,
    /// `grad-label`: the label of g(x) at training points.
    pub grad_label: GradLabel,
    /// `align-value`: what the alignment fields show.
    pub align_value: AlignValue,
    /// `grid`: resolution of the fields (grid × grid pixels).
    pub grid: usize,
    /// `measure`: the statistic of the generalization measure.
    pub measure: Measure,
    /// `epsilon`: which threshold ε the generalization measure uses.
    pub epsilon: Epsilon,
    /// `g-over`: which eigenvectors G counts.
    pub g_over: GOver,
    /// `margin`: how x_b of the margin estimate is found.
    pub margin: MarginMethod,
    /// `pretrain`: train `pre` epochs on this dataset's training split first (same seed), then on
    /// `dataset` — the paper's wide-margin checkerboard model (`pretrain=checker-noisy`). Needs
    /// `regime=normal` and data of the same shape.
    pub pretrain: Option<DatasetName>,
}

impl Config {
    /// The defaults of a schema version: what a key absent from a `v=N` query means. Version 1
    /// predates the authors' draws, so its synthetic data is always seeded, and the certified G: it
    /// counts the solver's eigenvectors with the sampled ε.
    pub fn defaults(version: u32) -> Config {
        match version {
            1 => Config {
                draw: Some(Draw::Seeded),
                margin: MarginMethod::Search,
                epsilon: Epsilon::Sampled,
                g_over: GOver::Solver,
                ..Config::default()
            },
            _ => Config::default(),
        }
    }

    /// The draw this config's data uses: `draw`, or where it is `default`, the authors' draw if
    /// their code defines the dataset and `n`, `noise` and `train` are left at their defaults.
    pub fn draw(&self) -> Draw {
        self.draw.unwrap_or(
            if self.dataset.has_paper_draw()
                && self.n.is_none()
                && self.noise.is_none()
                && self.train == Config::default().train
            {
                Draw::Paper
            } else {
                Draw::Seeded
            },
        )
    }
}

impl DatasetName {
    /// Whether the points are generated (so `draw` applies), rather than read from a file.
    pub fn is_synthetic(self) -> bool {
        !matches!(
            self,
            DatasetName::Iris | DatasetName::Digits | DatasetName::Csv
        )
    }

    /// Whether the authors' code defines this dataset, so `draw=paper` has their points.
    pub fn has_paper_draw(self) -> bool {
        matches!(
            self,
            DatasetName::Gaussian
                | DatasetName::Hierarchical
                | DatasetName::Circles
                | DatasetName::Moons
                | DatasetName::Checker
                | DatasetName::CheckerNoisy
                | DatasetName::Line1d
        )
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dataset: DatasetName::Gaussian,
            draw: None,
            seed: 0,
            n: None,
            noise: None,
            train: 0.5,
            classes: None,
            label_column: None,
            standardize: false,
            layers: vec![100, 100],
            act: Activation::Relu,
            loss: LossKind::Ce,
            opt: Optimizer::Sgd,
            lr: 0.02,
            momentum: 0.0,
            wd: 0.0,
            batch: 64,
            epochs: 2000,
            regime: Regime::Normal,
            pre: 2000,
            snap: 0,
            k: 10,
            solver: Solver::Lanczos,
            operator: CurvatureOperator::Hessian,
            which: Which::Top,
            tol: 1e-8,
            grad_label: GradLabel::Predicted,
            align_value: AlignValue::Cosine,
            grid: 128,
            measure: Measure::Mean,
            epsilon: Epsilon::Expected,
            g_over: GOver::All,
            margin: MarginMethod::BoundarySlide,
            pretrain: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Enum names

/// The kebab-case names (the same as serde's) of an enum's values, for queries and messages.
trait Named: Copy + 'static {
    fn all() -> &'static [Self];
    fn name_of(self) -> &'static str;
}

macro_rules! query_names {
    ($t:ident { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            /// Every value, in the order of the module docs' table.
            pub const ALL: &'static [$t] = &[$($t::$v),*];

            /// The kebab-case name used in queries and in `run.json`.
            pub fn name(self) -> &'static str {
                match self {
                    $($t::$v => $s),*
                }
            }

            /// The value with this kebab-case name.
            pub fn from_name(name: &str) -> Option<$t> {
                match name {
                    $($s => Some($t::$v),)*
                    _ => None,
                }
            }
        }

        impl Named for $t {
            fn all() -> &'static [Self] {
                $t::ALL
            }
            fn name_of(self) -> &'static str {
                self.name()
            }
        }
    };
}

query_names!(GradLabel {
    Predicted = "predicted",
    True = "true",
});

query_names!(AlignValue {
    Cosine = "cosine",
    Squared = "squared",
});

query_names!(Draw {
    Paper = "paper",
    Seeded = "seeded",
});

query_names!(Epsilon {
    Sampled = "sampled",
    Expected = "expected",
});

query_names!(GOver {
    Solver = "solver",
    All = "all",
});

query_names!(MarginMethod {
    Search = "search",
    Paper = "paper",
    BoundarySlide = "boundary-slide",
});

query_names!(Measure {
    Mean = "mean",
    Max = "max",
});

query_names!(DatasetName {
    Gaussian = "gaussian",
    Hierarchical = "hierarchical",
    Circles = "circles",
    Moons = "moons",
    Checker = "checker",
    CheckerNoisy = "checker-noisy",
    Line1d = "line1d",
    Xor = "xor",
    Spirals = "spirals",
    Iris = "iris",
    Digits = "digits",
    Csv = "csv",
});
query_names!(Activation { Relu = "relu", Tanh = "tanh", Sigmoid = "sigmoid", Gelu = "gelu", Linear = "linear" });
query_names!(LossKind { Ce = "ce", Mse = "mse" });
query_names!(Optimizer { Sgd = "sgd", Adam = "adam" });
query_names!(Regime {
    Normal = "normal",
    RandomLabels = "random-labels",
    Adversarial = "adversarial",
    LargeNorm = "large-norm",
});
query_names!(Solver { Lanczos = "lanczos", Power = "power", Dense = "dense" });
query_names!(CurvatureOperator { Hessian = "hessian", Ggn = "ggn", Fisher = "fisher" });
query_names!(Which { Top = "top", Bottom = "bottom", Magnitude = "magnitude" });
