//! The key table: every query key, how it reads into a [`Config`] and how it is written back.
//!
//! # Query keys
//!
//! Every key is optional: an absent key takes its default. The ranges are generous for experiments
//! but keep a hostile link from exhausting a browser tab; [`Config::parse`] and
//! [`Config::validate`] enforce them. "Whole number" means decimal digits only.
//!
//! | key | default | allowed |
//! |---|---|---|
//! | `v` | `2` | 1 or 2 |
//! | `dataset` | `gaussian` | one of gaussian, hierarchical, circles, moons, checker, checker-noisy, line1d, xor, spirals, iris, digits, csv |
//! | `draw` | `default` | default, or one of paper, seeded |
//! | `seed` | `0` | a whole number in [0, 18446744073709551615] |
//! | `n` | `default` | default, or a whole number in [2, 20000] |
//! | `noise` | `default` | default, or a number in [0, 10] |
//! | `train` | `0.5` | a number in (0, 1] |
//! | `classes` | `default` | default, or 2 to 100 distinct comma-separated labels, each a whole number in [0, 4294967295] or a class name |
//! | `label-column` | `last` | last, a column's number (a whole number in [1, 1025]), or its name in the CSV's header |
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
//! | `operator` | `hessian` | one of hessian, ggn, fisher |
//! | `which` | `top` | one of top, bottom, magnitude |
//! | `tol` | `1e-8` | a number in (0, 0.1] |
//! | `grad-label` | `predicted` | one of predicted, true |
//! | `align-value` | `cosine` | one of cosine, squared |
//! | `grid` | `128` | a whole number in [8, 512] |
//! | `measure` | `mean` | one of mean, max |
//! | `epsilon` | `expected` | one of sampled, expected |
//! | `g-over` | `all` | one of solver, all |
//! | `margin` | `boundary-slide` | one of search, paper, boundary-slide |
//! | `pretrain` | `none` | none, or one of gaussian, hierarchical, circles, moons, checker, checker-noisy, line1d, xor, spirals, iris, digits |
//!
//! `default` (for `n`, `noise`, `classes`) means the dataset's own choice. `layers=none` is the
//! canonical spelling of "no hidden layer"; an empty `layers=` means the same, since a blank list
//! naturally reads as "no layers". `classes` relabels the kept labels 0..C in the given order.
//! `label-column` applies to `dataset=csv` only (an entry of digits is a column number).
//! The same table is available as data from [`key_specs`] (a test keeps the two in step); the
//! limits that depend on the loaded data are in [`super::limits`].
//!

use serde::Serialize;

use super::error::{complain, shown, Bad, FieldError};
use super::values::*;
use super::{
    Activation, AlignValue, Config, CurvatureOperator, DatasetName, Draw, Epsilon, GOver,
    GradLabel, LossKind, MarginMethod, Measure, Optimizer, Regime, Solver, Which, SCHEMA_VERSION,
    SCHEMA_VERSIONS,
};

/// One query key: how to read it into a config, and how to write it back.
pub(super) struct Field {
    pub(super) key: &'static str,
    pub(super) allowed: fn() -> String,
    /// Parses and range-checks a (trimmed, decoded) value into the config; `Err` is the message.
    pub(super) set: fn(&mut Config, &str) -> Result<(), String>,
    /// The canonical text of the config's value (before percent-encoding).
    pub(super) get: fn(&Config) -> String,
}

