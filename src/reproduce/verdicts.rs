//! The paper's claims checked on finished runs: whether G ranks the regimes as the paper says, and the
//! quantities those checks read (λ₁, test accuracy, how many eigenvectors G counts).

use std::fmt::Write as _;

use super::cases::Done;
use super::report::{num, run_k};
use crate::analysis::generalization::Generalization;
use crate::analysis::margin::{self, Margin};
use crate::config::{Config, MarginMethod};
use crate::pipeline::Run;

/// G of a finished run recomputed with the max statistic (what `measure=max` gives).
pub(crate) fn max_measure(run: &Run) -> Option<Generalization> {
    let s = run.spectrum.as_ref()?;
    let config = Config {
        measure: crate::config::Measure::Max,
        ..run.config.clone()
    };
    let over_all = s.eigen.vectors.len() == run.trained.params.len();
    let vectors = if over_all {
        &s.eigen.vectors[..]
    } else {
        &s.eigen.vectors[..run_k(run)]
    };
    Some(crate::analysis::generalization::generalization(
        &run.trained.mlp,
        &run.trained.params,
        &run.split.train,
        vectors,
        over_all,
        &config,
    ))
}

/// Where `normal`'s G stands among `others`', by their certified intervals (equal ends when exact).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ranking {
    /// Certainly below every other.
    Lowest,
    /// Exact and equal to the lowest other, below the rest.
    Tied,
    /// Certainly above some other.
    NotLowest,
    /// The intervals overlap.
    Undecided,
}

pub(crate) fn ranks_lowest(normal: &Generalization, others: &[&Generalization]) -> Ranking {
    let (lo, hi) = normal.bounds;
    if others.iter().all(|o| hi < o.bounds.0) {
        Ranking::Lowest
    } else if others.iter().any(|o| o.bounds.1 < lo) {
        Ranking::NotLowest
    } else if lo == hi
        && others
            .iter()
            .all(|o| o.bounds.0 == o.bounds.1 && hi <= o.bounds.0)
    {
        Ranking::Tied
    } else {
        Ranking::Undecided
    }
}

/// G, or its certified interval where the certificate does not close it.
pub(crate) fn g_text(g: &Generalization) -> String {
    let (lo, hi) = g.bounds;
    if lo == hi {
        num(lo)
    } else {
        format!("[{}, {}]", num(lo), num(hi))
    }
}

/// "254 of all 10703", "459–461 of all 10703", or "7 of the top 10".
pub(crate) fn count_text(g: &Generalization) -> String {
    let c = &g.certified;
    let count = if c.low == c.high {
        c.low.to_string()
    } else {
        format!("{}–{}", c.low, c.high)
    };
    if g.over_all {
        format!("{count} of all {}", g.params)
    } else {
        format!("{count} of the top {}", g.m.len())
    }
}

pub(crate) fn lambda1(run: &Run) -> f64 {
    run.spectrum
        .as_ref()
        .map_or(f64::NAN, |s| s.eigen.values[0])
}

/// Accuracy on the permuted labels a random-labels model was trained on (how well it memorized).
pub(crate) fn random_label_fit(run: &Run) -> Option<f64> {
    if run.config.regime != crate::config::Regime::RandomLabels {
        return None;
    }
    let mut data = run.split.train.clone();
    data.y = run.trained.permuted_labels.clone();
    crate::train::accuracy(&run.trained.mlp, &run.trained.params, &data)
}

pub(crate) fn test_accuracy(run: &Run) -> f64 {
    crate::train::accuracy(&run.trained.mlp, &run.trained.params, &run.split.test)
        .unwrap_or(f64::NAN)
}

/// G of each run as the pipeline computed it (the config's statistic).
pub(crate) fn measured(runs: &[Done]) -> Vec<Option<Generalization>> {
    runs.iter()
        .map(|d| d.run.analysis.as_ref().map(|a| a.generalization.clone()))
        .collect()
}

/// Whether G (`gs`, one per run) ranks the normal model as the best-generalizing regime, stated with
/// the numbers, and how test accuracy ranks them.
pub(crate) fn regime_verdict(runs: &[Done], gs: &[Option<Generalization>]) -> String {
    let Some(normal) = runs.iter().position(|d| d.case.label == "normal") else {
        return String::new();
    };
    let Some(gn) = &gs[normal] else {
        return String::new();
    };
    let others: Vec<&Generalization> = gs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != normal)
        .filter_map(|(_, g)| g.as_ref())
        .collect();
    let verdict = match ranks_lowest(gn, &others) {
        Ranking::Lowest => "**Yes**: G is lowest for the normal model",
        Ranking::Tied => "**Only as a tie**: the normal model shares the lowest G",
        Ranking::NotLowest => "**No**: G does not rank the normal model best",
        Ranking::Undecided => {
            "**Undecided**: the certified intervals of G overlap, so neither order is certain"
        }
    };
    let list = runs
        .iter()
        .zip(gs)
        .filter_map(|(d, g)| {
            g.as_ref()
                .map(|g| format!("{} {} ({})", d.case.label, g_text(g), count_text(g)))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let tests = runs
        .iter()
        .map(|d| format!("{} {:.1}%", d.case.label, 100.0 * test_accuracy(&d.run)))
        .collect::<Vec<_>>()
        .join(", ");
    let best_test = runs
        .iter()
        .map(|d| test_accuracy(&d.run))
        .fold(f64::NEG_INFINITY, f64::max);
    let best: Vec<&str> = runs
        .iter()
        .filter(|d| test_accuracy(&d.run) == best_test)
        .map(|d| d.case.label)
        .collect();
    let mut text = format!(
        "{verdict}. G (eigenvectors counted of those examined): {list}. Test accuracy: {tests}; best: {}.",
        best.join(" and ")
    );
    if !gn.over_all {
        write!(
            text,
            " Counted over the top {} eigenvectors only, G can differ between runs by at most {} eigenvectors, so this ranking says little.",
            gn.m.len(),
            gn.m.len()
        )
        .ok();
    }
    text.push('\n');
    text
}

/// The margin of a finished run by every method (the run's own is not recomputed).
pub(crate) fn margins(run: &Run) -> Option<Vec<Margin>> {
    let own = &run.analysis.as_ref()?.margin;
    let v1 = &run.spectrum.as_ref()?.eigen.vectors[0];
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    Some(
        MarginMethod::ALL
            .iter()
            .map(|&method| {
                if method == own.method {
                    own.clone()
                } else {
                    margin::margin(mlp, params, train, v1, run.config.seed, method)
                }
            })
            .collect(),
    )
}
