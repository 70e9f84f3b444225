//! The run configuration: one struct, the single source of truth for every knob.
//!
//! A [`Config`] fully determines a run (with its `seed`). Its text form is a URL query string
//! (`v=1&dataset=moons&layers=50,50`), used by the CLI's `--config`, by `run.json`'s `query` and by
//! the page's share links. Defaults are omitted when encoding, so the shortest query names only what
//! differs from the paper's main setting.
//!
//! # Query keys
//!
//! Every key is optional: an absent key takes its default. The ranges are generous for experiments
//! but keep a hostile link from exhausting a browser tab; [`Config::parse`] and
//! [`Config::validate`] enforce them. "Whole number" means decimal digits only.
//!
//! | key | default | allowed |
//! |---|---|---|
//! | `v` | `1` | 1 |
//! | `dataset` | `gaussian` | one of gaussian, hierarchical, circles, moons, checker, checker-noisy, line1d, xor, spirals, iris, digits, csv |
//! | `seed` | `0` | a whole number in [0, 18446744073709551615] |
//! | `n` | `default` | default, or a whole number in [2, 20000] |
//! | `noise` | `default` | default, or a number in [0, 10] |
//! | `train` | `0.5` | a number in (0, 1] |
//! | `classes` | `default` | default, or 2 to 100 distinct comma-separated labels, each a whole number in [0, 4294967295] |
//! | `standardize` | `0` | 1, 0, true or false |
//! | `layers` | `100,100` | none (or empty) for a linear model, or up to 8 comma-separated widths, each a whole number in [1, 4096] |
//! | `act` | `relu` | one of relu, tanh, sigmoid, gelu, linear |
//! | `loss` | `ce` | one of ce, mse |
//! | `opt` | `sgd` | one of sgd, adam |
//! | `lr` | `0.02` | a number in (0, 10] |
//! | `momentum` | `0` | a number in [0, 1) |
//! | `wd` | `0` | a number in [0, 1] |
//! | `batch` | `64` | a whole number in [1, 20000] |
//! | `epochs` | `2000` | a whole number in [0, 1000000] |
//! | `regime` | `normal` | one of normal, random-labels, adversarial, large-norm |
//! | `pre` | `2000` | a whole number in [0, 1000000] |
//! | `snap` | `0` | a whole number in [0, 1000000] |
//! | `k` | `10` | a whole number in [1, 200] |
//! | `solver` | `lanczos` | one of lanczos, power, dense |
//! | `tol` | `1e-8` | a number in (0, 0.1] |
//! | `grad-label` | `predicted` | one of predicted, true |
//! | `align-value` | `cosine` | one of cosine, squared |
//! | `grid` | `128` | a whole number in [8, 512] |
//! | `measure` | `mean` | one of mean, max |
//! | `pretrain` | `none` | none, or one of gaussian, hierarchical, circles, moons, checker, checker-noisy, line1d, xor, spirals, iris, digits |
//!
//! `default` (for `n`, `noise`, `classes`) means the dataset's own choice. `layers=none` is the
//! canonical spelling of "no hidden layer"; an empty `layers=` means the same, since a blank list
//! naturally reads as "no layers". `classes` relabels the kept labels 0..C in the given order.
//! The same table is available as data from [`key_specs`] (a test keeps the two in step).
//!
//! Limits that depend on the data are checked by [`Config::check_size`] once it is loaded: input
//! dimension d ≤ [`limits::MAX_DIM`], 2 ≤ C ≤ [`limits::MAX_CLASSES`], training points
//! ≤ [`limits::MAX_POINTS`], parameters p ([`param_count`]) ≤ [`limits::MAX_PARAMS`], `k` ≤ p, and
//! training work (`epochs`, plus `pre` for `adversarial`/`large-norm`) × training points × p
//! ≤ [`limits::MAX_WORK`].
//!
//! # Syntax
//!
//! `application/x-www-form-urlencoded`: `&` separates pairs, percent-escapes are decoded and `+` is a
//! space. A leading `?`, empty pairs (`a=1&&b=2`) and whitespace around keys, values and list
//! entries are ignored. Each key may appear once; an unknown key is an error, so a typo never
//! silently runs the default. Lists are comma-separated, booleans `1|0|true|false`, enum values the
//! kebab-case names above, numbers Rust's float syntax (`0.1`, `1e-7`; `inf` and `NaN` are refused).
//!
//! # Canonical form
//!
//! [`Config::to_query`] writes `v=1`, then each key whose value differs from the default, in the
//! table's order. Floats take the shortest digits that read back to the same bits, in plain
//! notation except below 1e-6, like JavaScript (`0.02`, `0.0005`, `1e-7`), so `Config::parse(&c.to_query())`
//! gives back `c` bit for bit for every valid config. Every byte outside `A-Z a-z 0-9 - . _ ~ ,`
//! is percent-encoded, so the query can go into a URL as it is.
//!
//! # Errors
//!
//! [`Config::parse`] reports every bad key at once, each as a [`FieldError`] naming the key, the
//! value (shown cut to 64 characters, control characters replaced) and what is allowed, in plain
//! text. [`Config::parse_lenient`] instead keeps the default for each bad key, for share links.

