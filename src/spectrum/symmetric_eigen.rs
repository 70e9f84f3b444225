//! nalgebra's `SymmetricEigen` (0.35) with the same arithmetic in a cache-friendly order: every
//! eigenvalue and eigenvector comes out bit for bit as nalgebra's (so old links keep their numbers, and
//! native and wasm still agree), several times faster on large matrices.
//!
//! nalgebra spends each Householder step of the tridiagonalization on four sweeps of the trailing
//! matrix (a symmetric product, then three rank-1 updates); at p = 4,000 (128 MB) every sweep goes
//! to memory. Here a step is one sweep: each column gets the previous step's three updates and at
//! once adds its share to this step's product. Q is assembled a panel of columns at a time
//! (reflections from the left treat columns independently), and the QR iterations' rotations are
//! recorded and applied a panel of rows at a time (rotations from the right treat rows
//! independently). Every element still sees the same operations in the same order; only the
//! order of independent elements changes, which cannot change a bit.

use nalgebra::linalg::givens::GivensRotation;
use nalgebra::linalg::householder::reflection_axis_mut;
use nalgebra::linalg::wilkinson_shift;
use nalgebra::{ComplexField, DMatrix, DVector, Dyn, Matrix2, SymmetricEigen, Vector2};

/// `SymmetricEigen::new(m)`, bit for bit.
pub fn symmetric_eigen(m: DMatrix<f64>) -> SymmetricEigen<f64, Dyn> {
    let (eigenvalues, eigenvectors) = decompose(m, true, Simd::widest());
    SymmetricEigen {
        eigenvalues,
        eigenvectors: eigenvectors.expect("asked for the vectors"),
    }
}

/// `m.symmetric_eigenvalues()`, bit for bit, which are also `symmetric_eigen`'s eigenvalues
/// (nalgebra's recurrence for them never reads the vectors): the tridiagonalization alone.
pub fn symmetric_eigenvalues(m: DMatrix<f64>) -> DVector<f64> {
    decompose(m, false, Simd::widest()).0
}

/// nalgebra's `SymmetricEigen::do_decompose` with `eps` = f64::EPSILON and no iteration limit.
fn decompose(
    mut m: DMatrix<f64>,
    vectors: bool,
    simd: Simd,
) -> (DVector<f64>, Option<DMatrix<f64>>) {
    assert!(m.is_square() && m.nrows() > 0, "a non-empty square matrix");
    let dim = m.nrows();
    let m_amax = m.camax();
    if m_amax != 0.0 {
        m.unscale_mut(m_amax);
    }
    let signed_off = tridiagonalize(simd, &mut m);
    let mut diag = DVector::from_fn(dim, |i, _| m[(i, i)]);
    let mut off: Vec<f64> = signed_off.iter().map(|x| x.abs()).collect();
    let mut q = vectors.then(|| assemble_q(simd, &m, &signed_off));
    drop(m);
    if dim > 1 {
        let mut rotations = Rotations::default();
        let record = q.is_some().then_some(&mut rotations);
        qr_iterations(&mut diag, &mut off, record, |r| {
            if let Some(q) = q.as_mut() {
                r.apply(simd, q);
            }
        });
    }
    diag.scale_mut(m_amax);
    (diag, q)
}

/// The vector width the sweeps are compiled for. It changes the speed, never the bits: no loop
/// here sums across lanes except into nalgebra's own eight separate sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Simd {
    /// The target's own (SSE2 on x86-64, simd128 in the browser).
    Baseline,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Simd {
    /// The widest this CPU runs (detected at run time on x86-64).
    fn widest() -> Simd {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Simd::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Simd::Avx2;
            }
        }
        Simd::Baseline
    }
}

