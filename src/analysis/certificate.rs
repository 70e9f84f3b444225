//! G over all p eigenvectors without all p eigenvectors: a count with a certified interval.
//!
//! Only the training gradients' components on the eigenvectors enter G, so the eigenvectors that
//! matter are those of the smallest invariant subspace containing the n unit gradients ĝ_j. Block
//! Krylov started from the gradient block ([`crate::spectrum::block`]) builds exactly that space; the
//! components ⟨ĝ_j, y_i⟩ come from its small projected matrix, never from p-length vectors.
//!
//! Eigenpairs whose residual is within `tol·‖H‖` are counted directly. The rest of each gradient,
//! `r_j² = Σ_{i uncomputed} A_i(x_j)²` (its energy outside the computed eigenvectors), bounds what
//! the uncomputed eigenvectors can add:
//! - mean statistic: if N of them have m_i > ε, then N·ε < Σ m_i = mean_j Σ_i |A_i(x_j)| ≤ √N·r̄
//!   (Cauchy–Schwarz, r̄ = mean_j r_j), so N < (r̄/ε)²;
//! - max statistic: each counts only through some point with |A_i(x_j)| > ε, and point j has fewer
//!   than r_j²/ε² of those, so N < Σ_j r_j²/ε² (summed per point, each rounded down).
//!
//! A computed pair whose m_i lies within its own error bound √2·residual/gap of ε (Davis–Kahan, with
//! the gap to the nearest other Ritz value) is counted only in the upper end; so is a cluster of Ritz
//! values closer than 10³ residuals (its single vectors are not resolved), up to the same energy bound
//! applied to the cluster's share of each gradient. The interval is exact
//! (`low == high`) when the space became invariant or the bound drops below one eigenvector.

use super::alignment::MIN_GRADIENT_NORM;
use crate::config::{Config, GradLabel, Measure};
use crate::data::Dataset;
use crate::model::autodiff::{Tape, Target};
use crate::model::linalg::dot;
use crate::model::Mlp;
use crate::spectrum::block::{block_krylov, BlockKrylov, BlockOptions};
use crate::spectrum::{LossCurvature, Operator};
use serde::{Deserialize, Serialize};

/// What makes the interval hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Certificate {
    /// Every eigenvector from the dense route: exact.
    Dense,
    /// The gradients' Krylov space became invariant: its eigenpairs are all that can align.
    Invariant,
    /// The residual energy outside the computed eigenpairs cannot lift one more above ε.
    ResidualEnergy,
    /// A limit stopped the Krylov space first: the interval is the residual-energy bound, open.
    Open,
    /// Only the solver's top k were counted (`g-over=solver`): the rest of p is unknown.
    TopK,
}

/// Limits of the certified count: the basis is `dim × p` numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub max_products: usize,
    /// Numbers the Krylov basis may hold (160 MB at 20 M, the Lanczos basis' limit).
    pub max_numbers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_products: 100_000,
            max_numbers: 20_000_000,
        }
    }
}

/// The certified count and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Certified {
    /// Eigenvectors with m_i > ε: at least `low`, at most `high`.
    pub low: usize,
    pub high: usize,
    pub certificate: Certificate,
    /// Why the interval is open (a limit), when it is.
    pub reason: Option<String>,
    /// Eigenpairs computed to the tolerance and counted directly.
    pub eigenpairs: usize,
    /// HVPs of the block Krylov run.
    pub products: usize,
    /// Memory of its basis and projected matrix.
    pub memory_mb: f64,
    /// λ_i and m_i of the computed eigenpairs, largest λ first.
    pub values: Vec<f64>,
    pub m: Vec<f64>,
}

/// The unit per-sample gradients ĝ_j (0 where ‖g_j‖ < [`MIN_GRADIENT_NORM`], as the alignment does),
/// with the label choice of `grad-label`, one at a time to `each(j, ĝ_j)`.
pub fn unit_gradients(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    label: GradLabel,
    each: &mut dyn FnMut(usize, Vec<f64>),
) {
    let d = mlp.input_dim();
    let mut tape = Tape::new();
    for j in 0..train.len() {
        let target = match label {
            GradLabel::True => Target::Labels(&train.y),
            GradLabel::Predicted => Target::Predicted,
        };
        tape.forward(mlp, params, &train.x[j * d..(j + 1) * d]);
        tape.backward(mlp, params, target, j, 1.0);
        let mut g = vec![0.0; params.len()];
        tape.accumulate_gradient(mlp, &mut g);
        let norm = libm::sqrt(dot(&g, &g));
        let s = if norm < MIN_GRADIENT_NORM {
            0.0
        } else {
            1.0 / norm
        };
        g.iter_mut().for_each(|x| *x *= s);
        each(j, g);
    }
}

