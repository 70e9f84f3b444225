//! Fields over input space: the decision boundary (argmax), the alignment with each eigenvector, and
//! the "reconstructed boundary" Σ λ_i |A_i| — on a grid over the data's bounding box.
//!
//! For d = 2 the grid is the plane itself; for d > 2 it is the plane through the training mean spanned
//! by the first two principal components of the training data; for d = 1 it is a line (height 1).

use super::alignment::alignments;
use crate::config::{AlignValue, GradLabel};
use crate::data::Dataset;
use crate::model::Mlp;
use crate::spectrum::symmetric_eigen::symmetric_eigen;
use nalgebra::DMatrix;
use std::ops::Range;

/// Fraction of the data's extent added on each side of the bounding box.
const MARGIN: f64 = 0.1;

/// A regular grid on an affine plane of input space. Pixel (i, j) (row i from the top, column j) sits
/// at `origin + u·axes[0] + w·axes[1]` with u from `u_range.0` (left) to `.1` (right) and w from
/// `w_range.1` (top) to `.0` (bottom), like an image.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub width: usize,
    pub height: usize,
    pub origin: Vec<f64>,
    /// Orthonormal directions of the plane (the second is zero for d = 1).
    pub axes: [Vec<f64>; 2],
    pub u_range: (f64, f64),
    pub w_range: (f64, f64),
}

impl Grid {
    /// A `resolution`² grid covering the training data (resolution × 1 for d = 1).
    pub fn for_data(train: &Dataset, resolution: usize) -> Grid {
        let d = train.dim;
        let (origin, axes) = match d {
            1 => (vec![0.0], [vec![1.0], vec![0.0]]),
            2 => (vec![0.0, 0.0], [vec![1.0, 0.0], vec![0.0, 1.0]]),
            _ => principal_plane(train),
        };
        let coords: Vec<(f64, f64)> = (0..train.len())
            .map(|i| project(train.row(i), &origin, &axes))
            .collect();
        let range = |f: fn(&(f64, f64)) -> f64| {
            let lo = coords.iter().map(f).fold(f64::INFINITY, f64::min);
            let hi = coords.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
            let pad = MARGIN * (hi - lo).max(1e-9);
            (lo - pad, hi + pad)
        };
        let height = if d == 1 { 1 } else { resolution };
        let w_range = if d == 1 { (0.0, 0.0) } else { range(|c| c.1) };
        Grid {
            width: resolution,
            height,
            origin,
            axes,
            u_range: range(|c| c.0),
            w_range,
        }
    }

    /// Plane coordinates of pixel (row, col).
    pub fn coords(&self, row: usize, col: usize) -> (f64, f64) {
        let frac = |i: usize, n: usize| {
            if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.5
            }
        };
        let u = self.u_range.0 + (self.u_range.1 - self.u_range.0) * frac(col, self.width);
        let w = self.w_range.1 - (self.w_range.1 - self.w_range.0) * frac(row, self.height);
        (u, w)
    }

    /// The input-space point of plane coordinates (u, w).
    pub fn point(&self, u: f64, w: f64) -> Vec<f64> {
        (0..self.origin.len())
            .map(|t| self.origin[t] + u * self.axes[0][t] + w * self.axes[1][t])
            .collect()
    }

    /// All pixels as input-space points, row-major (height·width × d).
    pub fn points(&self) -> Vec<f64> {
        self.row_points(0..self.height)
    }

    /// The pixels of grid rows `rows` as input-space points, row-major.
    pub fn row_points(&self, rows: Range<usize>) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.width * rows.len() * self.origin.len());
        for row in rows {
            for col in 0..self.width {
                let (u, w) = self.coords(row, col);
                out.extend(self.point(u, w));
            }
        }
        out
    }

    /// Plane coordinates of an input-space point (its projection onto the plane).
    pub fn project(&self, x: &[f64]) -> (f64, f64) {
        project(x, &self.origin, &self.axes)
    }
}

fn project(x: &[f64], origin: &[f64], axes: &[Vec<f64>; 2]) -> (f64, f64) {
    let along = |a: &[f64]| {
        x.iter()
            .zip(origin)
            .zip(a)
            .map(|((xi, oi), ai)| (xi - oi) * ai)
            .sum::<f64>()
    };
    (along(&axes[0]), along(&axes[1]))
}

