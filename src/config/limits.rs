//! The hard limits that keep any config (e.g. from a hostile share link) from exhausting a browser tab,
//! and the checks of them that need the data: once it is loaded, d, C and the training points are known.
//! (A solver's own limit, such as the dense route's p, is checked by that solver's stage.)
//!
//! Limits that depend on the data are checked by [`Config::check_size`] once it is loaded: input
//! dimension d ≤ [`MAX_DIM`], 2 ≤ C ≤ [`MAX_CLASSES`], training points
//! ≤ [`MAX_POINTS`], parameters p ([`param_count`]) ≤ [`MAX_PARAMS`], `k` ≤ p, and
//! training work (`epochs`, plus `pre` for `adversarial`/`large-norm`) × training points × p
//! ≤ [`MAX_WORK`].

use super::error::{ConfigError, FieldError};
use super::values::{encode_list, NO_LAYERS};
use super::{Config, DatasetName, Regime};

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

/// Trainable parameters of an MLP with these layer sizes: Σ (in + 1) · out over the layers
/// `[dim, hidden..., classes]` (weights plus biases), saturating at `usize::MAX` so absurd sizes
/// stay comparable against [`MAX_PARAMS`].
pub fn param_count(dim: usize, hidden: &[usize], classes: usize) -> usize {
    let mut p = 0usize;
    let mut fan_in = dim;
    for &out in hidden.iter().chain(std::iter::once(&classes)) {
        p = p.saturating_add(fan_in.saturating_add(1).saturating_mul(out));
        fan_in = out;
    }
    p
}

impl Config {
    /// The limits that depend on the data, checked once it is loaded (d features, C classes and
    /// `n_train` training points); see the module docs. Errors name the key to change.
    pub fn check_size(
        &self,
        dim: usize,
        classes: usize,
        n_train: usize,
    ) -> Result<(), ConfigError> {
        let mut errors = Vec::new();
        let mut fail = |key: &str, value: String, message: String| {
            errors.push(FieldError::new(key, &value, message))
        };
        let dataset = self.dataset.name().to_string();

        if !(1..=MAX_DIM).contains(&dim) {
            let message = format!("the data has {dim} features; expected 1 to {}", MAX_DIM);
            fail("dataset", dataset.clone(), message);
        }
        if !(2..=MAX_CLASSES).contains(&classes) {
            let message = format!(
                "the data has {classes} classes; expected 2 to {}",
                MAX_CLASSES
            );
            match &self.classes {
                Some(labels) => fail("classes", encode_list(labels), message),
                None => fail("dataset", dataset.clone(), message),
            }
        }
        if n_train > MAX_POINTS {
            let message = format!(
                "the training split has {n_train} points; expected at most {}",
                MAX_POINTS
            );
            match self.n {
                Some(n) => fail("n", n.to_string(), message),
                None => fail("dataset", dataset.clone(), message),
            }
        }

        let p = param_count(dim, &self.layers, classes);
        let layers = if self.layers.is_empty() {
            NO_LAYERS.to_string()
        } else {
            encode_list(&self.layers)
        };
        if p > MAX_PARAMS {
            let message = format!(
                "layers \"{layers}\" give p = {p} parameters for {dim} features and {classes} classes; expected at most {}: use fewer or narrower layers",
                MAX_PARAMS
            );
            fail("layers", layers, message);
        }
        if self.k > p {
            let message = format!(
                "k = {} is more than the p = {p} parameters; expected at most {p}",
                self.k
            );
            fail("k", self.k.to_string(), message);
        }

        if self.pretrain.is_some() && self.regime != Regime::Normal {
            let message = format!(
                "pretraining is its own schedule and combines only with regime=normal, not regime={}",
                self.regime.name()
            );
            fail(
                "pretrain",
                self.pretrain.map_or("none", DatasetName::name).into(),
                message,
            );
        }
        let pre = match self.regime {
            Regime::Adversarial | Regime::LargeNorm => self.pre,
            Regime::Normal if self.pretrain.is_some() => self.pre,
            Regime::Normal | Regime::RandomLabels => 0,
        };
        let work = (self.epochs as f64 + pre as f64) * n_train as f64 * p as f64;
        // Past the parameter limit the work is over too, but `layers` is the one thing to fix.
        if work > MAX_WORK && p <= MAX_PARAMS {
            let (formula, epochs, lower) = if pre > 0 {
                (
                    "(epochs + pre)",
                    format!("({} + {pre})", self.epochs),
                    "epochs, pre",
                )
            } else {
                ("epochs", self.epochs.to_string(), "epochs")
            };
            let message = format!(
                "training would take about {work:.1e} steps ({formula} × training points × p = {epochs} × {n_train} × {p}); \
                 expected at most {:e}: lower {lower}, n or layers",
                MAX_WORK
            );
            fail("epochs", self.epochs.to_string(), message);
        }
        ConfigError::check(errors)
    }
}
