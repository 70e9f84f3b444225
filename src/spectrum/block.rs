//! Block Krylov from a given start block: the spectral decomposition of a set of vectors (the training
//! gradients) in the operator's eigenbasis, without ever forming p-length eigenvectors.
//!
//! The basis grows one block at a time, `W = A·P` for the newest block `P`, orthogonalized against
//! every earlier vector with GEMMs (the local block pair first, then the whole basis, then once more
//! after the block QR), so it stays orthonormal to working precision and no ghost copies of converged
//! eigenvalues appear. Every coefficient of that orthogonalization is kept, so `T = Qᵀ A Q` is the
//! projected matrix itself, not a three-term recurrence. The block QR is SVQB (the Gram matrix's
//! eigenvectors), which drops directions below `deflation · ‖A‖`: a block that shrinks to nothing means
//! the space is invariant and its Ritz pairs are exact eigenpairs.
//!
//! Only what the start vectors need is returned: the Ritz values θ, the components ⟨x_j, y_i⟩ of each
//! start vector on each Ritz vector (`R₁ᵀ s_i` over the first block, since the start block is `Q₁R₁`),
//! and each pair's residual bound `‖B_{m+1} s_i(last block)‖ + dropped`.

use super::Operator;
use crate::model::linalg::{dot, gemm_nn, gemm_tn, transpose};
use nalgebra::{DMatrix, SymmetricEigen};

/// Limits of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockOptions {
    /// Largest basis, in vectors.
    pub max_dim: usize,
    /// Largest number of operator applications.
    pub max_products: usize,
    /// Directions whose remaining norm is below `deflation · ‖A‖` are dropped from a new block.
    pub deflation: f64,
}

/// The start block's decomposition in the Ritz basis of the Krylov space it generates.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockKrylov {
    /// Ritz values, largest first.
    pub values: Vec<f64>,
    /// `components[i * starts + j]` = ⟨x_j, y_i⟩ for Ritz vector y_i and start vector x_j.
    pub components: Vec<f64>,
    /// Number of start vectors.
    pub starts: usize,
    /// Bound on ‖A y_i − θ_i y_i‖ per Ritz pair.
    pub residuals: Vec<f64>,
    /// The Krylov space is invariant (up to the dropped directions): every Ritz pair is an eigenpair.
    pub invariant: bool,
    /// Operator applications.
    pub products: usize,
    /// Largest basis held (vectors) and its memory in numbers (basis and projected matrix).
    pub basis_numbers: usize,
}

impl BlockKrylov {
    /// No space at all (the start block did not fit): no Ritz pairs.
    pub fn empty(starts: usize) -> BlockKrylov {
        BlockKrylov {
            values: vec![],
            components: vec![],
            starts,
            residuals: vec![],
            invariant: false,
            products: 0,
            basis_numbers: 0,
        }
    }
}

/// The growing orthonormal basis (rows of length n) and the coefficients `Qᵀ A Q` found so far.
struct Basis {
    n: usize,
    /// The rows, block by block (`q[b]` holds rows `blocks[b]..blocks[b + 1]`, row-major): a block is
    /// allocated once and never moved, so the basis takes only its own size (one growing buffer peaks
    /// at twice that, which wasm's allocator then keeps).
    q: Vec<Vec<f64>>,
    /// `cols[c]` = coefficients of `A q_c` along `q_0 … q_r` (rows known so far).
    cols: Vec<Vec<f64>>,
    /// Start index of each block (and one past the last).
    blocks: Vec<usize>,
}

impl Basis {
    fn dim(&self) -> usize {
        self.numbers() / self.n
    }

    fn numbers(&self) -> usize {
        self.q.iter().map(Vec::len).sum()
    }

    /// Each block's rows within `from..to`: (first row, their numbers).
    fn rows(&self, from: usize, to: usize) -> impl Iterator<Item = (usize, &[f64])> {
        let n = self.n;
        self.q
            .iter()
            .zip(&self.blocks)
            .filter_map(move |(q, &start)| {
                let end = start + q.len() / n;
                let (a, b) = (from.max(start), to.min(end));
                (a < b).then(|| (a, &q[(a - start) * n..(b - start) * n]))
            })
    }

