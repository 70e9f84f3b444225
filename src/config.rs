//! The run configuration: one struct, the single source of truth for every knob.
//!
//! A [`Config`] fully determines a run (with its `seed`). Its text form is a URL query string
//! (`v=1&dataset=moons&layers=50,50`), used by the CLI's `--config`, by `run.json`'s `query` and by
//! the page's share links. Defaults are omitted when encoding, so the shortest query names only what
//! differs from the paper's main setting.

use serde::Serialize;

/// Schema version of the query form; `v=1` is written first in every encoded query.
pub const SCHEMA_VERSION: u32 = 1;

/// Hard limits that keep any config (e.g. from a hostile share link) from exhausting a browser tab.
pub mod limits {
    /// Trainable parameters p.
    pub const MAX_PARAMS: usize = 300_000;
    /// Data points (all splits together).
    pub const MAX_POINTS: usize = 20_000;
    /// Input dimension d.
    pub const MAX_DIM: usize = 1_024;
    /// Classes C.
    pub const MAX_CLASSES: usize = 100;
    /// Hidden layers.
    pub const MAX_HIDDEN_LAYERS: usize = 8;
    /// Width of one hidden layer.
    pub const MAX_WIDTH: usize = 4_096;
    /// Epochs of one training phase.
    pub const MAX_EPOCHS: usize = 1_000_000;
    /// Total work of training, counted as epochs × training points × p (about one multiply-add each
    /// for forward and backward): 2e12 is minutes natively, so a link cannot hang a tab for hours.
    pub const MAX_WORK: f64 = 2e12;
    /// Eigenpairs k.
    pub const MAX_K: usize = 200;
}

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

/// Every knob of a run. `Default` is the paper's main setting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Config {
    /// `dataset`: which data.
    pub dataset: DatasetName,
    /// `seed`: drives data, split, init and minibatch order.
    pub seed: u64,
    /// `n`: number of points in total; `None` = the dataset's own default (e.g. 300 for gaussian).
    pub n: Option<usize>,
    /// `noise`: the dataset's noise level; `None` = its default.
    pub noise: Option<f64>,
    /// `train`: fraction of the points used for training (the rest is the test split).
    pub train: f64,
    /// `classes`: keep only these labels (relabelled 0..C in the given order); `None` = all.
    pub classes: Option<Vec<u32>>,
    /// `standardize`: z-score features with mean/std fitted on the training split.
    pub standardize: bool,
    /// `layers`: hidden widths.
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
    /// `pre`: epochs of the random-label phase of `adversarial` and `large-norm`.
    pub pre: usize,
    /// `snap`: keep a snapshot of θ every this many epochs (0 = none); the final θ is always kept.
    pub snap: usize,
    /// `k`: eigenpairs to compute.
    pub k: usize,
    /// `solver`.
    pub solver: Solver,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dataset: DatasetName::Gaussian,
            seed: 0,
            n: None,
            noise: None,
            train: 0.5,
            classes: None,
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
            snap: 100,
            k: 10,
            solver: Solver::Lanczos,
        }
    }
}

// PLACEHOLDER (replaced by the config implementation): the error types and entry points.
/// One bad key: its name, the value given and what is allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub key: String,
    pub value: String,
    pub message: String,
}

/// All the bad keys of one query or config.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub errors: Vec<FieldError>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for e in &self.errors {
            writeln!(f, "{}={:?}: {}", e.key, e.value, e.message)?;
        }
        Ok(())
    }
}

impl Config {
    pub fn parse(_query: &str) -> Result<Config, ConfigError> {
        Ok(Config::default())
    }
    pub fn to_query(&self) -> String {
        "v=1".into()
    }
}