/// Training mean and the top two principal directions (eigenvectors of the covariance), each with its
/// largest-magnitude component positive so the picture does not mirror between runs.
fn principal_plane(train: &Dataset) -> (Vec<f64>, [Vec<f64>; 2]) {
    let (n, d) = (train.len(), train.dim);
    let mut mean = vec![0.0; d];
    for i in 0..n {
        for (m, x) in mean.iter_mut().zip(train.row(i)) {
            *m += x / n as f64;
        }
    }
    let mut cov = DMatrix::<f64>::zeros(d, d);
    for i in 0..n {
        let row = train.row(i);
        for a in 0..d {
            for b in 0..d {
                cov[(a, b)] += (row[a] - mean[a]) * (row[b] - mean[b]) / n as f64;
            }
        }
    }
    let eig = symmetric_eigen(cov);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let axis = |i: usize| {
        let mut v: Vec<f64> = eig.eigenvectors.column(order[i]).iter().copied().collect();
        crate::spectrum::canonical_sign(&mut v);
        v
    };
    (mean, [axis(0), axis(1)])
}

/// Everything drawn over the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Fields {
    pub grid: Grid,
    /// Predicted class per pixel (row-major).
    pub predicted: Vec<u32>,
    /// `alignment[i]` = A_i per pixel, for each of the k eigenvectors.
    pub alignment: Vec<Vec<f64>>,
    /// Σ_{i≤k} λ_i |A_i(x)|, divided by its maximum over the grid (0 where all are 0).
    pub reconstructed: Vec<f64>,
}

/// The fields' numbers on a band of grid rows, before the reconstructed boundary is scaled by its
/// maximum over the whole grid. Every pixel's numbers depend on that pixel alone, so bands computed
/// apart (the page's pool of workers) and concatenated in row order are the bits of one pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Rows {
    /// Predicted class per pixel (row-major).
    pub predicted: Vec<u32>,
    /// A_i per pixel, pixel-major: `alignment[pixel · k + i]`.
    pub alignment: Vec<f64>,
    /// Σ_{i≤k} λ_i |A_i(x)| per pixel, not yet divided by its maximum.
    pub reconstructed: Vec<f64>,
}

/// The fields' numbers on grid rows `rows` for the k eigenpairs (`values`, `vectors`): ⟨g, v_i⟩ by
/// directional derivatives and ‖g‖ from per-layer factors, never materializing g.
pub fn rows(
    mlp: &Mlp,
    params: &[f64],
    grid: &Grid,
    rows: Range<usize>,
    values: &[f64],
    vectors: &[Vec<f64>],
    value: AlignValue,
) -> Rows {
    let points = grid.row_points(rows);
    let (alignment, predicted) = alignments(
        mlp,
        params,
        &points,
        None,
        vectors,
        GradLabel::Predicted,
        value,
    );
    let k = vectors.len();
    let reconstructed = (0..predicted.len())
        .map(|p| (0..k).map(|i| values[i] * alignment[p * k + i].abs()).sum())
        .collect();
    Rows {
        predicted,
        alignment,
        reconstructed,
    }
}

/// The fields for all k eigenvectors in one pass over the grid.
pub fn fields(
    mlp: &Mlp,
    params: &[f64],
    grid: Grid,
    values: &[f64],
    vectors: &[Vec<f64>],
    value: AlignValue,
) -> Fields {
    let all = rows(mlp, params, &grid, 0..grid.height, values, vectors, value);
    scaled(grid, vectors.len(), all)
}

/// The fields of `k` eigenvectors from the [`Rows`] of the whole grid (bands concatenated in row
/// order): the bits of [`fields`]. Refuses rows of another size, saying which.
pub fn assemble(grid: Grid, k: usize, all: Rows) -> Result<Fields, String> {
    let pixels = grid.width * grid.height;
    let sizes = [
        ("predicted classes", all.predicted.len(), pixels),
        ("alignments", all.alignment.len(), pixels * k),
        ("reconstructed values", all.reconstructed.len(), pixels),
    ];
    for (what, got, want) in sizes {
        if got != want {
            return Err(format!(
                "the fields' rows hold {got} {what}, but the {}×{} grid with k = {k} needs {want}",
                grid.width, grid.height
            ));
        }
    }
    Ok(scaled(grid, k, all))
}

/// [`Fields`] from the whole grid's rows: A_i split out per eigenvector, Σλ|A| scaled by its maximum.
fn scaled(grid: Grid, k: usize, all: Rows) -> Fields {
    let pixels = grid.width * grid.height;
    let a = &all.alignment;
    let alignment: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..pixels).map(|p| a[p * k + i]).collect())
        .collect();
    let mut reconstructed = all.reconstructed;
    let max = reconstructed.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if max > 0.0 {
        reconstructed.iter_mut().for_each(|v| *v /= max);
    }
    Fields {
        grid,
        predicted: all.predicted,
        alignment,
        reconstructed,
    }
}