use std::collections::HashMap;
use std::fmt::Write as _;

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
    /// `pretrain`: train `pre` epochs on this dataset's training split first (same seed), then on
    /// `dataset` — the paper's wide-margin checkerboard model (`pretrain=checker-noisy`). Needs
    /// `regime=normal` and data of the same shape.
    pub pretrain: Option<DatasetName>,
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
            snap: 0,
            k: 10,
            solver: Solver::Lanczos,
            tol: 1e-8,
            grad_label: GradLabel::Predicted,
            align_value: AlignValue::Cosine,
            grid: 128,
            measure: Measure::Mean,
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

// ---------------------------------------------------------------------------------------------
// Errors

/// One bad key: its name, the value given and what is allowed.
///
/// `key` and `value` are cut to 64 characters (plus "…") and stripped of control characters, so a
/// hostile link cannot flood or garble the page; `message` is plain text that names the value.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub key: String,
    pub value: String,
    pub message: String,
}

impl ConfigError {
    /// One bad key, for checks made outside this module (e.g. once the data is loaded).
    pub fn single(key: &str, value: &str, message: String) -> ConfigError {
        ConfigError {
            errors: vec![FieldError::new(key, value, message)],
        }
    }
}

impl FieldError {
    fn new(key: &str, value: &str, message: String) -> FieldError {
        FieldError {
            key: shown(key),
            value: shown(value),
            message,
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// All the bad keys of one query or config (never empty when returned as an error).
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub errors: Vec<FieldError>,
}

impl ConfigError {
    fn check(errors: Vec<FieldError>) -> Result<(), ConfigError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { errors })
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Characters of a key or value shown in an error.
const SHOWN_CHARS: usize = 64;

/// A key or value as it may be shown: cut to [`SHOWN_CHARS`] characters plus "…", with control and
/// bidirectional-override characters replaced by U+FFFD (they could hide or reorder the text).
fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push('…');
            break;
        }
        let hidden = ch.is_control()
            || matches!(ch, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        out.push(if hidden { '\u{FFFD}' } else { ch });
    }
    out
}

/// What is wrong with one value.
#[derive(Clone, Copy)]
enum Bad {
    NotNumber,
    NotFinite,
    NotWhole,
    OutOfRange,
    Unknown,
    NotBool,
}

impl Bad {
    fn says(self) -> &'static str {
        match self {
            Bad::NotNumber => "is not a number",
            Bad::NotFinite => "is not a finite number",
            Bad::NotWhole => "is not a whole number",
            Bad::OutOfRange => "is out of range",
            Bad::Unknown => "is not a known value",
            Bad::NotBool => "is not a boolean",
        }
    }
}

/// `"value" is not a number; expected a number in (0, 10]`.
fn complain(value: &str, bad: Bad, allowed: &str) -> String {
    format!("\"{}\" {}; expected {allowed}", shown(value), bad.says())
}

