//! Lanczos with full reorthogonalization: the k extreme eigenpairs in a few dozen products.
//!
//! Each step applies A once, then removes the new vector's components along every earlier Lanczos
//! vector (twice), so the basis stays orthonormal to working precision and no spurious copies of
//! converged eigenvalues appear. The small tridiagonal problem is solved with nalgebra's symmetric
//! eigensolver; the residual of a Ritz pair is |β_m·s_m| (the last component of its small eigenvector),
//! exact up to rounding thanks to the full reorthogonalization, so it is the stopping test.
//!
//! Breakdown (β ≈ 0) means the Krylov space is invariant: its Ritz pairs are exact. The run then
//! continues from a fresh random vector orthogonal to everything so far (β = 0 couples the blocks), which
//! is how eigenvalues outside that space, including further copies of a degenerate eigenvalue, are
//! found. Without a breakdown a single-vector Krylov space holds one vector per distinct eigenvalue,
//! so an exactly repeated eigenvalue is reported once unless a breakdown restart reaches its other
//! copies (documented; the Hessians here do not have exact repeats in their top end).

use super::symmetric_eigen::symmetric_eigen;
use super::{finish, norm, orthogonalize, random_unit, Eigen, Operator, Options};
use crate::model::linalg::{axpy, dot};
use crate::rng::Rng;
use nalgebra::DMatrix;

/// Convergence is tested every this many steps (each test is a small dense eigenproblem).
const CHECK_EVERY: usize = 4;
/// Keeps the basis (steps × dim numbers) within about 160 MB in a browser tab.
const MAX_BASIS_NUMBERS: usize = 20_000_000;

/// A growing Lanczos basis with its tridiagonal matrix; shared by [`lanczos`] and the quadrature of
/// the spectral density.
pub(crate) struct Krylov {
    pub basis: Vec<Vec<f64>>,
    pub alpha: Vec<f64>,
    /// `beta[j]` couples vectors j and j+1 (0 where a breakdown restarted the run).
    pub beta: Vec<f64>,
    /// First vector of the current block (after the last restart).
    pub block_start: usize,
    /// Running bound on ‖A‖ for the breakdown test.
    anorm: f64,
    w: Vec<f64>,
}

impl Krylov {
    /// Starts from `start`, normalized.
    pub fn new(start: Vec<f64>) -> Krylov {
        let s = 1.0 / norm(&start);
        let n = start.len();
        let q = start.into_iter().map(|x| x * s).collect();
        Krylov {
            basis: vec![q],
            alpha: vec![],
            beta: vec![],
            block_start: 0,
            anorm: 0.0,
            w: vec![0.0; n],
        }
    }

    /// Applies A to the newest vector and orthogonalizes the result against the whole basis. Returns β,
    /// the norm of what is left, and whether that is a breakdown (the space is invariant).
    pub fn step(&mut self, op: &mut dyn Operator) -> (f64, bool) {
        let j = self.basis.len() - 1;
        op.apply(&self.basis[j], &mut self.w);
        let a = dot(&self.basis[j], &self.w);
        self.alpha.push(a);
        axpy(-a, &self.basis[j], &mut self.w);
        if j > self.block_start {
            axpy(-self.beta[j - 1], &self.basis[j - 1], &mut self.w);
        }
        orthogonalize(&mut self.w, &self.basis);
        let b = norm(&self.w);
        self.anorm = self
            .anorm
            .max(a.abs() + b + self.beta.last().copied().unwrap_or(0.0));
        (b, b <= 1e-12 * self.anorm)
    }

    /// Appends the next basis vector: the normalized remainder, or after a breakdown a fresh random
    /// direction orthogonal to the basis (starting a new block).
    pub fn advance(&mut self, b: f64, breakdown: bool, rng: &mut Rng) {
        if breakdown {
            let mut fresh = random_unit(rng, self.w.len());
            orthogonalize(&mut fresh, &self.basis);
            let f = norm(&fresh);
            fresh.iter_mut().for_each(|x| *x /= f);
            self.beta.push(0.0);
            self.block_start = self.basis.len();
            self.basis.push(fresh);
        } else {
            self.beta.push(b);
            self.basis.push(self.w.iter().map(|x| x / b).collect());
        }
    }
}