/// The statistic over points of |A| for one eigenvector's row of alignments.
pub(crate) fn statistic(row: &[f64], measure: Measure) -> f64 {
    let abs = row.iter().map(|a| a.abs());
    match measure {
        Measure::Mean => abs.sum::<f64>() / row.len() as f64,
        Measure::Max => abs.fold(0.0, f64::max),
    }
}

/// The largest whole N with N < x (0 for x ≤ 0), as a count.
fn below(x: f64) -> usize {
    if x <= 0.0 {
        0
    } else {
        (libm::ceil(x) - 1.0).min(usize::MAX as f64) as usize
    }
}

/// At most this many uncomputed eigenvectors can exceed ε, given each point's energy `r2[j]` outside
/// the computed ones (see the module docs).
pub fn uncomputed_bound(r2: &[f64], epsilon: f64, measure: Measure) -> usize {
    let e2 = epsilon * epsilon;
    match measure {
        Measure::Mean => {
            let rbar = r2.iter().map(|&r| libm::sqrt(r.max(0.0))).sum::<f64>() / r2.len() as f64;
            below(rbar * rbar / e2)
        }
        Measure::Max => r2.iter().map(|&r| below(r / e2)).sum(),
    }
}

/// G's count over all p eigenvectors of the config's curvature operator, certified (see the module docs).
pub fn certified(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    config: &Config,
    epsilon: f64,
    limits: &Limits,
    progress: &mut dyn FnMut(usize),
) -> Certified {
    let p = params.len();
    let n = train.len();
    let opts = BlockOptions {
        max_dim: limits.max_numbers / p.max(1),
        max_products: limits.max_products,
        deflation: 1e-12,
    };
    // ‖ĝ_j‖² first, one gradient at a time: the block Krylov applies its first block only if the
    // nonzero gradients and their products fit in the basis, and when they cannot (e.g. 899 points at
    // p = 112,810) holding the n × p gradients and orthogonalizing them would only end in an empty
    // space, after minutes and gigabytes.
    let mut g2 = vec![0.0; n];
    unit_gradients(mlp, params, train, config.grad_label, &mut |j, g| {
        g2[j] = dot(&g, &g)
    });
    let starts = g2.iter().filter(|&&x| x > 0.0).count().min(p);
    let first_block = starts + starts.min(p - starts);
    let fits = first_block <= opts.max_dim.min(p) && starts <= opts.max_products;
    let bk = if fits {
        let mut grads = Vec::with_capacity(n);
        unit_gradients(mlp, params, train, config.grad_label, &mut |_, g| {
            grads.push(g)
        });
        let mut op = Reporting {
            op: LossCurvature::new(config.operator, mlp, params, train),
            products: 0,
            progress,
        };
        block_krylov(&mut op, &grads, &opts)
    } else {
        BlockKrylov::empty(n)
    };
    let scale = bk.values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let converged: Vec<bool> = bk
        .residuals
        .iter()
        .map(|&r| r <= config.tol * scale)
        .collect();
    // Energy of each gradient on the computed eigenvectors, and the statistic of each.
    let mut inside = vec![0.0; n];
    let (mut low, mut uncertain) = (0, 0);
    let (mut values, mut m) = (Vec::new(), Vec::new());
    let row = |i: usize| &bk.components[i * n..(i + 1) * n];
    let conv: Vec<usize> = (0..bk.values.len()).filter(|&i| converged[i]).collect();
    // Clusters: converged neighbours closer than 10³ residuals, whose single vectors the solver
    // cannot resolve (nor, for an exact repeat, can anyone): only their joint energy is known.
    let mut start = 0;
    while start < conv.len() {
        let mut end = start + 1;
        while end < conv.len() && {
            let (a, b) = (conv[end - 1], conv[end]);
            bk.values[a] - bk.values[b] <= 1e3 * bk.residuals[a].max(bk.residuals[b])
        } {
            end += 1;
        }
        let cluster = &conv[start..end];
        let mut energy = vec![0.0; n];
        for &i in cluster {
            for (e, a) in energy.iter_mut().zip(row(i)) {
                *e += a * a;
            }
            values.push(bk.values[i]);
            m.push(statistic(row(i), config.measure));
        }
        inside.iter_mut().zip(&energy).for_each(|(s, e)| *s += e);
        if let [i] = *cluster {
            let mi = statistic(row(i), config.measure);
            let gap = bk
                .values
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != i)
                .map(|(_, v)| (v - bk.values[i]).abs())
                .fold(f64::INFINITY, f64::min);
            let error = std::f64::consts::SQRT_2 * (bk.residuals[i] / gap).min(1.0);
            if (mi - epsilon).abs() <= error {
                uncertain += 1;
            } else if mi > epsilon {
                low += 1;
            }
        } else {
            uncertain += uncomputed_bound(&energy, epsilon, config.measure).min(cluster.len());
        }
        start = end;
    }
    let r2: Vec<f64> = g2
        .iter()
        .zip(&inside)
        .map(|(g, e)| (g - e).max(0.0))
        .collect();
    let eigenpairs = m.len();
    let extra = uncomputed_bound(&r2, epsilon, config.measure).min(p - eigenpairs);
    let certificate = if bk.invariant && eigenpairs == bk.values.len() {
        Certificate::Invariant
    } else if extra == 0 {
        Certificate::ResidualEnergy
    } else {
        Certificate::Open
    };
    let reason = (certificate == Certificate::Open).then(|| {
        if !fits {
            return format!(
                "the {starts} training gradients and their products need a Krylov basis of {first_block} vectors of p = {p}, more than its limit of {} vectors ({} numbers): no eigenvector could be computed, and up to {extra} may exceed ε; g-over=solver counts the solver's top k",
                opts.max_dim,
                limits.max_numbers
            );
        }
        format!(
            "the gradients' Krylov space stopped at {} vectors ({} HVPs; limits: {} vectors, {} HVPs) before its residual energy fell below ε: up to {extra} more eigenvectors may exceed ε",
            bk.values.len(),
            bk.products,
            opts.max_dim,
            limits.max_products
        )
    });
    Certified {
        low,
        high: low + uncertain + extra,
        certificate,
        reason,
        eigenpairs,
        products: bk.products,
        memory_mb: (bk.basis_numbers * 8) as f64 / 1e6,
        values,
        m,
    }
}

