//! The dense route: build all of H from p products with unit vectors, then a trusted symmetric
//! eigensolver (nalgebra's, reordered for the cache with the same bits: [`symmetric_eigen`]) gives
//! every eigenpair. O(p²) memory and O(p³) time, so it is the reference for small models and the
//! source of "all p eigenvectors" for the generalization measure.

use super::symmetric_eigen::{symmetric_eigen, symmetric_eigenvalues};
use super::{canonical_sign, Eigen, Operator};
use crate::config::{Config, ConfigError, Solver, Which};
use nalgebra::{DMatrix, DVector};

/// Largest p the dense route accepts (p² numbers: 128 MB at this size).
pub const MAX_DENSE_PARAMS: usize = 4_000;

/// Refuses `solver=dense` beyond [`MAX_DENSE_PARAMS`] up front, before any training, naming the key.
pub fn check_size(config: &Config, p: usize) -> Result<(), ConfigError> {
    if config.solver == Solver::Dense && p > MAX_DENSE_PARAMS {
        return Err(ConfigError::single(
            "solver",
            "dense",
            format!(
                "the dense solver builds the whole p × p Hessian, and p = {p} is more than its limit of {MAX_DENSE_PARAMS}: use solver=lanczos or smaller layers"
            ),
        ));
    }
    Ok(())
}

/// The dense matrix of the operator, symmetrized as (A + Aᵀ)/2 to remove rounding asymmetry.
pub fn matrix(op: &mut dyn Operator) -> DMatrix<f64> {
    let n = op.dim();
    let mut a = DMatrix::zeros(n, n);
    let mut e = vec![0.0; n];
    let mut col = vec![0.0; n];
    for j in 0..n {
        e[j] = 1.0;
        op.apply(&e, &mut col);
        e[j] = 0.0;
        a.column_mut(j).copy_from_slice(&col);
    }
    let at = a.transpose();
    (a + at) * 0.5
}

/// Every eigenpair in `which` order (largest first for the top), with canonical signs and residuals ‖Av − λv‖ measured on the
/// matrix (one product A·V, no further operator calls). `None` when p exceeds [`MAX_DENSE_PARAMS`].
pub fn dense(op: &mut dyn Operator, which: Which) -> Option<Eigen> {
    let n = op.dim();
    if n > MAX_DENSE_PARAMS {
        return None;
    }
    let a = matrix(op);
    let eig = symmetric_eigen(a.clone());
    let order = which_order(&eig.eigenvalues, which);
    let values: Vec<f64> = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let mut v = DMatrix::from_fn(n, n, |r, c| eig.eigenvectors[(r, order[c])]);
    for mut col in v.column_iter_mut() {
        canonical_sign(col.as_mut_slice());
    }
    let av = &a * &v;
    let residuals = (0..n)
        .map(|c| (av.column(c) - v.column(c) * values[c]).norm())
        .collect();
    let vectors = v
        .column_iter()
        .map(|c| c.iter().copied().collect())
        .collect();
    Some(Eigen {
        values,
        vectors,
        residuals,
        converged: true,
        products: n,
    })
}

/// The eigenvalues of [`dense`] alone, in the same order and with the same bits, without the
/// eigenvectors (about a sixth of the time: the self-test's dense check needs only these).
pub fn dense_eigenvalues(op: &mut dyn Operator, which: Which) -> Option<Vec<f64>> {
    if op.dim() > MAX_DENSE_PARAMS {
        return None;
    }
    let values = symmetric_eigenvalues(matrix(op));
    Some(
        which_order(&values, which)
            .iter()
            .map(|&i| values[i])
            .collect(),
    )
}

/// The eigensolver's indices in `which` order, from the top first, so that `which`'s stable sort
/// breaks ties the same way whatever the eigensolver's own order.
fn which_order(values: &DVector<f64>, which: Which) -> Vec<usize> {
    let mut top: Vec<usize> = (0..values.len()).collect();
    top.sort_by(|&x, &y| values[y].total_cmp(&values[x]));
    let top_values: Vec<f64> = top.iter().map(|&i| values[i]).collect();
    which
        .sorted(&top_values)
        .into_iter()
        .map(|i| top[i])
        .collect()
}
