//! The paper's generalization measure: the share of Hessian eigenvectors that align with the training
//! gradients more than random directions do.
//!
//! m_i = statistic over training points of |A_i(x)| (the poster's mean, or the authors' code's max);
//! ε = the same statistic for random Gaussian unit directions, averaged; G = (1/p) Σ_i 1[m_i > ε].
//! A simpler decision boundary needs fewer eigenvectors, so smaller G should mean better generalization.
//!
//! ε is either the authors' five sampled directions or, for the mean statistic, its exact expectation
//! E|⟨ĝ, u⟩| = E|u₁| = Γ(p/2) / (√π·Γ((p+1)/2)) ≈ √(2/(πp)) over uniformly random unit u (`epsilon`).
//! With `g-over=all` the count runs over all p eigenvectors through [`super::certificate`].

use super::alignment::{alignments, MIN_GRADIENT_NORM};
use super::certificate::{Certificate, Certified};
use crate::config::{AlignValue, Config, Epsilon, GradLabel, Measure};
use crate::data::Dataset;
use crate::model::Mlp;
use crate::rng::Rng;

/// Random directions averaged for ε (the authors use 5).
pub const RANDOM_DIRECTIONS: usize = 5;

#[derive(Clone, Debug, PartialEq)]
pub struct Generalization {
    /// G = (number of m_i above ε) / p: the certified count's lower end.
    pub aggregate: f64,
    /// [G_low, G_high]: G over all p lies in it (equal ends when exact).
    pub bounds: (f64, f64),
    /// The ε used, which kind it is, and both kinds (the expected one for the mean statistic only).
    pub epsilon: f64,
    pub epsilon_kind: Epsilon,
    pub epsilon_sampled: f64,
    pub epsilon_expected: Option<f64>,
    /// How the count over all p was made, and what it cost.
    pub certified: Certified,
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

/// E|u₁| for u uniform on the unit sphere of R^p, in log-gamma form (the ratio of gammas overflows
/// long before p = 10⁴).
pub fn expected_abs_coordinate(p: usize) -> f64 {
    let p = p as f64;
    libm::exp(libm::lgamma(p / 2.0) - libm::lgamma((p + 1.0) / 2.0))
        / libm::sqrt(std::f64::consts::PI)
}

/// ε of the mean statistic in expectation: points whose gradient is below [`MIN_GRADIENT_NORM`] have
/// A = 0 for every direction, so they enter with 0.
fn expected_epsilon(mlp: &Mlp, params: &[f64], train: &Dataset, label: GradLabel) -> f64 {
    let proj = crate::model::autodiff::gradient_projections(
        mlp,
        params,
        &train.x,
        match label {
            GradLabel::True => crate::model::autodiff::Target::Labels(&train.y),
            GradLabel::Predicted => crate::model::autodiff::Target::Predicted,
        },
        &[],
    );
    let live = proj
        .norms
        .iter()
        .filter(|&&g| g >= MIN_GRADIENT_NORM)
        .count();
    live as f64 / train.len() as f64 * expected_abs_coordinate(params.len())
}

/// G with the config's `grad-label`, `measure`, `epsilon`, `g-over` and seed. `vectors` are the
/// solver's eigenvectors (`over_all`: all p of them, from the dense route).
pub fn generalization(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    vectors: &[Vec<f64>],
    over_all: bool,
    config: &Config,
) -> Generalization {
    generalization_reporting(mlp, params, train, vectors, over_all, config, &mut |_| {})
}

/// [`generalization`], telling `progress` the HVPs done so far while it certifies G over all p.
pub fn generalization_reporting(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    vectors: &[Vec<f64>],
    over_all: bool,
    config: &Config,
    progress: &mut dyn FnMut(usize),
) -> Generalization {
    let (label, measure) = (config.grad_label, config.measure);
    let p = params.len();
    let mut rng = Rng::derive(config.seed, "random-directions");
    let random: Vec<Vec<f64>> = (0..RANDOM_DIRECTIONS)
        .map(|_| crate::spectrum::random_unit(&mut rng, p))
        .collect();
    let eps_each = statistic(mlp, params, train, &random, label, measure);
    let epsilon_sampled = eps_each.iter().sum::<f64>() / RANDOM_DIRECTIONS as f64;
    let epsilon_expected =
        (measure == Measure::Mean).then(|| expected_epsilon(mlp, params, train, label));
    let (epsilon, epsilon_kind) = match (config.epsilon, epsilon_expected) {
        (Epsilon::Expected, Some(e)) => (e, Epsilon::Expected),
        _ => (epsilon_sampled, Epsilon::Sampled),
    };
    let (m, certified) = if over_all || config.g_over == crate::config::GOver::Solver {
        let m = statistic(mlp, params, train, vectors, label, measure);
        let count = m.iter().filter(|&&mi| mi > epsilon).count();
        let certified = Certified {
            low: count,
            high: if over_all { count } else { count + p - m.len() },
            certificate: if over_all {
                Certificate::Dense
            } else {
                Certificate::TopK
            },
            reason: (!over_all)
                .then(|| "g-over=solver counts only the solver's top k eigenvectors".to_string()),
            eigenpairs: m.len(),
            products: 0,
            memory_mb: 0.0,
            values: vec![],
            m: vec![],
        };
        (m, certified)
    } else {
        let mut c = super::certificate::certified(
            mlp,
            params,
            train,
            config,
            epsilon,
            &super::certificate::Limits::default(),
            progress,
        );
        (std::mem::take(&mut c.m), c)
    };
    let over_all = over_all || certified.certificate != Certificate::TopK;
    Generalization {
        aggregate: certified.low as f64 / p as f64,
        bounds: (
            certified.low as f64 / p as f64,
            certified.high as f64 / p as f64,
        ),
        epsilon,
        epsilon_kind,
        epsilon_sampled,
        epsilon_expected,
        certified,
        m,
        measure,
        over_all,
        params: p,
    }
}
