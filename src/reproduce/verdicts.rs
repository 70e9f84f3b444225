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

/// How many eigenvectors G counts (m_i above ε).
pub(crate) fn above(g: &Generalization) -> usize {
    g.m.iter().filter(|&&m| m > g.epsilon).count()
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
    let others: Vec<f64> = gs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != normal)
        .filter_map(|(_, g)| g.as_ref())
        .map(|g| g.aggregate)
        .collect();
    let verdict = if others.iter().all(|&o| gn.aggregate < o) {
        "**Yes**: G is lowest for the normal model"
    } else if others.iter().all(|&o| gn.aggregate <= o) {
        "**Only as a tie**: the normal model shares the lowest G"
    } else {
        "**No**: G does not rank the normal model best"
    };
    let list = runs
        .iter()
        .zip(gs)
        .filter_map(|(d, g)| {
            g.as_ref().map(|g| {
                format!(
                    "{} {} ({} of {})",
                    d.case.label,
                    num(g.aggregate),
                    above(g),
                    g.m.len()
                )
            })
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