    /// Removes from the rows of `w` (`rows × n`) their components along basis rows `from..to`, adding
    /// the coefficients into `coef` (`rows × dim`, row-major, column offset `from`).
    fn project_out(&self, from: usize, to: usize, w: &mut [f64], coef: &mut [f64], dim: usize) {
        let (n, rows, k) = (self.n, w.len() / self.n, to - from);
        if k == 0 || rows == 0 {
            return;
        }
        let mut wt = vec![0.0; n * rows];
        transpose(rows, n, w, &mut wt);
        // Each coefficient is one dot product, and the update adds the rows in ascending order from
        // w's value: block by block gives the same bits as one product over the whole range.
        let mut c = vec![0.0; k * rows];
        for (first, q) in self.rows(from, to) {
            let m = q.len() / n;
            let at = (first - from) * rows;
            gemm_nn(m, n, rows, q, &wt, &mut c[at..at + m * rows]);
        }
        for (t, ct) in c.chunks_exact(rows).enumerate() {
            for (r, &v) in ct.iter().enumerate() {
                coef[r * dim + from + t] += v;
            }
        }
        c.iter_mut().for_each(|x| *x = -*x);
        for (first, q) in self.rows(from, to) {
            let m = q.len() / n;
            let at = (first - from) * rows;
            gemm_tn(m, rows, n, &c[at..at + m * rows], q, w);
        }
    }
}

/// SVQB of the rows of `w`: an orthonormal set spanning them, dropping directions of norm ≤ `drop`.
fn svqb(w: &[f64], n: usize, drop: f64) -> Vec<f64> {
    let rows = w.len() / n;
    if rows == 0 {
        return Vec::new();
    }
    let mut wt = vec![0.0; n * rows];
    transpose(rows, n, w, &mut wt);
    let mut gram = vec![0.0; rows * rows];
    gemm_nn(rows, n, rows, w, &wt, &mut gram);
    let g = DMatrix::from_fn(rows, rows, |r, c| {
        0.5 * (gram[r * rows + c] + gram[c * rows + r])
    });
    let eig = SymmetricEigen::new(g);
    let mut order: Vec<usize> = (0..rows).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let keep: Vec<usize> = order
        .into_iter()
        .filter(|&k| eig.eigenvalues[k] > drop * drop)
        .collect();
    // Q = Λ^{-1/2} Uᵀ W, one GEMM.
    let mut coef = vec![0.0; keep.len() * rows];
    for (t, &k) in keep.iter().enumerate() {
        let s = 1.0 / libm::sqrt(eig.eigenvalues[k]);
        for r in 0..rows {
            coef[t * rows + r] = eig.eigenvectors[(r, k)] * s;
        }
    }
    let mut q = vec![0.0; keep.len() * n];
    gemm_nn(keep.len(), rows, n, &coef, w, &mut q);
    q
}

/// Orthonormal rows spanning `w` and orthogonal to the basis: project out (local rows `local..` first,
/// then the whole basis), SVQB, then the new rows once more against the whole basis and SVQB again,
/// which restores orthogonality to working precision after the division by small singular values.
/// `w` is left as its remainder after the first projections, whose coefficients are returned
/// (`rows × dim`) with the new rows.
fn extend(basis: &Basis, local: usize, w: &mut [f64], drop: f64) -> (Vec<f64>, Vec<f64>) {
    let (n, dim) = (basis.n, basis.dim());
    let rows = w.len() / n;
    let mut coef = vec![0.0; rows * dim];
    basis.project_out(local, dim, w, &mut coef, dim);
    basis.project_out(0, dim, w, &mut coef, dim);
    let mut q = svqb(w, n, drop);
    let kept = q.len() / n;
    basis.project_out(0, dim, &mut q, &mut vec![0.0; kept * dim], dim);
    (svqb(&q, n, 0.5), coef)
}

/// `c (a_rows × b_rows) = a · bᵀ` for row-major row sets of length n.
fn inner(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let (ra, rb) = (a.len() / n, b.len() / n);
    let mut bt = vec![0.0; n * rb];
    transpose(rb, n, b, &mut bt);
    let mut c = vec![0.0; ra * rb];
    gemm_nn(ra, n, rb, a, &bt, &mut c);
    c
}