/// The same for one entry of a list, naming the whole list too when it has several entries.
fn complain_entry(list: &str, entry: &str, bad: Bad, allowed: &str) -> String {
    if list == entry {
        complain(entry, bad, allowed)
    } else {
        format!(
            "\"{}\" in \"{}\" {}; expected {allowed}",
            shown(entry),
            shown(list),
            bad.says()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// An inclusive range of whole numbers.
#[derive(Clone, Copy)]
struct Whole {
    min: u64,
    max: u64,
}

impl Whole {
    fn allowed(self) -> String {
        format!("a whole number in [{}, {}]", self.min, self.max)
    }

    fn parse(self, s: &str) -> Result<u64, Bad> {
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if digits(s) {
            // Digits that overflow u64 are out of range too.
            s.parse::<u64>()
                .ok()
                .filter(|v| (self.min..=self.max).contains(v))
                .ok_or(Bad::OutOfRange)
        } else if s.strip_prefix('-').is_some_and(digits) {
            Err(Bad::OutOfRange)
        } else {
            Err(Bad::NotWhole)
        }
    }
}

/// A range of finite floats, each end open or closed.
#[derive(Clone, Copy)]
struct Number {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
}

impl Number {
    const fn new(lo: f64, lo_open: bool, hi: f64, hi_open: bool) -> Number {
        Number {
            lo,
            lo_open,
            hi,
            hi_open,
        }
    }

    fn contains(self, x: f64) -> bool {
        let above = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        let below = if self.hi_open {
            x < self.hi
        } else {
            x <= self.hi
        };
        above && below
    }

    fn allowed(self) -> String {
        format!(
            "a number in {}{}, {}{}",
            if self.lo_open { '(' } else { '[' },
            fmt_f64(self.lo),
            fmt_f64(self.hi),
            if self.hi_open { ')' } else { ']' }
        )
    }

    fn parse(self, s: &str) -> Result<f64, Bad> {
        match s.parse::<f64>() {
            Err(_) => Err(Bad::NotNumber),
            Ok(x) if !x.is_finite() => Err(Bad::NotFinite),
            Ok(x) if !self.contains(x) => Err(Bad::OutOfRange),
            Ok(x) => Ok(x),
        }
    }
}

/// The shortest digits that parse back to the same bits (Rust's `{}`/`{:e}`), in plain notation
/// except below 1e-6 or from 1e21 on, like JavaScript prints numbers: `0.02`, `0.0005`, `1e-7`, `-0`.
fn fmt_f64(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn enum_allowed<T: Named>() -> String {
    let names: Vec<&str> = T::all().iter().map(|v| v.name_of()).collect();
    format!("one of {}", names.join(", "))
}

fn parse_enum<T: Named>(s: &str) -> Result<T, String> {
    T::all()
        .iter()
        .copied()
        .find(|v| v.name_of() == s)
        .ok_or_else(|| complain(s, Bad::Unknown, &enum_allowed::<T>()))
}

fn whole(s: &str, range: Whole) -> Result<u64, String> {
    range
        .parse(s)
        .map_err(|bad| complain(s, bad, &range.allowed()))
}

fn number(s: &str, range: Number) -> Result<f64, String> {
    range
        .parse(s)
        .map_err(|bad| complain(s, bad, &range.allowed()))
}

/// `None` for `default`, else the value.
fn optional<T>(
    s: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    if s == DEFAULT {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}

fn or_default(allowed: String) -> String {
    format!("{DEFAULT}, or {allowed}")
}

fn encode_optional<T>(value: Option<T>, encode: impl FnOnce(T) -> String) -> String {
    value.map_or_else(|| DEFAULT.to_string(), encode)
}

const DEFAULT: &str = "default";
const NO_LAYERS: &str = "none";
const BOOL_ALLOWED: &str = "1, 0, true or false";

const SEED: Whole = Whole {
    min: 0,
    max: u64::MAX,
};
const N: Whole = Whole {
    min: 2,
    max: limits::MAX_POINTS as u64,
};
const NOISE: Number = Number::new(0.0, false, 10.0, false);
const TRAIN: Number = Number::new(0.0, true, 1.0, false);
const LABEL: Whole = Whole {
    min: 0,
    max: u32::MAX as u64,
};
const WIDTH: Whole = Whole {
    min: 1,
    max: limits::MAX_WIDTH as u64,
};
const LR: Number = Number::new(0.0, true, 10.0, false);
const MOMENTUM: Number = Number::new(0.0, false, 1.0, true);
const WD: Number = Number::new(0.0, false, 1.0, false);
const BATCH: Whole = Whole {
    min: 1,
    max: limits::MAX_POINTS as u64,
};
const EPOCHS: Whole = Whole {
    min: 0,
    max: limits::MAX_EPOCHS as u64,
};
const K: Whole = Whole {
    min: 1,
    max: limits::MAX_K as u64,
};
const TOL: Number = Number::new(0.0, true, 0.1, false);
const GRID: Whole = Whole { min: 8, max: 512 };

fn layers_allowed() -> String {
    format!(
        "{NO_LAYERS} (or empty) for a linear model, or up to {} comma-separated widths, each {}",
        limits::MAX_HIDDEN_LAYERS,
        WIDTH.allowed()
    )
}

fn parse_layers(s: &str) -> Result<Vec<usize>, String> {
    if s.is_empty() || s == NO_LAYERS {
        return Ok(Vec::new());
    }
    let entries: Vec<&str> = s.split(',').map(str::trim).collect();
    if entries.len() > limits::MAX_HIDDEN_LAYERS {
        return Err(format!(
            "\"{}\" has {} layers; expected {}",
            shown(s),
            entries.len(),
            layers_allowed()
        ));
    }
    entries
        .iter()
        .map(|e| {
            WIDTH
                .parse(e)
                .map(|w| w as usize)
                .map_err(|bad| complain_entry(s, e, bad, &layers_allowed()))
        })
        .collect()
}

fn encode_list<T: ToString>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}

fn classes_allowed() -> String {
    format!(
        "{DEFAULT}, or 2 to {} distinct comma-separated labels, each {}",
        limits::MAX_CLASSES,
        LABEL.allowed()
    )
}

fn parse_classes(s: &str) -> Result<Vec<u32>, String> {
    let entries: Vec<&str> = s.split(',').map(str::trim).collect();
    let count_error = || {
        format!(
            "\"{}\" names {} labels; expected {}",
            shown(s),
            entries.len(),
            classes_allowed()
        )
    };
    if entries.len() > limits::MAX_CLASSES {
        return Err(count_error());
    }
    let labels = entries
        .iter()
        .map(|e| {
            LABEL
                .parse(e)
                .map(|l| l as u32)
                .map_err(|bad| complain_entry(s, e, bad, &classes_allowed()))
        })
        .collect::<Result<Vec<u32>, String>>()?;
    if labels.len() < 2 {
        return Err(count_error());
    }
    let mut sorted = labels.clone();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "\"{}\" repeats label {}; expected {}",
            shown(s),
            w[0],
            classes_allowed()
        ));
    }
    Ok(labels)
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(complain(s, Bad::NotBool, BOOL_ALLOWED)),
    }
}

