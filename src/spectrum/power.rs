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
use crate::model::linalg::{axpy, dot};
use crate::rng::Rng;

pub fn power(op: &mut dyn Operator, opts: &Options) -> Eigen {
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
        pairs.push((lambda, v));
    }
    finish(op, pairs, opts.tol, products, k)
}