/// Every key but `v`, in the order of the struct, the docs' table and the canonical query.
pub(super) static FIELDS: [Field; 34] = [
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
        key: "draw",
        allowed: || or_default(enum_allowed::<Draw>()),
        set: |c, s| {
            c.draw = optional(s, |s| {
                parse_enum(s)
                    .map_err(|_| complain(s, Bad::Unknown, &or_default(enum_allowed::<Draw>())))
            })?;
            Ok(())
        },
        get: |c| encode_optional(c.draw, |d| d.name().into()),
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
        key: "label-column",
        allowed: label_column_allowed,
        set: |c, s| {
            c.label_column = parse_label_column(s)?;
            Ok(())
        },
        get: |c| {
            c.label_column
                .as_ref()
                .map_or(LAST_COLUMN.into(), ToString::to_string)
        },
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
        key: "operator",
        allowed: enum_allowed::<CurvatureOperator>,
        set: |c, s| {
            c.operator = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.operator.name().into(),
    },
    Field {
        key: "which",
        allowed: enum_allowed::<Which>,
        set: |c, s| {
            c.which = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.which.name().into(),
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
        key: "epsilon",
        allowed: enum_allowed::<Epsilon>,
        set: |c, s| {
            c.epsilon = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.epsilon.name().into(),
    },
    Field {
        key: "g-over",
        allowed: enum_allowed::<GOver>,
        set: |c, s| {
            c.g_over = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.g_over.name().into(),
    },
    Field {
        key: "margin",
        allowed: enum_allowed::<MarginMethod>,
        set: |c, s| {
            c.margin = parse_enum(s)?;
            Ok(())
        },
        get: |c| c.margin.name().into(),
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
pub(super) fn pretrain_allowed() -> String {
    let names: Vec<&str> = DatasetName::ALL
        .iter()
        .filter(|d| **d != DatasetName::Csv)
        .map(|d| d.name())
        .collect();
    format!("none, or one of {}", names.join(", "))
}

/// The schema-version key.
pub(super) const VERSION_KEY: &str = "v";

/// One row of the module docs' table: a key, the canonical text of its default and what it accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeySpec {
    pub key: &'static str,
    pub default: String,
    pub allowed: String,
}

/// The keys that contradict another key, each as an error naming it: `label-column` without
/// `dataset=csv`, and those of [`paper_draw_conflicts`].
pub(super) fn draw_conflicts(c: &Config) -> Vec<FieldError> {
    let mut errors = label_column_conflict(c);
    errors.extend(paper_draw_conflicts(c));
    errors
}

/// `label-column` picks a column of the user's CSV; the built-in data has its labels fixed.
fn label_column_conflict(c: &Config) -> Vec<FieldError> {
    match &c.label_column {
        Some(column) if c.dataset != DatasetName::Csv => {
            let value = column.to_string();
            let message = format!(
                "\"{}\": label-column applies to dataset=csv, not {}",
                shown(&value),
                c.dataset.name()
            );
            vec![FieldError::new("label-column", &value, message)]
        }
        _ => Vec::new(),
    }
}

/// The keys that contradict `draw=paper`: the authors' draw exists only for the datasets their
/// code defines, and it fixes the points (`n`, `noise`), the split (`train`) and the classes.
fn paper_draw_conflicts(c: &Config) -> Vec<FieldError> {
    if c.draw != Some(Draw::Paper) {
        return Vec::new();
    }
    if !c.dataset.has_paper_draw() {
        let names: Vec<&str> = DatasetName::ALL
            .iter()
            .filter(|d| d.has_paper_draw())
            .map(|d| d.name())
            .collect();
        let message = format!(
            "draw=paper needs a dataset the authors' code defines ({}), not {}: use draw=seeded",
            names.join(", "),
            c.dataset.name()
        );
        return vec![FieldError::new("draw", "paper", message)];
    }
    let defaults = Config::default();
    FIELDS
        .iter()
        .filter(|f| ["n", "noise", "train", "classes"].contains(&f.key))
        .filter(|f| (f.get)(c) != (f.get)(&defaults))
        .map(|f| {
            let value = (f.get)(c);
            let message = format!(
                "\"{}\": the authors' draw (draw=paper) has its own points, split and classes; {} applies to draw=seeded",
                shown(&value),
                f.key
            );
            FieldError::new(f.key, &value, message)
        })
        .collect()
}

/// The schema versions a query may name: `1 or 2`.
pub(super) fn versions_allowed() -> String {
    let names: Vec<String> = SCHEMA_VERSIONS.iter().map(u32::to_string).collect();
    names.join(" or ")
}

/// Every query key (`v` first, then the canonical order) with its default and allowed values, e.g.
/// for a help text or a form.
pub fn key_specs() -> Vec<KeySpec> {
    let defaults = Config::default();
    std::iter::once(KeySpec {
        key: VERSION_KEY,
        default: SCHEMA_VERSION.to_string(),
        allowed: versions_allowed(),
    })
    .chain(FIELDS.iter().map(|f| KeySpec {
        key: f.key,
        default: (f.get)(&defaults),
        allowed: (f.allowed)(),
    }))
    .collect()
}

pub(super) fn known_keys() -> String {
    let keys: Vec<&str> = std::iter::once(VERSION_KEY)
        .chain(FIELDS.iter().map(|f| f.key))
        .collect();
    keys.join(", ")
}
