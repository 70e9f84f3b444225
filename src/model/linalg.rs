//! The few dense kernels the autodiff needs, on row-major `f64` slices.
//!
//! Every output element is summed in one fixed order (ascending over the shared index) with separate
//! multiply and add (Rust never contracts them to FMA), so results are bit-identical on every platform.
//! The inner loops are axpy over contiguous rows, which compilers vectorize without reordering sums.

/// `c (m×n) += a (m×k) · b (k×n)`.
pub fn gemm_nn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    debug_assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    gemm(m, k, n, (a, k, 1), b, c);
}

/// `c (k×n) += aᵀ · b` with `a` m×k and `b` m×n: sums over the m rows in order.
pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    debug_assert!(a.len() >= m * k && b.len() >= m * n && c.len() >= k * n);
    gemm(k, m, n, (a, 1, k), b, c);
}

/// Rows of `c` per register tile.
const MR: usize = 4;
/// Columns of `c` per register tile.
const NR: usize = 8;

/// `c[r][j] += Σ_t A(r, t) · b[t][j]` with `A(r, t) = a[r·rs + t·ts]` (so one kernel serves `a` and
/// `aᵀ`), `c` rows × cols, `b` depth × cols. An MR×NR tile of `c` stays in registers while t runs, and
/// every element still sums its terms in ascending t onto its initial value: the same bits as a plain
/// triple loop, only faster.
fn gemm(
    rows: usize,
    depth: usize,
    cols: usize,
    (a, rs, ts): (&[f64], usize, usize),
    b: &[f64],
    c: &mut [f64],
) {
    let full_rows = rows - rows % MR;
    let full_cols = cols - cols % NR;
    for r0 in (0..full_rows).step_by(MR) {
        for j0 in (0..full_cols).step_by(NR) {
            let mut acc = [[0.0f64; NR]; MR];
            for (i, row) in acc.iter_mut().enumerate() {
                row.copy_from_slice(&c[(r0 + i) * cols + j0..(r0 + i) * cols + j0 + NR]);
            }
            for t in 0..depth {
                let bt: &[f64; NR] = b[t * cols + j0..t * cols + j0 + NR].try_into().unwrap();
                for (i, row) in acc.iter_mut().enumerate() {
                    let ait = a[(r0 + i) * rs + t * ts];
                    for (x, &y) in row.iter_mut().zip(bt) {
                        *x += ait * y;
                    }
                }
            }
            for (i, row) in acc.iter().enumerate() {
                c[(r0 + i) * cols + j0..(r0 + i) * cols + j0 + NR].copy_from_slice(row);
            }
        }
        // Leftover columns of these rows.
        for i in r0..r0 + MR {
            edge(i, full_cols..cols, depth, cols, (a, rs, ts), b, c);
        }
    }
    for i in full_rows..rows {
        edge(i, 0..cols, depth, cols, (a, rs, ts), b, c);
    }
}

/// One row of `c`, columns `js`, in the same summation order as the tiles.
fn edge(
    i: usize,
    js: std::ops::Range<usize>,
    depth: usize,
    cols: usize,
    (a, rs, ts): (&[f64], usize, usize),
    b: &[f64],
    c: &mut [f64],
) {
    if js.is_empty() {
        return;
    }
    let ci = &mut c[i * cols + js.start..i * cols + js.end];
    for t in 0..depth {
        axpy(
            a[i * rs + t * ts],
            &b[t * cols + js.start..t * cols + js.end],
            ci,
        );
    }
}

/// `dst (cols×rows) = srcᵀ` for `src` rows×cols.
pub fn transpose(rows: usize, cols: usize, src: &[f64], dst: &mut [f64]) {
    for r in 0..rows {
        for c in 0..cols {
            dst[c * rows + r] = src[r * cols + c];
        }
    }
}

/// `y += alpha · x`.
#[inline]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// Sequential dot product (fixed summation order).
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).fold(0.0, |s, (a, b)| s + a * b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_naive_products() {
        for (m, k, n) in [(3, 4, 5), (9, 7, 19), (8, 3, 16)] {
            check(m, k, n);
        }
    }

    fn check(m: usize, k: usize, n: usize) {
        let a: Vec<f64> = (0..m * k).map(|i| i as f64 * 0.5 - 2.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i as f64).sin()).collect();
        let mut c = vec![1.0; m * n];
        gemm_nn(m, k, n, &a, &b, &mut c);
        for i in 0..m {
            for j in 0..n {
                // Same order of summation as the naive loop: equal bits.
                let want = (0..k).fold(1.0, |s, t| s + a[i * k + t] * b[t * n + j]);
                assert_eq!(c[i * n + j], want);
            }
        }
        // aᵀ·b2 with b2 m×n
        let b2: Vec<f64> = (0..m * n).map(|i| (i as f64).cos()).collect();
        let mut c2 = vec![0.0; k * n];
        gemm_tn(m, k, n, &a, &b2, &mut c2);
        for t in 0..k {
            for j in 0..n {
                let want = (0..m).fold(0.0, |s, i| s + a[i * k + t] * b2[i * n + j]);
                assert_eq!(c2[t * n + j], want);
            }
        }
        let mut at = vec![0.0; m * k];
        transpose(m, k, &a, &mut at);
        assert_eq!(at[2 * m + 1], a[k + 2]);
    }
}
