//! The spectrum stage: eigenpairs, trace and spectral density of the loss Hessian, from exact HVPs.
//!
//! Every solver sees the Hessian only through [`Operator`] (`v ↦ H·v`), so the same code runs on the
//! network's Hessian ([`LossCurvature`]) and on test matrices with known spectra:
//! - [`lanczos`]: Lanczos with full reorthogonalization, the default; top-k in few HVPs.
//! - [`power`]: power iteration with deflation, for comparison.
//! - [`dense`]: the full p×p Hessian from p HVPs and a symmetric eigensolver: every eigenpair, the
//!   paper authors' route and our reference.
//! - [`stochastic`]: Hutchinson's trace and the stochastic-Lanczos-quadrature spectral density.
//! - [`symmetric_eigen`]: nalgebra's symmetric eigensolver, same bits, reordered for the cache; every
//!   small or dense eigenproblem here goes through it.

pub mod block;
pub mod dense;
pub mod lanczos;
pub mod power;
pub mod stochastic;
pub mod symmetric_eigen;

pub use dense::dense;
pub use lanczos::lanczos;
pub use power::power;

use crate::config::{CurvatureOperator, Which};
use crate::data::Dataset;
use crate::model::autodiff::{CurvatureProducts, Target};
use crate::model::linalg::{axpy, dot};
use crate::model::Mlp;
use crate::rng::Rng;

/// A symmetric linear operator, applied one vector at a time.
pub trait Operator {
    fn dim(&self) -> usize;
    /// `out = A·v`.
    fn apply(&mut self, v: &[f64], out: &mut [f64]);
}

/// C·v for a curvature matrix C of the mean training loss (training split, true labels) at fixed θ:
/// the Hessian, the Gauss–Newton or the empirical Fisher. Counts the products.
pub struct LossCurvature<'a> {
    products: CurvatureProducts<'a>,
    dim: usize,
    /// Products applied so far.
    pub count: usize,
}

impl<'a> LossCurvature<'a> {
    pub fn new(
        kind: CurvatureOperator,
        mlp: &'a Mlp,
        params: &'a [f64],
        data: &'a Dataset,
    ) -> Self {
        LossCurvature {
            products: CurvatureProducts::new(kind, mlp, params, &data.x, Target::Labels(&data.y)),
            dim: params.len(),
            count: 0,
        }
    }

    /// The Hessian's products: the paper's operator.
    pub fn hessian(mlp: &'a Mlp, params: &'a [f64], data: &'a Dataset) -> Self {
        Self::new(CurvatureOperator::Hessian, mlp, params, data)
    }
}

impl Operator for LossCurvature<'_> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        self.count += 1;
        self.products.apply(v, out);
    }
}

/// A dense symmetric matrix as an operator (tests and the reference path).
pub struct DenseOperator {
    pub n: usize,
    /// Row-major n×n.
    pub a: Vec<f64>,
}

impl Operator for DenseOperator {
    fn dim(&self) -> usize {
        self.n
    }

    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        for (o, row) in out.iter_mut().zip(self.a.chunks_exact(self.n)) {
            *o = dot(row, v);
        }
    }
}

/// Eigenpairs from one solver, in the order of its [`Which`] (largest first by default).
#[derive(Clone, Debug, PartialEq)]
pub struct Eigen {
    pub values: Vec<f64>,
    /// Unit vectors with canonical signs, in the order of `values`.
    pub vectors: Vec<Vec<f64>>,
    /// ‖A·v − λ·v‖ for each pair, computed with one extra product each (not estimated).
    pub residuals: Vec<f64>,
    /// Every requested pair met the tolerance.
    pub converged: bool,
    /// Operator applications this result cost, including the residual checks.
    pub products: usize,
}

/// Solver options shared by Lanczos and power iteration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Eigenpairs wanted.
    pub k: usize,
    /// Converged when every residual ‖Av − λv‖ ≤ tol·|λ₁|.
    pub tol: f64,
    /// Cap on Lanczos steps (Krylov dimension) or on power iterations per pair.
    pub max_steps: usize,
    /// Seed of the start vectors.
    pub seed: u64,
    /// Which end of the spectrum, and the order of the result.
    pub which: Which,
}

impl Options {
    /// A config's `k`, `tol`, `seed` and `which`.
    pub fn of(config: &crate::config::Config) -> Options {
        Options {
            tol: config.tol,
            which: config.which,
            ..Options::new(config.k, config.seed)
        }
    }

    pub fn new(k: usize, seed: u64) -> Options {
        Options {
            k,
            tol: 1e-8,
            max_steps: 1_000,
            seed,
            which: Which::Top,
        }
    }
}

/// Flips `v` so that its largest-magnitude component (the first, on ties) is positive: eigenvectors are
/// defined up to sign, and a fixed choice keeps pictures from flipping between runs and snapshots.
pub fn canonical_sign(v: &mut [f64]) {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if x.abs() > v[best].abs() {
            best = i;
        }
    }
    if v.get(best).is_some_and(|&x| x < 0.0) {
        for x in v.iter_mut() {
            *x = -*x;
        }
    }
}

pub(crate) fn norm(v: &[f64]) -> f64 {
    libm::sqrt(dot(v, v))
}

/// A seeded Gaussian unit vector.
pub(crate) fn random_unit(rng: &mut Rng, n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let s = 1.0 / norm(&v);
    v.iter_mut().for_each(|x| *x *= s);
    v
}