// ---------------------------------------------------------------------------------------------
// The keys

/// One query key: how to read it into a config, and how to write it back.
struct Field {
    key: &'static str,
    allowed: fn() -> String,
    /// Parses and range-checks a (trimmed, decoded) value into the config; `Err` is the message.
    set: fn(&mut Config, &str) -> Result<(), String>,
    /// The canonical text of the config's value (before percent-encoding).
    get: fn(&Config) -> String,
}

/// Every key but `v`, in the order of the struct, the docs' table and the canonical query.
static FIELDS: [Field; 27] = [
    Field {
        key: "dataset",
        allowed: enum_allowed::<DatasetName>,
        set: |c, s| {
            c.dataset = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.dataset.name().into(),
    },
    Field {
        key: "seed",
        allowed: || SEED.allowed(),
        set: |c, s| {
            c.seed = whole(s, SEED)?;
            Ok(())
        },
        get: |c| c.seed.to_string(),
    },
    Field {
        key: "n",
        allowed: || or_default(N.allowed()),
        set: |c, s| {
            c.n = optional(s, |s| {
                let n = N
                    .parse(s)
                    .map_err(|bad| complain(s, bad, &or_default(N.allowed())))?;
                Ok(n as usize)
            })?;
            Ok(())
        },
        get: |c| encode_optional(c.n, |n| n.to_string()),
    },
    Field {
        key: "noise",
        allowed: || or_default(NOISE.allowed()),
        set: |c, s| {
            c.noise = optional(s, |s| {
                NOISE
                    .parse(s)
                    .map_err(|bad| complain(s, bad, &or_default(NOISE.allowed())))
            })?;
            Ok(())
        },
        get: |c| encode_optional(c.noise, fmt_f64),
    },
    Field {
        key: "train",
        allowed: || TRAIN.allowed(),
        set: |c, s| {
            c.train = number(s, TRAIN)?;
            Ok(())
        },
        get: |c| fmt_f64(c.train),
    },
    Field {
        key: "classes",
        allowed: classes_allowed,
        set: |c, s| {
            c.classes = optional(s, parse_classes)?;
            Ok(())
        },
        get: |c| encode_optional(c.classes.as_deref(), encode_list),
    },
    Field {
        key: "standardize",
        allowed: || BOOL_ALLOWED.into(),
        set: |c, s| {
            c.standardize = parse_bool(s)?;
            Ok(())
        },
        get: |c| if c.standardize { "1" } else { "0" }.into(),
    },
    Field {
        key: "layers",
        allowed: layers_allowed,
        set: |c, s| {
            c.layers = parse_layers(s)?;
            Ok(())
        },
        get: |c| {
            if c.layers.is_empty() {
                NO_LAYERS.into()
            } else {
                encode_list(&c.layers)
            }
        },
    },
    Field {
        key: "act",
        allowed: enum_allowed::<Activation>,
        set: |c, s| {
            c.act = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.act.name().into(),
    },
    Field {
        key: "loss",
        allowed: enum_allowed::<LossKind>,
        set: |c, s| {
            c.loss = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.loss.name().into(),
    },
    Field {
        key: "opt",
        allowed: enum_allowed::<Optimizer>,
        set: |c, s| {
            c.opt = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.opt.name().into(),
    },
    Field {
        key: "lr",
        allowed: || LR.allowed(),
        set: |c, s| {
            c.lr = number(s, LR)?;
            Ok(())
        },
        get: |c| fmt_f64(c.lr),
    },
    Field {
        key: "momentum",
        allowed: || MOMENTUM.allowed(),
        set: |c, s| {
            c.momentum = number(s, MOMENTUM)?;
            Ok(())
        },
        get: |c| fmt_f64(c.momentum),
    },
    Field {
        key: "wd",
        allowed: || WD.allowed(),
        set: |c, s| {
            c.wd = number(s, WD)?;
            Ok(())
        },
        get: |c| fmt_f64(c.wd),
    },
    Field {
        key: "batch",
        allowed: || BATCH.allowed(),
        set: |c, s| {
            c.batch = whole(s, BATCH)? as usize;
            Ok(())
        },
        get: |c| c.batch.to_string(),
    },
    Field {
        key: "epochs",
        allowed: || EPOCHS.allowed(),
        set: |c, s| {
            c.epochs = whole(s, EPOCHS)? as usize;
            Ok(())
        },
        get: |c| c.epochs.to_string(),
    },
    Field {
        key: "regime",
        allowed: enum_allowed::<Regime>,
        set: |c, s| {
            c.regime = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.regime.name().into(),
    },
    Field {
        key: "pre",
        allowed: || EPOCHS.allowed(),
        set: |c, s| {
            c.pre = whole(s, EPOCHS)? as usize;
            Ok(())
        },
        get: |c| c.pre.to_string(),
    },
    Field {
        key: "snap",
        allowed: || EPOCHS.allowed(),
        set: |c, s| {
            c.snap = whole(s, EPOCHS)? as usize;
            Ok(())
        },
        get: |c| c.snap.to_string(),
    },
    Field {
        key: "k",
        allowed: || K.allowed(),
        set: |c, s| {
            c.k = whole(s, K)? as usize;
            Ok(())
        },
        get: |c| c.k.to_string(),
    },
    Field {
        key: "solver",
        allowed: enum_allowed::<Solver>,
        set: |c, s| {
            c.solver = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.solver.name().into(),
    },
    Field {
        key: "tol",
        allowed: || TOL.allowed(),
        set: |c, s| {
            c.tol = number(s, TOL)?;
            Ok(())
        },
        get: |c| fmt_f64(c.tol),
    },
    Field {
        key: "grad-label",
        allowed: enum_allowed::<GradLabel>,
        set: |c, s| {
            c.grad_label = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.grad_label.name().into(),
    },
    Field {
        key: "align-value",
        allowed: enum_allowed::<AlignValue>,
        set: |c, s| {
            c.align_value = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.align_value.name().into(),
    },
    Field {
        key: "grid",
        allowed: || GRID.allowed(),
        set: |c, s| {
            c.grid = whole(s, GRID)? as usize;
            Ok(())
        },
        get: |c| c.grid.to_string(),
    },
    Field {
        key: "measure",
        allowed: enum_allowed::<Measure>,
        set: |c, s| {
            c.measure = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.measure.name().into(),
    },
    Field {
        key: "pretrain",
        allowed: pretrain_allowed,
        set: |c, s| {
            c.pretrain = match DatasetName::from_name(s) {
                _ if s == "none" => None,
                Some(d) if d != DatasetName::Csv => Some(d),
                _ => return Err(complain(s, Bad::Unknown, &pretrain_allowed())),
            };
            Ok(())
        },
        get: |c| c.pretrain.map_or("none", DatasetName::name).into(),
    },
];

/// `pretrain` takes any built-in dataset (not `csv`, whose data comes with the main run).
fn pretrain_allowed() -> String {
    let names: Vec<&str> = DatasetName::ALL
        .iter()
        .filter(|d| **d != DatasetName::Csv)
        .map(|d| d.name())
        .collect();
    format!("none, or one of {}", names.join(", "))
}

/// Unknown keys reported one by one; the rest share one error, so a link stuffed with junk keys
/// cannot make a huge error list.
const MAX_UNKNOWN_ERRORS: usize = 20;

/// The schema-version key.
const VERSION_KEY: &str = "v";

/// One row of the module docs' table: a key, the canonical text of its default and what it accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeySpec {
    pub key: &'static str,
    pub default: String,
    pub allowed: String,
}

/// Every query key (`v` first, then the canonical order) with its default and allowed values, e.g.
/// for a help text or a form.
pub fn key_specs() -> Vec<KeySpec> {
    let defaults = Config::default();
    let version = SCHEMA_VERSION.to_string();
    std::iter::once(KeySpec {
        key: VERSION_KEY,
        default: version.clone(),
        allowed: version,
    })
    .chain(FIELDS.iter().map(|f| KeySpec {
        key: f.key,
        default: (f.get)(&defaults),
        allowed: (f.allowed)(),
    }))
    .collect()
}

fn known_keys() -> String {
    let keys: Vec<&str> = std::iter::once(VERSION_KEY)
        .chain(FIELDS.iter().map(|f| f.key))
        .collect();
    keys.join(", ")
}

/// Appends `s` percent-encoded, leaving only `A-Z a-z 0-9 - . _ ~ ,` as they are.
fn push_encoded(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~,".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Trainable parameters of an MLP with these layer sizes: Σ (in + 1) · out over the layers
/// `[dim, hidden..., classes]` (weights plus biases), saturating at `usize::MAX` so absurd sizes
/// stay comparable against [`limits::MAX_PARAMS`].
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
    /// Reads a query string (see the module docs), reporting every bad key at once.
    pub fn parse(query: &str) -> Result<Config, ConfigError> {
        let (config, errors) = Config::parse_lenient(query);
        ConfigError::check(errors)?;
        debug_assert!(config.validate().is_ok());
        Ok(config)
    }

    /// Reads a query string, keeping the default for each bad key (unknown, repeated or with a bad
    /// value) and returning their errors, in query order: share links still open, with a notice of
    /// what was dropped. The config is always valid. Past 20 unknown keys, one error counts the rest.
    pub fn parse_lenient(query: &str) -> (Config, Vec<FieldError>) {
        let query = query.strip_prefix('?').unwrap_or(query);
        // Values grouped by key, in order of first appearance.
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let (key, value) = (key.trim(), value.trim());
            if key.is_empty() && value.is_empty() {
                continue;
            }
            match index.get(key) {
                Some(&i) => groups[i].1.push(value.to_string()),
                None => {
                    index.insert(key.to_string(), groups.len());
                    groups.push((key.to_string(), vec![value.to_string()]));
                }
            }
        }

        let mut config = Config::default();
        let mut errors = Vec::new();
        let mut unknown = 0;
        let mut more_unknown: Option<(&str, &str)> = None;
        for (key, values) in &groups {
            let value = values[0].as_str();
            let field = FIELDS.iter().find(|f| f.key == key);
            if field.is_none() && key != VERSION_KEY && unknown >= MAX_UNKNOWN_ERRORS {
                more_unknown = more_unknown.or(Some((key, value)));
                unknown += 1;
            } else if field.is_none() && key != VERSION_KEY {
                unknown += 1;
                let message = format!(
                    "unknown key \"{}\" (given \"{}\"); expected one of {}",
                    shown(key),
                    shown(value),
                    known_keys()
                );
                errors.push(FieldError::new(key, value, message));
            } else if values.len() > 1 {
                let listed: Vec<String> = values
                    .iter()
                    .take(3)
                    .map(|v| format!("\"{}\"", shown(v)))
                    .collect();
                let more = if values.len() > 3 { ", …" } else { "" };
                let message = format!(
                    "\"{}\" is given {} times ({}{more}); expected each key at most once",
                    shown(key),
                    values.len(),
                    listed.join(", ")
                );
                errors.push(FieldError::new(key, &values[1], message));
            } else if let Some(field) = field {
                let mut trial = config.clone();
                match (field.set)(&mut trial, value) {
                    Ok(()) => config = trial,
                    Err(message) => errors.push(FieldError::new(key, value, message)),
                }
            } else if value != SCHEMA_VERSION.to_string() {
                let message = format!(
                    "\"{}\" is not a supported schema version; expected {SCHEMA_VERSION}",
                    shown(value)
                );
                errors.push(FieldError::new(key, value, message));
            }
        }
        if let Some((key, value)) = more_unknown {
            let message = format!(
                "{} more unknown keys, from \"{}\" on; expected one of {}",
                unknown - MAX_UNKNOWN_ERRORS,
                shown(key),
                known_keys()
            );
            errors.push(FieldError::new(key, value, message));
        }
        (config, errors)
    }

    /// The canonical query: `v=1`, then each key that differs from the default, in the docs' order.
    /// For a valid config, `Config::parse(&c.to_query())` gives back `c` bit for bit; an invalid one
    /// gives a query that `parse` refuses.
    pub fn to_query(&self) -> String {
        let defaults = Config::default();
        let mut out = format!("{VERSION_KEY}={SCHEMA_VERSION}");
        for field in &FIELDS {
            let value = (field.get)(self);
            if value != (field.get)(&defaults) {
                out.push('&');
                push_encoded(&mut out, field.key);
                out.push('=');
                push_encoded(&mut out, &value);
            }
        }
        out
    }

    /// Checks every field against the ranges of the module docs' table (what `parse` enforces), so
    /// a config built in code meets the same limits as one from a link.
    pub fn validate(&self) -> Result<(), ConfigError> {
        // Each field's canonical text must read back: one set of range checks for both paths.
        let mut errors = Vec::new();
        for field in &FIELDS {
            let value = (field.get)(self);
            if let Err(message) = (field.set)(&mut Config::default(), &value) {
                errors.push(FieldError::new(field.key, &value, message));
            }
        }
        ConfigError::check(errors)
    }

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

        if !(1..=limits::MAX_DIM).contains(&dim) {
            let message = format!(
                "the data has {dim} features; expected 1 to {}",
                limits::MAX_DIM
            );
            fail("dataset", dataset.clone(), message);
        }
        if !(2..=limits::MAX_CLASSES).contains(&classes) {
            let message = format!(
                "the data has {classes} classes; expected 2 to {}",
                limits::MAX_CLASSES
            );
            match &self.classes {
                Some(labels) => fail("classes", encode_list(labels), message),
                None => fail("dataset", dataset.clone(), message),
            }
        }
        if n_train > limits::MAX_POINTS {
            let message = format!(
                "the training split has {n_train} points; expected at most {}",
                limits::MAX_POINTS
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
        if p > limits::MAX_PARAMS {
            let message = format!(
                "layers \"{layers}\" give p = {p} parameters for {dim} features and {classes} classes; expected at most {}: use fewer or narrower layers",
                limits::MAX_PARAMS
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
        if self.solver == Solver::Dense && p > crate::spectrum::dense::MAX_DENSE_PARAMS {
            let message = format!(
                "the dense solver builds the whole p × p Hessian, and p = {p} is more than its limit of {}: use solver=lanczos or smaller layers",
                crate::spectrum::dense::MAX_DENSE_PARAMS
            );
            fail("solver", "dense".to_string(), message);
        }

        let pre = match self.regime {
            Regime::Adversarial | Regime::LargeNorm => self.pre,
            Regime::Normal if self.pretrain.is_some() => self.pre,
            Regime::Normal | Regime::RandomLabels => 0,
        };
        let work = (self.epochs as f64 + pre as f64) * n_train as f64 * p as f64;
        // Past the parameter limit the work is over too, but `layers` is the one thing to fix.
        if work > limits::MAX_WORK && p <= limits::MAX_PARAMS {
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
                limits::MAX_WORK
            );
            fail("epochs", self.epochs.to_string(), message);
        }
        ConfigError::check(errors)
    }
}
