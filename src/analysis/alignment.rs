//! Alignment A_i(x) = cos(g(x), v_i) between per-sample gradients and Hessian eigenvectors: at the
//! training points (the "alignment matrix") and as fields over a grid in input space.

use crate::config::{AlignValue, GradLabel};
use crate::data::Dataset;
use crate::model::autodiff::{gradient_projections, Target};
use crate::model::linalg::dot;
use crate::model::Mlp;

/// Below this gradient norm the direction of g is noise: A is set to 0 (as the authors' code does).
pub const MIN_GRADIENT_NORM: f64 = 1e-20;

/// Alignments of the rows of `x` with each vector: row-major rows × k, plus the label g used per row.
pub fn alignments(
    mlp: &Mlp,
    params: &[f64],
    x: &[f64],
    labels: Option<&[u32]>,
    vectors: &[Vec<f64>],
    label: GradLabel,
    value: AlignValue,
) -> (Vec<f64>, Vec<u32>) {
    let target = match (label, labels) {
        (GradLabel::True, Some(y)) => Target::Labels(y),
        _ => Target::Predicted,
    };
    let refs: Vec<&[f64]> = vectors.iter().map(|v| v.as_slice()).collect();
    let proj = gradient_projections(mlp, params, x, target, &refs);
    let k = vectors.len();
    let vnorms: Vec<f64> = vectors.iter().map(|v| libm::sqrt(dot(v, v))).collect();
    let mut a = proj.dots;
    for (row, &gnorm) in a.chunks_exact_mut(k.max(1)).zip(&proj.norms) {
        for (aij, &vn) in row.iter_mut().zip(&vnorms) {
            let cos = if gnorm < MIN_GRADIENT_NORM || vn == 0.0 {
                0.0
            } else {
                *aij / (gnorm * vn)
            };
            *aij = match value {
                AlignValue::Cosine => cos,
                AlignValue::Squared => cos * cos.abs(),
            };
        }
    }
    (a, proj.labels)
}

/// The paper's alignment matrix: eigenvector × training point, points grouped by class.
#[derive(Clone, Debug, PartialEq)]
pub struct AlignmentMatrix {
    /// Training-point indices in display order (by true class, then index).
    pub order: Vec<usize>,
    /// `values[i][j]` = A_i at training point `order[j]`.
    pub values: Vec<Vec<f64>>,
}

pub fn alignment_matrix(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    vectors: &[Vec<f64>],
    label: GradLabel,
    value: AlignValue,
) -> AlignmentMatrix {
    let (a, _) = alignments(mlp, params, &train.x, Some(&train.y), vectors, label, value);
    let k = vectors.len();
    let mut order: Vec<usize> = (0..train.len()).collect();
    order.sort_by_key(|&i| train.y[i]);
    let values = (0..k)
        .map(|i| order.iter().map(|&j| a[j * k + i]).collect())
        .collect();
    AlignmentMatrix { order, values }
}