/// `$name(simd, args)`: `$body(args)` compiled for `simd`, which must be one this CPU runs.
macro_rules! with_simd {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? = $body:ident) => {
        $(#[$doc])*
        fn $name(simd: Simd, $($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                match simd {
                    // SAFETY: a `Simd` names only features `Simd::widest` (or the tests) found.
                    Simd::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: as above.
                    Simd::Avx2 => return unsafe { avx2($($arg),*) },
                    Simd::Baseline => {}
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            let Simd::Baseline = simd;
            $body($($arg),*)
        }
    };
}

/// nalgebra's `dotx` on slices: eight running sums, combined in its order, then the tail.
#[inline(always)]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let mut acc = [0.0f64; 8];
    let whole = n - n % 8;
    for (a, b) in x[..whole].chunks_exact(8).zip(y[..whole].chunks_exact(8)) {
        for l in 0..8 {
            acc[l] += a[l] * b[l];
        }
    }
    finish_dot(&acc, &x[whole..], &y[whole..])
}

/// The end of nalgebra's `dotx`: its eight running sums combined in its order, then the tail's
/// products one by one.
#[inline(always)]
fn finish_dot(acc: &[f64; 8], x: &[f64], y: &[f64]) -> f64 {
    let mut res = 0.0;
    res += acc[0] + acc[4];
    res += acc[1] + acc[5];
    res += acc[2] + acc[6];
    res += acc[3] + acc[7];
    for (a, b) in x.iter().zip(y) {
        res += a * b;
    }
    res
}

/// A Householder step's rank-2 update, waiting to be applied column by column: the step's `p`
/// (2·A·v) and axis `v` over rows `from..`, and 2·(v·p).
struct Update {
    from: usize,
    p: Vec<f64>,
    axis: Vec<f64>,
    two_dot: f64,
}

impl Update {
    /// nalgebra's three `hegerc` calls (−p·vᵀ, −v·pᵀ, +2(v·p)·v·vᵀ, lower triangle) on column `g`'s
    /// rows `g..` (`col`).
    #[inline(always)]
    fn apply(&self, g: usize, col: &mut [f64]) {
        let j = g - self.from;
        let (p, x) = (&self.p[j..], &self.axis[j..]);
        let (s1, s2, s3) = (-x[0], -p[0], self.two_dot * x[0]);
        for ((m, &pr), &xr) in col.iter_mut().zip(p).zip(x) {
            let t1 = s1 * pr + *m;
            let t2 = s2 * xr + t1;
            *m = s3 * xr + t2;
        }
    }
}

with_simd! {
    /// `SymmetricTridiagonal::new` in place: the reflectors' axes below the subdiagonal, the
    /// diagonal on it; returns the signed off-diagonal. One sweep of the trailing lower triangle
    /// per step.
    fn tridiagonalize(m: &mut DMatrix<f64>) -> Vec<f64> = tridiagonalize_in
}

#[inline(always)]
fn tridiagonalize_in(m: &mut DMatrix<f64>) -> Vec<f64> {
    let n = m.nrows();
    let mut off = vec![0.0; n - 1];
    let mut pending: Option<Update> = None;
    for i in 0..n - 1 {
        if let Some(u) = &pending {
            u.apply(i, &mut m.as_mut_slice()[i * n + i..(i + 1) * n]);
        }
        let (norm, not_zero) = reflection_axis_mut(&mut m.column_mut(i).rows_range_mut(i + 1..));
        off[i] = norm;
        let a = m.as_mut_slice();
        if !not_zero {
            if let Some(u) = pending.take() {
                for g in i + 1..n {
                    u.apply(g, &mut a[g * n + g..(g + 1) * n]);
                }
            }
            continue;
        }
        // nalgebra's `hegemv(2, A₂₂, v, 0)` column by column, each column updated just before.
        let from = i + 1;
        let len = n - from;
        let axis = a[i * n + from..(i + 1) * n].to_vec();
        let mut p = vec![0.0; len];
        for j in 0..len {
            let g = from + j;
            let col = &mut a[g * n + g..(g + 1) * n];
            if let Some(u) = &pending {
                u.apply(g, col);
            }
            if j == 0 {
                let c = 2.0 * axis[0];
                for (y, &v) in p.iter_mut().zip(col.iter()) {
                    *y = c * v;
                }
                p[0] += 2.0 * dot(&col[1..], &axis[1..]);
            } else {
                p[j] += 2.0 * dot(col, &axis[j..]);
                let c = 2.0 * axis[j];
                for (y, &v) in p[j + 1..].iter_mut().zip(&col[1..]) {
                    *y += c * v;
                }
            }
        }
        let two_dot = dot(&axis, &p) * 2.0;
        pending = Some(Update {
            from,
            p,
            axis,
            two_dot,
        });
    }
    if let Some(u) = &pending {
        u.apply(n - 1, &mut m.as_mut_slice()[n * n - 1..]);
    }
    off
}

/// Columns of Q assembled together (512 KB at p = 4,000: they stay in cache while every reflector
/// passes; 8 to 64 measured, 16 fastest).
const Q_PANEL: usize = 16;

with_simd! {
    /// nalgebra's `assemble_q`: I reflected by each axis from the last to the first, panel by panel.
    fn assemble_q(tri: &DMatrix<f64>, signs: &[f64]) -> DMatrix<f64> = assemble_q_in
}

#[inline(always)]
fn assemble_q_in(tri: &DMatrix<f64>, signs: &[f64]) -> DMatrix<f64> {
    let n = tri.nrows();
    let mut q = DMatrix::<f64>::identity(n, n);
    let t = tri.as_slice();
    let a = q.as_mut_slice();
    for c0 in (0..n).step_by(Q_PANEL) {
        let c1 = (c0 + Q_PANEL).min(n);
        for i in (0..(n - 1).min(c1)).rev() {
            let axis = &t[i * n + i + 1..(i + 1) * n];
            let sign = ComplexField::signum(signs[i]);
            let m_two = sign * -2.0;
            let first = i.max(c0);
            // Four columns at a time: four independent chains of sums instead of one.
            let mut c = first;
            while c < c1 {
                let k = REFLECT_BLOCK.min(c1 - c);
                reflect(axis, &mut a[c * n..(c + k) * n], n, i + 1, sign, m_two);
                c += k;
            }
        }
    }
    q
}

/// Columns reflected together by one axis.
const REFLECT_BLOCK: usize = 4;

/// nalgebra's `reflect_with_sign` (bias 0) of the columns in `cols` (each `n` long, rows `row0..`):
/// factor = (axis·col − 0)·m_two, then col = factor·axis + sign·col.
#[inline(always)]
fn reflect(axis: &[f64], cols: &mut [f64], n: usize, row0: usize, sign: f64, m_two: f64) {
    let k = cols.len() / n;
    let len = axis.len();
    let whole = len - len % 8;
    let mut acc = [[0.0f64; 8]; REFLECT_BLOCK];
    for r in (0..whole).step_by(8) {
        let x = &axis[r..r + 8];
        for (c, acc) in acc.iter_mut().enumerate().take(k) {
            let y = &cols[c * n + row0 + r..c * n + row0 + r + 8];
            for l in 0..8 {
                acc[l] += x[l] * y[l];
            }
        }
    }
    for (c, acc) in acc.iter().enumerate().take(k) {
        let col = &mut cols[c * n + row0..(c + 1) * n];
        let res = finish_dot(acc, &axis[whole..], &col[whole..]);
        let factor = (res - 0.0) * m_two;
        for (y, &x) in col.iter_mut().zip(axis) {
            *y = factor * x + sign * *y;
        }
    }
}

/// Rotations of columns (i, i+1) of Q recorded by the QR iterations, applied in batches.
#[derive(Default)]
struct Rotations {
    at: Vec<usize>,
    cs: Vec<(f64, f64)>,
}

/// Rotations recorded before they are applied (24 MB): each batch is one pass over Q.
const ROTATION_BATCH: usize = 1 << 20;
/// Rows of Q rotated together (2 MB at p = 4,000): the panel stays in cache through a batch.
const ROTATION_ROWS: usize = 64;

with_simd! {
    /// nalgebra's `rotate_rows` of columns (at, at+1) by (c, s), in recorded order, a few rows at
    /// a time.
    fn rotate(r: &Rotations, q: &mut DMatrix<f64>) = rotate_in
}

#[inline(always)]
fn rotate_in(r: &Rotations, q: &mut DMatrix<f64>) {
    let n = q.nrows();
    let a = q.as_mut_slice();
    for r0 in (0..n).step_by(ROTATION_ROWS) {
        let r1 = (r0 + ROTATION_ROWS).min(n);
        for (&i, &(c, s)) in r.at.iter().zip(&r.cs) {
            let (left, right) = a.split_at_mut((i + 1) * n);
            let x = &mut left[i * n + r0..i * n + r1];
            let y = &mut right[r0..r1];
            for (a, b) in x.iter_mut().zip(y.iter_mut()) {
                let (av, bv) = (*a, *b);
                *a = av * c + s * bv;
                *b = -s * av + bv * c;
            }
        }
    }
}

impl Rotations {
    /// Applies the recorded rotations to `q` and forgets them.
    fn apply(&mut self, simd: Simd, q: &mut DMatrix<f64>) {
        rotate(simd, self, q);
        self.at.clear();
        self.cs.clear();
    }

    fn push(&mut self, at: usize, c: f64, s: f64) {
        self.at.push(at);
        self.cs.push((c, s));
    }
}

/// nalgebra's implicit symmetric QR iterations on (diag, off), recording the rotations (if asked)
/// and handing each full batch, and the rest at the end, to `flush`.
fn qr_iterations(
    diag: &mut DVector<f64>,
    off: &mut [f64],
    mut rotations: Option<&mut Rotations>,
    mut flush: impl FnMut(&mut Rotations),
) {
    let dim = diag.len();
    let eps = f64::EPSILON;
    let (mut start, mut end) = delimit_subproblem(diag, off, dim - 1, eps);
    while end != start {
        let subdim = end - start + 1;
        if subdim > 2 {
            let m = end - 1;
            let n = end;
            let mut vec = Vector2::new(
                diag[start] - wilkinson_shift(diag[m], diag[n], off[m]),
                off[start],
            );
            for i in start..n {
                let j = i + 1;
                let Some((rot, norm)) = GivensRotation::cancel_y(&vec) else {
                    break;
                };
                if i > start {
                    off[i - 1] = norm;
                }
                let (mii, mjj, mij) = (diag[i], diag[j], off[i]);
                let cc = rot.c() * rot.c();
                let ss = rot.s() * rot.s();
                let cs = rot.c() * rot.s();
                let b = cs * 2.0 * mij;
                diag[i] = (cc * mii + ss * mjj) - b;
                diag[j] = (ss * mii + cc * mjj) + b;
                off[i] = cs * (mii - mjj) + mij * (cc - ss);
                if i != n - 1 {
                    vec.x = off[i];
                    vec.y = -rot.s() * off[i + 1];
                    off[i + 1] *= rot.c();
                }
                if let Some(r) = rotations.as_deref_mut() {
                    // nalgebra applies the inverse rotation here.
                    r.push(i, rot.c(), -rot.s());
                }
            }
            if off[m].abs() <= eps * (diag[m].abs() + diag[n].abs()) {
                end -= 1;
            }
        } else if subdim == 2 {
            let m = Matrix2::new(diag[start], off[start], off[start], diag[start + 1]);
            let eigvals = m
                .eigenvalues()
                .expect("a symmetric 2×2 block has real eigenvalues");
            let basis = if (eigvals.x - diag[start + 1]).abs() > (eigvals.x - diag[start]).abs() {
                Vector2::new(eigvals.x - diag[start + 1], off[start])
            } else {
                Vector2::new(off[start], eigvals.x - diag[start])
            };
            diag[start] = eigvals[0];
            diag[start + 1] = eigvals[1];
            if let Some(r) = rotations.as_deref_mut() {
                if let Some((rot, _)) = GivensRotation::try_new(basis.x, basis.y, eps) {
                    r.push(start, rot.c(), rot.s());
                }
            }
            end -= 1;
        }
        if let Some(r) = rotations.as_deref_mut() {
            if r.at.len() >= ROTATION_BATCH {
                flush(r);
            }
        }
        (start, end) = delimit_subproblem(diag, off, end, eps);
    }
    if let Some(r) = rotations {
        flush(r);
    }
}

/// nalgebra's `delimit_subproblem`: the last unreduced block ending at or before `end`.
fn delimit_subproblem(
    diag: &DVector<f64>,
    off: &mut [f64],
    end: usize,
    eps: f64,
) -> (usize, usize) {
    let mut n = end;
    while n > 0 {
        let m = n - 1;
        if off[m].abs() > eps * (diag[n].abs() + diag[m].abs()) {
            break;
        }
        n -= 1;
    }
    if n == 0 {
        return (0, 0);
    }
    let mut new_start = n - 1;
    while new_start > 0 {
        let m = new_start - 1;
        if off[m] == 0.0 || off[m].abs() <= eps * (diag[new_start].abs() + diag[m].abs()) {
            off[m] = 0.0;
            break;
        }
        new_start -= 1;
    }
    (new_start, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every width this CPU runs, so each compiled sweep is checked, not only the one picked here.
    fn widths() -> Vec<Simd> {
        let mut all = vec![Simd::Baseline];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                all.push(Simd::Avx2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                all.push(Simd::Avx512);
            }
        }
        all
    }

    /// Symmetric matrices of every size up to past three panels and a rotation batch's rows, and the
    /// degenerate shapes: zero, identity, diagonal (ties), low rank, already tridiagonal.
    fn matrices() -> Vec<(String, DMatrix<f64>)> {
        let mut rng = crate::rng::Rng::new(3);
        let mut all = Vec::new();
        for n in (1..=40).chain([63, 64, 65, 70, 131]) {
            let a = DMatrix::from_fn(n, n, |_, _| rng.normal());
            all.push((format!("random {n}"), &a + a.transpose()));
        }
        for n in [2, 3, 17, 70] {
            all.push((format!("zero {n}"), DMatrix::zeros(n, n)));
            all.push((format!("identity {n}"), DMatrix::identity(n, n)));
            let d = DMatrix::from_fn(n, n, |i, j| if i == j { (i % 3) as f64 - 1.0 } else { 0.0 });
            all.push((format!("diagonal {n}"), d));
            let u = DMatrix::from_fn(n, 2.min(n), |_, _| rng.normal());
            all.push((format!("rank 2, {n}"), &u * u.transpose() * 1e-3));
            let t = DMatrix::from_fn(n, n, |i, j| match i.abs_diff(j) {
                0 => 2.0,
                1 => -1.0,
                _ => 0.0,
            });
            all.push((format!("tridiagonal {n}"), t));
        }
        all
    }

    fn same_bits<'a>(
        a: impl IntoIterator<Item = &'a f64>,
        b: impl IntoIterator<Item = &'a f64>,
    ) -> bool {
        let (a, b): (Vec<u64>, Vec<u64>) = (
            a.into_iter().map(|x| x.to_bits()).collect(),
            b.into_iter().map(|x| x.to_bits()).collect(),
        );
        a == b
    }

    #[test]
    fn every_width_gives_nalgebras_bits() {
        for simd in widths() {
            for (name, m) in matrices() {
                let want = SymmetricEigen::new(m.clone());
                let (values, vectors) = decompose(m.clone(), true, simd);
                let vectors = vectors.unwrap();
                assert!(
                    same_bits(&values, &want.eigenvalues),
                    "{simd:?}, {name}: eigenvalues"
                );
                assert!(
                    same_bits(&vectors, &want.eigenvectors),
                    "{simd:?}, {name}: eigenvectors"
                );
                let (alone, none) = decompose(m.clone(), false, simd);
                assert!(none.is_none());
                assert!(
                    same_bits(&alone, &m.symmetric_eigenvalues()),
                    "{simd:?}, {name}: eigenvalues alone"
                );
            }
        }
    }

    #[test]
    fn more_rotations_than_one_batch_still_give_nalgebras_bits() {
        // About p² rotations for a random matrix: 1.2 million at p = 1,100, past one batch.
        let mut rng = crate::rng::Rng::new(5);
        let a = DMatrix::from_fn(1100, 1100, |_, _| rng.normal());
        let m = &a + a.transpose();
        let want = SymmetricEigen::new(m.clone());
        let got = symmetric_eigen(m);
        assert!(same_bits(&got.eigenvalues, &want.eigenvalues));
        assert!(same_bits(&got.eigenvectors, &want.eigenvectors));
    }
}