/// Removes from `w` its components along the orthonormal `basis` (classical Gram–Schmidt, applied
/// twice: "twice is enough" for orthogonality to working precision).
pub(crate) fn orthogonalize(w: &mut [f64], basis: &[Vec<f64>]) {
    for _ in 0..2 {
        for q in basis {
            let c = dot(q, w);
            axpy(-c, q, w);
        }
    }
}

/// Sorts pairs in `which` order, fixes signs, and measures true residuals with one product each.
pub(crate) fn finish(
    op: &mut dyn Operator,
    mut pairs: Vec<(f64, Vec<f64>)>,
    opts: &Options,
    products: usize,
    wanted: usize,
) -> Eigen {
    let tol = opts.tol;
    pairs.sort_by(|a, b| opts.which.order(a.0, b.0));
    let mut out = vec![0.0; op.dim()];
    let mut eigen = Eigen {
        values: vec![],
        vectors: vec![],
        residuals: vec![],
        converged: false,
        products,
    };
    for (value, mut vector) in pairs {
        canonical_sign(&mut vector);
        op.apply(&vector, &mut out);
        eigen.products += 1;
        axpy(-value, &vector, &mut out);
        eigen.residuals.push(norm(&out));
        eigen.values.push(value);
        eigen.vectors.push(vector);
    }
    let scale = eigen.values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    eigen.converged = eigen.values.len() == wanted
        && eigen
            .residuals
            .iter()
            .all(|&r| r <= tol * scale.max(f64::MIN_POSITIVE));
    eigen
}

/// Hutchinson probes for the trace: its standard error falls as 1/√probes.
pub const TRACE_PROBES: usize = 30;
/// SLQ probes and Lanczos steps per probe for the density: 40 nodes per probe already separate the
/// outliers from the bulk, and the density is a picture, so it gets 80 HVPs, not hundreds.
pub const DENSITY_PROBES: usize = 2;
pub const DENSITY_STEPS: usize = 40;
/// Grid points of the exported density.
pub const DENSITY_POINTS: usize = 200;

/// Everything the spectrum stage computes for one θ.
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrum {
    pub solver: crate::config::Solver,
    /// Top-k pairs for Lanczos and power; all p pairs for the dense route.
    pub eigen: Eigen,
    pub trace: stochastic::Trace,
    pub density: stochastic::Density,
    /// HVPs spent on the trace and the density (the eigensolver's are in `eigen.products`).
    pub trace_products: usize,
    pub density_products: usize,
}

/// The spectrum of the config's curvature operator at `params` with its solver, `which`, k and tolerance.
/// `start` warm-starts Lanczos (e.g. with the previous snapshot's top eigenvector).
/// Returns `None` for the dense solver beyond [`dense::MAX_DENSE_PARAMS`] (which [`dense::check_size`]
/// rejects up front).
pub fn compute(
    config: &crate::config::Config,
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    start: Option<&[f64]>,
) -> Option<Spectrum> {
    // The density needs nothing of the eigenpairs: it runs beside them, on an operator of its own.
    let (top, density) = crate::parallel::join(
        || top(config, mlp, params, train, start),
        || density(config, mlp, params, train),
    );
    Some(top?.with(density))
}

/// The eigenpairs and the trace of a [`Spectrum`], waiting for its density (which the page's pool
/// computes meanwhile in another worker, [`density`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Top {
    pub solver: crate::config::Solver,
    pub eigen: Eigen,
    pub trace: stochastic::Trace,
    pub trace_products: usize,
}

impl Top {
    /// The spectrum, with the density and the HVPs it took.
    pub fn with(self, (density, density_products): (stochastic::Density, usize)) -> Spectrum {
        Spectrum {
            solver: self.solver,
            eigen: self.eigen,
            trace: self.trace,
            density,
            trace_products: self.trace_products,
            density_products,
        }
    }
}

/// [`compute`]'s eigenpairs and trace.
pub fn top(
    config: &crate::config::Config,
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    start: Option<&[f64]>,
) -> Option<Top> {
    use crate::config::Solver;
    let mut op = LossCurvature::new(config.operator, mlp, params, train);
    let opts = Options::of(config);
    let eigen = match config.solver {
        Solver::Lanczos => lanczos(&mut op, &opts, start),
        Solver::Power => power(&mut op, &opts),
        Solver::Dense => dense(&mut op, config.which)?,
    };
    let before = op.count;
    let trace = match config.solver {
        // The dense route has every eigenvalue: the trace is exact.
        Solver::Dense => stochastic::Trace {
            estimate: eigen.values.iter().sum(),
            std_error: 0.0,
            probes: 0,
        },
        _ => stochastic::hutchinson(
            &mut op,
            TRACE_PROBES,
            config.seed,
            &eigen.values,
            &eigen.vectors,
        ),
    };
    Some(Top {
        solver: config.solver,
        eigen,
        trace,
        trace_products: op.count - before,
    })
}

/// [`compute`]'s density (SLQ) and the HVPs it took.
pub fn density(
    config: &crate::config::Config,
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
) -> (stochastic::Density, usize) {
    let mut op = LossCurvature::new(config.operator, mlp, params, train);
    let density = stochastic::slq_density(
        &mut op,
        DENSITY_PROBES,
        DENSITY_STEPS,
        DENSITY_POINTS,
        config.seed,
    );
    (density, op.count)
}
