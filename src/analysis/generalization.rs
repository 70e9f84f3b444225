//! The paper's generalization measure: the share of Hessian eigenvectors that align with the training
//! gradients more than random directions do.
//!
//! m_i = statistic over training points of |A_i(x)| (the poster's mean, or the authors' code's max);
//! ε = the same statistic for random Gaussian unit directions, averaged; G = (1/p) Σ_i 1[m_i > ε].
//! A simpler decision boundary needs fewer eigenvectors, so smaller G should mean better generalization.

use super::alignment::alignments;
use crate::config::{AlignValue, Config, GradLabel, Measure};
use crate::data::Dataset;
use crate::model::Mlp;
use crate::rng::Rng;

/// Random directions averaged for ε (the authors use 5).
pub const RANDOM_DIRECTIONS: usize = 5;

#[derive(Clone, Debug, PartialEq)]
pub struct Generalization {
    /// G = (number of m_i above ε) / p.
    pub aggregate: f64,
    pub epsilon: f64,
    /// m_i per eigenvector, in the eigenvectors' order.
    pub m: Vec<f64>,
    pub measure: Measure,
    /// The eigenvectors it counts over: all p (dense solver) or only the top k.
    pub over_all: bool,
    /// p, the denominator.
    pub params: usize,
}

/// The statistic of |A| over training points for each direction.
fn statistic(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    directions: &[Vec<f64>],
    label: GradLabel,
    measure: Measure,
) -> Vec<f64> {
    let k = directions.len();
    let (a, _) = alignments(
        mlp,
        params,
        &train.x,
        Some(&train.y),
        directions,
        label,
        AlignValue::Cosine,
    );
    let n = train.len() as f64;
    (0..k)
        .map(|i| {
            let column = a.chunks_exact(k).map(|row| row[i].abs());
            match measure {
                Measure::Mean => column.sum::<f64>() / n,
                Measure::Max => column.fold(0.0, f64::max),
            }
        })
        .collect()
}

/// G over the given eigenvectors (`over_all` says whether they are all p of them), with the config's
/// `grad-label`, `measure` and seed.
pub fn generalization(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    vectors: &[Vec<f64>],
    over_all: bool,
    config: &Config,
) -> Generalization {
    let (label, measure) = (config.grad_label, config.measure);
    let p = params.len();
    let mut rng = Rng::derive(config.seed, "random-directions");
    let random: Vec<Vec<f64>> = (0..RANDOM_DIRECTIONS)
        .map(|_| crate::spectrum::random_unit(&mut rng, p))
        .collect();
    let eps_each = statistic(mlp, params, train, &random, label, measure);
    let epsilon = eps_each.iter().sum::<f64>() / RANDOM_DIRECTIONS as f64;
    let m = statistic(mlp, params, train, vectors, label, measure);
    let count = m.iter().filter(|&&mi| mi > epsilon).count();
    Generalization {
        aggregate: count as f64 / p as f64,
        epsilon,
        m,
        measure,
        over_all,
        params: p,
    }
}