/// Block Krylov from the start vectors `x` (rows of length `op.dim()`), until the space is invariant or
/// a limit is reached.
pub fn block_krylov(op: &mut dyn Operator, x: &[Vec<f64>], opts: &BlockOptions) -> BlockKrylov {
    let n = op.dim();
    let starts = x.len();
    let mut flat: Vec<f64> = x.iter().flatten().copied().collect();
    let scale = x.iter().map(|v| libm::sqrt(dot(v, v))).fold(0.0, f64::max);
    let mut basis = Basis {
        n,
        q: Vec::new(),
        cols: Vec::new(),
        blocks: vec![0],
    };
    basis.q = vec![
        extend(
            &basis,
            0,
            &mut flat,
            opts.deflation * scale.max(f64::MIN_POSITIVE),
        )
        .0,
    ];
    basis.blocks.push(basis.dim());
    let mut products = 0;
    let mut anorm = 0.0f64;
    let mut dropped = 0.0f64;
    let max_dim = opts.max_dim.min(n);
    let mut invariant = basis.dim() == 0;
    while !invariant {
        let (b0, b1) = (basis.blocks[basis.blocks.len() - 2], basis.dim());
        let rows = b1 - b0;
        // The space cannot grow past n, so near it a block may be applied even beyond the limit.
        if b1 + rows.min(n - b1) > max_dim || products + rows > opts.max_products {
            break;
        }
        let mut w = vec![0.0; rows * n];
        let last = basis.q.last().expect("a block");
        for (q, wr) in last.chunks_exact(n).zip(w.chunks_exact_mut(n)) {
            op.apply(q, wr);
        }
        products += rows;
        for r in w.chunks_exact(n) {
            anorm = anorm.max(libm::sqrt(dot(r, r)));
        }
        let local = basis.blocks[basis.blocks.len().saturating_sub(3)];
        let (fresh, old) = extend(&basis, local, &mut w, opts.deflation * anorm);
        // T's columns b0..b1: the coefficients along the old basis, then along the new block.
        let new = inner(&fresh, &w, n);
        let kept = fresh.len() / n;
        for r in 0..rows {
            let mut col = old[r * b1..(r + 1) * b1].to_vec();
            col.extend((0..kept).map(|t| new[t * rows + r]));
            basis.cols.push(col);
        }
        // What the basis misses of A·P is dropped for good: it enters every residual bound.
        let neg: Vec<f64> = new.iter().map(|x| -x).collect();
        gemm_tn(kept, rows, n, &neg, &fresh, &mut w);
        for r in w.chunks_exact(n) {
            dropped = dropped.max(libm::sqrt(dot(r, r)));
        }
        basis.q.push(fresh);
        basis.blocks.push(basis.dim());
        invariant = kept == 0;
    }
    let next: Vec<usize> = (basis.blocks[basis.blocks.len() - 2]..basis.dim()).collect();
    ritz(&basis, x, starts, invariant, products, dropped, &next)
}

/// Rayleigh–Ritz on the blocks whose products are known, with the start vectors' components.
fn ritz(
    basis: &Basis,
    x: &[Vec<f64>],
    starts: usize,
    invariant: bool,
    products: usize,
    dropped: f64,
    next: &[usize],
) -> BlockKrylov {
    let n = basis.n;
    let k = basis.cols.len();
    if k == 0 {
        return BlockKrylov {
            values: vec![],
            components: vec![],
            starts,
            residuals: vec![],
            invariant,
            products,
            basis_numbers: basis.numbers(),
        };
    }
    let t = DMatrix::from_fn(k, k, |r, c| {
        let a = basis.cols[c].get(r).copied().unwrap_or(0.0);
        let b = basis.cols[r].get(c).copied().unwrap_or(0.0);
        0.5 * (a + b)
    });
    let eig = SymmetricEigen::new(t);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    // Components of the start vectors along the first block: R₁ = Q₁ Xᵀ.
    let b1 = basis.blocks.get(1).copied().unwrap_or(0).min(k);
    let mut xt = vec![0.0; n * starts];
    let flat: Vec<f64> = x.iter().flatten().copied().collect();
    transpose(starts, n, &flat, &mut xt);
    let mut r1 = vec![0.0; b1 * starts];
    gemm_nn(b1, n, starts, &basis.q[0][..b1 * n], &xt, &mut r1);
    let mut components = vec![0.0; k * starts];
    let mut residuals = Vec::with_capacity(k);
    let last_cols = basis.blocks[basis.blocks.len().saturating_sub(3)]..k;
    for (i, &e) in order.iter().enumerate() {
        let s = eig.eigenvectors.column(e);
        for t in 0..b1 {
            let st = s[t];
            for (c, &r) in components[i * starts..(i + 1) * starts]
                .iter_mut()
                .zip(&r1[t * starts..(t + 1) * starts])
            {
                *c += st * r;
            }
        }
        // ‖B_{m+1} s(last block)‖: the coefficients of the unapplied block's rows in T's last columns.
        let mut sq = 0.0;
        for &row in next {
            let mut v = 0.0;
            for c in last_cols.clone() {
                v += basis.cols[c][row] * s[c];
            }
            sq += v * v;
        }
        residuals.push(libm::sqrt(sq) + dropped);
    }
    BlockKrylov {
        values: order.iter().map(|&e| eig.eigenvalues[e]).collect(),
        components,
        starts,
        residuals,
        invariant,
        products,
        basis_numbers: basis.numbers() + k * k,
    }
}
