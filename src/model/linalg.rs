//! The few dense kernels the autodiff needs, on row-major `f64` slices.
//!
//! Every output element is summed in one fixed order (ascending over the shared index) with separate
//! multiply and add (Rust never contracts them to FMA), so results are bit-identical on every platform.
//! The inner loops are axpy over contiguous rows, which compilers vectorize without reordering sums.

/// `c (m×n) += a (m×k) · b (k×n)`.
pub fn gemm_nn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    debug_assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    for i in 0..m {
        let ci = &mut c[i * n..(i + 1) * n];
        let ai = &a[i * k..(i + 1) * k];
        for (kk, &aik) in ai.iter().enumerate() {
            axpy(aik, &b[kk * n..(kk + 1) * n], ci);
        }
    }
}

/// `c (k×n) += aᵀ · b` with `a` m×k and `b` m×n: sums over the m rows in order.
pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    debug_assert!(a.len() >= m * k && b.len() >= m * n && c.len() >= k * n);
    for i in 0..m {
        let bi = &b[i * n..(i + 1) * n];
        for (kk, &aik) in a[i * k..(i + 1) * k].iter().enumerate() {
            axpy(aik, bi, &mut c[kk * n..(kk + 1) * n]);
        }
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
        let (m, k, n) = (3, 4, 5);
        let a: Vec<f64> = (0..m * k).map(|i| i as f64 * 0.5 - 2.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i as f64).sin()).collect();
        let mut c = vec![1.0; m * n];
        gemm_nn(m, k, n, &a, &b, &mut c);
        for i in 0..m {
            for j in 0..n {
                let want = 1.0 + (0..k).map(|t| a[i * k + t] * b[t * n + j]).sum::<f64>();
                assert!((c[i * n + j] - want).abs() < 1e-12);
            }
        }
        // aᵀ·b2 with b2 m×n
        let b2: Vec<f64> = (0..m * n).map(|i| (i as f64).cos()).collect();
        let mut c2 = vec![0.0; k * n];
        gemm_tn(m, k, n, &a, &b2, &mut c2);
        for t in 0..k {
            for j in 0..n {
                let want: f64 = (0..m).map(|i| a[i * k + t] * b2[i * n + j]).sum();
                assert!((c2[t * n + j] - want).abs() < 1e-12);
            }
        }
        let mut at = vec![0.0; m * k];
        transpose(m, k, &a, &mut at);
        assert_eq!(at[2 * m + 1], a[k + 2]);
    }
}