/// The k eigenpairs at `opts.which`'s end of the spectrum (largest algebraic first by default): the
/// Krylov space converges to both ends at once, so the bottom and the largest-magnitude pairs cost
/// the same as the top ones. `start` (e.g. the previous snapshot's top vector) warm-
/// starts the iteration; otherwise the start vector is seeded from `opts.seed`.
pub fn lanczos(op: &mut dyn Operator, opts: &Options, start: Option<&[f64]>) -> Eigen {
    let n = op.dim();
    let k = opts.k.min(n);
    let max_steps = opts
        .max_steps
        .min(n)
        .min((MAX_BASIS_NUMBERS / n.max(1)).max(k))
        .max(k);
    let mut rng = Rng::derive(opts.seed, "lanczos");
    let start = match start {
        Some(s) if norm(s) > 0.0 => s.to_vec(),
        _ => random_unit(&mut rng, n),
    };
    let mut kr = Krylov::new(start);
    loop {
        let (b, breakdown) = kr.step(op);
        let steps = kr.alpha.len();
        let exhausted = steps >= max_steps;
        if steps >= k && (steps.is_multiple_of(CHECK_EVERY) || exhausted || breakdown) {
            let b_last = if breakdown { 0.0 } else { b };
            let (theta, s) = tridiagonal_eigen(&kr.alpha, &kr.beta);
            let wanted = opts.which.sorted(&theta);
            let scale = theta.iter().fold(0.0f64, |m, t| m.max(t.abs()));
            let all_converged = wanted[..k]
                .iter()
                .all(|&i| (b_last * s[(steps - 1, i)]).abs() <= opts.tol * scale);
            // After a restart, the new block's own top pair must have converged too, so an eigenvalue
            // outside the earlier invariant space cannot hide behind a not-yet-grown block.
            let bs = kr.block_start;
            let block_converged = bs == 0 || {
                let (tb, sb) = tridiagonal_eigen(&kr.alpha[bs..], &kr.beta[bs..]);
                let first = opts.which.sorted(&tb)[0];
                (b_last * sb[(steps - bs - 1, first)]).abs() <= opts.tol * scale
            };
            // The first breakdown restarts once to probe the complement before stopping.
            let probed = !breakdown || bs > 0;
            let done = (all_converged && block_converged && probed)
                || exhausted
                || (breakdown && steps == n);
            if done {
                let pairs = wanted[..k]
                    .iter()
                    .map(|&i| {
                        let mut y = vec![0.0; n];
                        for (r, q) in kr.basis.iter().take(steps).enumerate() {
                            axpy(s[(r, i)], q, &mut y);
                        }
                        (theta[i], y)
                    })
                    .collect();
                return finish(op, pairs, opts, steps, k);
            }
        }
        kr.advance(b, breakdown, &mut rng);
    }
}

/// Eigen-decomposition of the symmetric tridiagonal matrix (diagonal `alpha`, off-diagonal `beta`),
/// eigenvalues descending with their eigenvectors as the matching columns.
pub(crate) fn tridiagonal_eigen(alpha: &[f64], beta: &[f64]) -> (Vec<f64>, DMatrix<f64>) {
    let m = alpha.len();
    let t = DMatrix::from_fn(m, m, |r, c| {
        if r == c {
            alpha[r]
        } else if r + 1 == c {
            beta[r]
        } else if c + 1 == r {
            beta[c]
        } else {
            0.0
        }
    });
    let eig = symmetric_eigen(t);
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let vectors = DMatrix::from_fn(m, m, |r, c| eig.eigenvectors[(r, order[c])]);
    (values, vectors)
}
