//! Power iteration with deflation: the classic route (as in PyHessian), kept for comparison.
//!
//! Pair i iterates `v ← A v / ‖A v‖` on the complement of the pairs already found (their directions
//! are projected out each step), and stops when ‖Av − λv‖ ≤ tol·|λ₁|/10 or after `max_steps`
//! iterations: the margin of 10 is because the earlier pairs' own errors leak into a later pair's true
//! residual through the deflation.
//! It converges to the largest-*magnitude* eigenvalue of that complement, at a rate set by the ratio of
//! the two largest magnitudes, so it needs far more products than Lanczos for the same accuracy; near
//! a minimum the Hessian's top end is positive, so its order matches the algebraic one there.

use super::{finish, norm, orthogonalize, random_unit, Eigen, Operator, Options};
use crate::config::Which;
use crate::model::linalg::{axpy, dot};
use crate::rng::Rng;

/// The k pairs at `opts.which`'s end. The top and the largest magnitude iterate on A itself (so the
/// top is the largest-magnitude end, see the module docs); the bottom iterates on A − sI with s an
/// estimate of the spectral radius, whose largest magnitude is then λ_min − s.
pub fn power(op: &mut dyn Operator, opts: &Options) -> Eigen {
    if opts.which != Which::Bottom {
        return iterate(op, opts, 0.0);
    }
    let radius = iterate(
        op,
        &Options {
            k: 1,
            which: Which::Magnitude,
            ..*opts
        },
        0.0,
    );
    // 1 % over the estimate, so that s ≥ λ_max even though a Rayleigh quotient underestimates.
    let shift = 1.01 * radius.values.first().map_or(0.0, |v| v.abs());
    let mut eigen = iterate(op, opts, shift);
    eigen.products += radius.products;
    eigen
}

/// Power iteration with deflation on A − shift·I, reporting the eigenvalues of A.
fn iterate(op: &mut dyn Operator, opts: &Options, shift: f64) -> Eigen {
    let n = op.dim();
    let k = opts.k.min(n);
    let mut rng = Rng::derive(opts.seed, "power");
    let mut found: Vec<Vec<f64>> = Vec::new();
    let mut pairs = Vec::new();
    let mut products = 0;
    let mut scale = 0.0f64;
    let mut w = vec![0.0; n];
    for _ in 0..k {
        let mut v = random_unit(&mut rng, n);
        orthogonalize(&mut v, &found);
        let mut lambda = 0.0;
        for _ in 0..opts.max_steps {
            let nv = norm(&v);
            if nv == 0.0 {
                break;
            }
            v.iter_mut().for_each(|x| *x /= nv);
            op.apply(&v, &mut w);
            products += 1;
            if shift != 0.0 {
                axpy(-shift, &v, &mut w);
            }
            orthogonalize(&mut w, &found);
            lambda = dot(&v, &w);
            scale = scale.max(lambda.abs());
            // Residual of the current iterate, before moving on.
            let mut r = w.clone();
            axpy(-lambda, &v, &mut r);
            if norm(&r) <= 0.1 * opts.tol * scale {
                break;
            }
            std::mem::swap(&mut v, &mut w);
        }
        let nv = norm(&v);
        v.iter_mut().for_each(|x| *x /= nv);
        found.push(v.clone());
        pairs.push((lambda + shift, v));
    }
    finish(op, pairs, opts, products, k)
}