/// An operator that tells `progress` the products done so far, every [`REPORT_EVERY`] of them: the
/// page's only view into the longest step.
struct Reporting<'a, O: Operator> {
    op: O,
    products: usize,
    progress: &'a mut dyn FnMut(usize),
}

/// Products between two progress reports (a few a second in the browser).
const REPORT_EVERY: usize = 50;

impl<O: Operator> Operator for Reporting<'_, O> {
    fn dim(&self) -> usize {
        self.op.dim()
    }

    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        self.op.apply(v, out);
        self.products += 1;
        if self.products.is_multiple_of(REPORT_EVERY) {
            (self.progress)(self.products);
        }
    }
}

/// The certified count timed for the bench: seconds (with the caller's clock), HVPs, the basis'
/// memory and the interval, at the config's ε.
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    pub seconds: f64,
    pub hvps: usize,
    pub eigenpairs: usize,
    pub memory_mb: f64,
    pub count: [usize; 2],
    pub certificate: Certificate,
}

pub fn timed(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    config: &Config,
    clock: &dyn Fn() -> f64,
) -> Timing {
    let solver_only = Config {
        g_over: crate::config::GOver::Solver,
        ..config.clone()
    };
    let eps = super::generalization::generalization(mlp, params, train, &[], false, &solver_only);
    let t = clock();
    let c = certified(
        mlp,
        params,
        train,
        config,
        eps.epsilon,
        &Limits::default(),
        &mut |_| {},
    );
    Timing {
        seconds: clock() - t,
        hvps: c.products,
        eigenpairs: c.eigenpairs,
        memory_mb: c.memory_mb,
        count: [c.low, c.high],
        certificate: c.certificate,
    }
}
