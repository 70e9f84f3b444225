//! The few dense kernels the autodiff needs, on row-major `f64` slices.
//!
//! Every output element is summed in one fixed order (ascending over the shared index) with separate
//! multiply and add (never a fused multiply-add), so results are bit-identical on every platform and
//! with every SIMD width: vector lanes hold different output elements, never parts of one sum.

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

/// Multiply-adds below which a product is not split across threads (about 40 µs of work).
const SPLIT_WORK: usize = 1 << 17;

/// `c[r][j] += Σ_t A(r, t) · b[t][j]` with `A(r, t) = a[r·rs + t·ts]` (so one kernel serves `a` and
/// `aᵀ`), `c` rows × cols, `b` depth × cols. Large products are split across threads into blocks of
/// rows of `c`: each element is still summed by one thread in ascending t, so the bits are those of one
/// thread, whatever the number of blocks.
fn gemm(
    rows: usize,
    depth: usize,
    cols: usize,
    (a, rs, ts): (&[f64], usize, usize),
    b: &[f64],
    c: &mut [f64],
) {
    let pieces = crate::parallel::threads()
        .min(rows * depth * cols / SPLIT_WORK)
        .min(rows / 8);
    if pieces <= 1 {
        return gemm_serial(rows, depth, cols, (a, rs, ts), b, c);
    }
    // Whole 8-row blocks, so every kernel's row tiles stay whole.
    let block = rows.div_ceil(pieces).next_multiple_of(8);
    crate::parallel::for_each_chunk(&mut c[..rows * cols], block * cols, |i, part| {
        let r0 = i * block;
        gemm_serial(
            part.len() / cols,
            depth,
            cols,
            (&a[r0 * rs..], rs, ts),
            b,
            part,
        );
    });
}

/// [`gemm`] on this thread, on the widest SIMD the machine has (picked at run time on x86-64, at
/// compile time in wasm). Explicit vector code, because the compiler kept the plain tiled loop's
/// accumulators in memory: 4–7× faster here, natively and in wasm. Any block of rows is a product of
/// its own with the same bits.
fn gemm_serial(
    rows: usize,
    depth: usize,
    cols: usize,
    a: (&[f64], usize, usize),
    b: &[f64],
    c: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    {
        // Narrow products (e.g. the 3-class output layer) waste less of a 4-wide tile than of a 16-wide one.
        if cols >= 16 && std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the feature was just detected.
            return unsafe { simd::gemm_avx512(rows, depth, cols, a, b, c) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { simd::gemm_avx2(rows, depth, cols, a, b, c) };
        }
        tiled::<simd::Sse2, 3, 2>(rows, depth, cols, a, b, c)
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        tiled::<simd::Simd128, 4, 2>(rows, depth, cols, a, b, c)
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    {
        tiled::<f64, 4, 4>(rows, depth, cols, a, b, c)
    }
}

/// A SIMD register of `W` f64 lanes. `add_mul` is a multiply then an add, each rounded (never a fused
/// multiply-add), so every lane computes exactly what the scalar `acc + a * b` would.
trait Lane: Copy {
    const W: usize;
    /// # Safety
    /// `p` must be valid for reading `W` f64s.
    unsafe fn load(p: *const f64) -> Self;
    /// # Safety
    /// `p` must be valid for writing `W` f64s.
    unsafe fn store(self, p: *mut f64);
    fn splat(x: f64) -> Self;
    fn add(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    /// `self + a·b`, rounded twice.
    #[inline(always)]
    fn add_mul(self, a: Self, b: Self) -> Self {
        self.add(a.mul(b))
    }
}

/// The scalar fallback for targets without a SIMD kernel.
impl Lane for f64 {
    const W: usize = 1;
    unsafe fn load(p: *const f64) -> Self {
        unsafe { *p }
    }
    unsafe fn store(self, p: *mut f64) {
        unsafe { *p = self }
    }
    fn splat(x: f64) -> Self {
        x
    }
    fn add(self, b: Self) -> Self {
        self + b
    }
    fn mul(self, b: Self) -> Self {
        self * b
    }
}

/// Largest tile (MR × NV·W) of any kernel, for the stack buffers of partial tiles.
const MAX_TILE: usize = 128;

std::thread_local! {
    /// The packed B panel and the padded A rows of [`tiled`], reused across calls: the autodiff makes
    /// thousands of small products per HVP, and allocating these each time cost more than packing.
    static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The tiled product with register tiles of MR rows × NV vectors. Every element of `c` starts from its
/// own value and adds its terms in ascending t, exactly as a plain triple loop: the tile shape, the
/// vector width and the loop order change the speed, never the bits.
///
/// Column panels are the outer loop: each panel of b (depth × NV·W) is packed once, contiguous and
/// zero-padded to a whole tile, and stays in L1 while every row tile runs over it (b's rows are not
/// cache-line aligned, and the row-outer order streamed all of b from L2 for each row tile). Rows left
/// over at the bottom run the same kernel on a zero-padded copy of their A rows.
#[inline(always)]
fn tiled<V: Lane, const MR: usize, const NV: usize>(
    rows: usize,
    depth: usize,
    cols: usize,
    (a, rs, ts): (&[f64], usize, usize),
    b: &[f64],
    c: &mut [f64],
) {
    let nr = NV * V::W;
    debug_assert!(MR * nr <= MAX_TILE);
    if rows == 0 || cols == 0 || depth == 0 {
        return; // nothing to add
    }
    // Every read and write below stays inside these bounds (the unsafe block relies on them).
    assert!(a.len() > (rows - 1) * rs + (depth - 1) * ts);
    assert!(b.len() >= depth * cols && c.len() >= rows * cols);
    let full_rows = rows - rows % MR;
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        // 8 spare f64s to start the panel on a 64-byte boundary.
        let (panel_len, edge_len) = (depth * nr, if full_rows < rows { MR * depth } else { 0 });
        if scratch.len() < panel_len + edge_len + 8 {
            scratch.resize(panel_len + edge_len + 8, 0.0);
        }
        let skip = scratch.as_ptr().align_offset(64).min(8);
        let (panel, a_edge) = scratch[skip..].split_at_mut(panel_len);
        // The last rows of A, zero-padded to a whole tile, stored row-major (depth per row).
        let a_edge = &mut a_edge[..edge_len];
        if edge_len > 0 {
            a_edge.fill(0.0);
            for i in 0..rows - full_rows {
                for t in 0..depth {
                    a_edge[i * depth + t] = a[(full_rows + i) * rs + t * ts];
                }
            }
        }
        for j0 in (0..cols).step_by(nr) {
            let w = nr.min(cols - j0);
            // One row tile reads b once: packing only pays for the zero padding of an edge panel.
            let packed = w < nr || rows > MR;
            if packed {
                for (t, row) in panel.chunks_exact_mut(nr).enumerate() {
                    row[..w].copy_from_slice(&b[t * cols + j0..][..w]);
                    row[w..].fill(0.0);
                }
            }
            for r0 in (0..rows).step_by(MR) {
                let mr = MR.min(rows - r0);
                let (ap, ars, ats) = if mr == MR {
                    (a[r0 * rs..].as_ptr(), rs, ts)
                } else {
                    (a_edge.as_ptr(), depth, 1)
                };
                let bp = if packed {
                    (panel.as_ptr(), nr)
                } else {
                    (b[j0..].as_ptr(), cols)
                };
                // SAFETY: full tiles read MR rows of A (rows r0.. of `a`, or the padded copy), the
                // depth × nr panel, and write MR×nr of c (checked by the asserts above); partial tiles
                // write a stack buffer of MAX_TILE ≥ MR·nr.
                unsafe {
                    if mr == MR && w == nr {
                        tile::<V, MR, NV>(
                            depth,
                            (ap, ars, ats),
                            bp,
                            c[r0 * cols + j0..].as_mut_ptr(),
                            cols,
                        );
                    } else {
                        let mut buf = [0.0; MAX_TILE];
                        for i in 0..mr {
                            buf[i * nr..i * nr + w]
                                .copy_from_slice(&c[(r0 + i) * cols + j0..][..w]);
                        }
                        tile::<V, MR, NV>(depth, (ap, ars, ats), bp, buf.as_mut_ptr(), nr);
                        for i in 0..mr {
                            c[(r0 + i) * cols + j0..][..w]
                                .copy_from_slice(&buf[i * nr..i * nr + w]);
                        }
                    }
                }
            }
        }
    });
}

/// One MR × NV·W tile of c (row stride `cs`) += A-rows (MR × depth, strides rs/ts) · b (depth × NV·W,
/// row stride `bs`), the tile held in registers while t runs.
///
/// # Safety
/// The pointers must be valid for those reads and writes.
#[inline(always)]
unsafe fn tile<V: Lane, const MR: usize, const NV: usize>(
    depth: usize,
    (a, rs, ts): (*const f64, usize, usize),
    (b, bs): (*const f64, usize),
    c: *mut f64,
    cs: usize,
) {
    unsafe {
        let mut acc = [[V::splat(0.0); NV]; MR];
        for (i, row) in acc.iter_mut().enumerate() {
            for (v, x) in row.iter_mut().enumerate() {
                *x = V::load(c.add(i * cs + v * V::W));
            }
        }
        for t in 0..depth {
            let mut bt = [V::splat(0.0); NV];
            for (v, x) in bt.iter_mut().enumerate() {
                *x = V::load(b.add(t * bs + v * V::W));
            }
            for (i, row) in acc.iter_mut().enumerate() {
                let ait = V::splat(*a.add(i * rs + t * ts));
                for (x, &y) in row.iter_mut().zip(&bt) {
                    *x = x.add_mul(ait, y);
                }
            }
        }
        for (i, row) in acc.iter().enumerate() {
            for (v, x) in row.iter().enumerate() {
                x.store(c.add(i * cs + v * V::W));
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{tiled, Lane};
    use std::arch::x86_64::*;

    macro_rules! lane {
        ($name:ident, $reg:ty, $w:expr, $load:ident, $store:ident, $set1:ident, $add:ident, $mul:ident) => {
            #[derive(Clone, Copy)]
            pub struct $name($reg);
            impl Lane for $name {
                const W: usize = $w;
                #[inline(always)]
                unsafe fn load(p: *const f64) -> Self {
                    unsafe { $name($load(p)) }
                }
                #[inline(always)]
                unsafe fn store(self, p: *mut f64) {
                    unsafe { $store(p, self.0) }
                }
                #[inline(always)]
                fn splat(x: f64) -> Self {
                    // SAFETY: only called inside functions compiled with the feature.
                    unsafe { $name($set1(x)) }
                }
                #[inline(always)]
                fn add(self, b: Self) -> Self {
                    // SAFETY: as above.
                    unsafe { $name($add(self.0, b.0)) }
                }
                #[inline(always)]
                fn mul(self, b: Self) -> Self {
                    // SAFETY: as above.
                    unsafe { $name($mul(self.0, b.0)) }
                }
            }
        };
    }
    lane!(
        Sse2,
        __m128d,
        2,
        _mm_loadu_pd,
        _mm_storeu_pd,
        _mm_set1_pd,
        _mm_add_pd,
        _mm_mul_pd
    );
    lane!(
        Avx2,
        __m256d,
        4,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_set1_pd,
        _mm256_add_pd,
        _mm256_mul_pd
    );
    lane!(
        Avx512,
        __m512d,
        8,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_set1_pd,
        _mm512_add_pd,
        _mm512_mul_pd
    );

    macro_rules! kernel {
        ($name:ident, $feature:literal, $lane:ty, $mr:literal, $nv:literal) => {
            /// # Safety
            #[doc = concat!("The CPU must support ", $feature, ".")]
            #[target_feature(enable = $feature)]
            pub unsafe fn $name(
                rows: usize,
                depth: usize,
                cols: usize,
                a: (&[f64], usize, usize),
                b: &[f64],
                c: &mut [f64],
            ) {
                tiled::<$lane, $mr, $nv>(rows, depth, cols, a, b, c)
            }
        };
    }
    // Tiles measured fastest on this machine: 4×16 with AVX-512, 8×4 with AVX2.
    kernel!(gemm_avx512, "avx512f", Avx512, 4, 2);
    kernel!(gemm_avx2, "avx2", Avx2, 8, 1);

    impl super::Fused for Avx512 {
        #[inline(always)]
        fn fused(self, a: Self, b: Self) -> Self {
            // SAFETY: only called inside functions compiled with avx512f.
            unsafe { Avx512(_mm512_fmadd_pd(self.0, a.0, b.0)) }
        }
    }
    impl super::Fused for Avx2 {
        #[inline(always)]
        fn fused(self, a: Self, b: Self) -> Self {
            // SAFETY: only called inside functions compiled with fma.
            unsafe { Avx2(_mm256_fmadd_pd(self.0, a.0, b.0)) }
        }
    }

    macro_rules! probe {
        ($name:ident, $feature:literal, $chains:ident, $lane:ty, $ch:literal) => {
            /// # Safety
            #[doc = concat!("The CPU must support ", $feature, ".")]
            #[target_feature(enable = $feature)]
            pub unsafe fn $name(iters: usize) -> (f64, f64) {
                super::$chains::<$lane, $ch>(iters)
            }
        };
    }
    // 32 zmm registers hold 24 chains, 16 ymm or xmm registers 12.
    probe!(mul_add_avx512, "avx512f", mul_add_chains, Avx512, 12);
    probe!(fused_avx512, "avx512f", fused_chains, Avx512, 12);
    probe!(mul_add_avx2, "avx2", mul_add_chains, Avx2, 6);
    probe!(fused_avx2, "avx2,fma", fused_chains, Avx2, 6);
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::Lane;
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct Simd128(v128);
    impl Lane for Simd128 {
        const W: usize = 2;
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            unsafe { Simd128(v128_load(p as *const v128)) }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) {
            unsafe { v128_store(p as *mut v128, self.0) }
        }
        #[inline(always)]
        fn splat(x: f64) -> Self {
            Simd128(f64x2_splat(x))
        }
        #[inline(always)]
        fn add(self, b: Self) -> Self {
            Simd128(f64x2_add(self.0, b.0))
        }
        #[inline(always)]
        fn mul(self, b: Self) -> Self {
            Simd128(f64x2_mul(self.0, b.0))
        }
    }
}

/// `self·a + b` rounded once (a fused multiply-add): only for the arithmetic probe, never in a product.
trait Fused: Lane {
    fn fused(self, a: Self, b: Self) -> Self;
}

/// The widest SIMD the products use here, for the bench's roofline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Simd {
    pub name: &'static str,
    /// f64 lanes per register.
    pub lanes: usize,
    /// Whether the machine has fused multiply-add at that width (wasm never has).
    pub fma: bool,
}

pub fn simd() -> Simd {
    #[cfg(target_arch = "x86_64")]
    {
        let fma = std::arch::is_x86_feature_detected!("fma");
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Simd {
                name: "AVX-512",
                lanes: 8,
                fma: true,
            };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Simd {
                name: "AVX2",
                lanes: 4,
                fma,
            };
        }
        Simd {
            name: "SSE2",
            lanes: 2,
            fma: false,
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        Simd {
            name: "wasm simd128",
            lanes: 2,
            fma: false,
        }
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    {
        Simd {
            name: "scalar",
            lanes: 1,
            fma: false,
        }
    }
}

/// The machine's peak arithmetic at [`simd`]'s width: `iters` rounds of independent multiply chains and
/// add chains side by side (`fused` false: the products' own instruction mix), or of fused
/// multiply-add chains. Enough chains to cover every pipe's latency, so the rate is the throughput.
/// Returns the f64 operations done (a fused multiply-add counts as two) and a checksum that keeps the
/// work from being optimized away; `None` for `fused` without FMA.
pub fn arithmetic_probe(iters: usize, fused: bool) -> Option<(f64, f64)> {
    #[cfg(target_arch = "x86_64")]
    {
        let s = simd();
        if fused && !s.fma {
            return None;
        }
        // SAFETY: each kernel runs only where `simd` detected its features.
        return Some(unsafe {
            match (s.lanes, fused) {
                (8, false) => simd::mul_add_avx512(iters),
                (8, true) => simd::fused_avx512(iters),
                (4, false) => simd::mul_add_avx2(iters),
                (4, true) => simd::fused_avx2(iters),
                _ => mul_add_chains::<simd::Sse2, 6>(iters),
            }
        });
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        return (!fused).then(|| mul_add_chains::<simd::Simd128, 6>(iters));
    }
    #[allow(unreachable_code)]
    (!fused).then(|| mul_add_chains::<f64, 6>(iters))
}

/// CH multiply chains and CH add chains, interleaved.
#[inline(always)]
fn mul_add_chains<V: Lane, const CH: usize>(iters: usize) -> (f64, f64) {
    let (flops, sum) = chains::<V, CH>(iters, |x, m, _| x.mul(m), |y, _, a| y.add(a));
    (flops * (2 * CH * V::W) as f64, sum)
}

/// 2·CH fused multiply-add chains.
#[inline(always)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn fused_chains<V: Fused, const CH: usize>(iters: usize) -> (f64, f64) {
    let fma = |x: V, m: V, a: V| x.fused(m, a);
    let (flops, sum) = chains::<V, CH>(iters, fma, fma);
    (flops * (4 * CH * V::W) as f64, sum)
}

/// `iters` steps of 2·CH independent chains, CH of them `x = f(x, m, a)` and CH `y = g(y, m, a)`, with m = 1
/// and a tiny `a` the compiler cannot see; returns `(iters, a lane of the sum)` so nothing is optimized away.
#[inline(always)]
fn chains<V: Lane, const CH: usize>(
    iters: usize,
    f: impl Fn(V, V, V) -> V,
    g: impl Fn(V, V, V) -> V,
) -> (f64, f64) {
    let (m, a) = (
        V::splat(std::hint::black_box(1.0)),
        V::splat(std::hint::black_box(1e-300)),
    );
    let mut x = [V::splat(1.0); CH];
    let mut y = [V::splat(2.0); CH];
    for _ in 0..iters {
        for (x, y) in x.iter_mut().zip(&mut y) {
            *x = f(*x, m, a);
            *y = g(*y, m, a);
        }
    }
    let sum = x
        .iter()
        .zip(&y)
        .fold(V::splat(0.0), |s, (x, y)| s.add(x.add(*y)));
    (iters as f64, first_lane(sum))
}

fn first_lane<V: Lane>(v: V) -> f64 {
    let mut out = [0.0; 8];
    // SAFETY: no register is wider than 8 f64s.
    unsafe { v.store(out.as_mut_ptr()) };
    out[0]
}

/// `dst (cols×rows) = srcᵀ` for `src` rows×cols, in 8×8 blocks so both sides stay in cache.
pub fn transpose(rows: usize, cols: usize, src: &[f64], dst: &mut [f64]) {
    const B: usize = 8;
    assert!(src.len() >= rows * cols && dst.len() >= rows * cols);
    for r0 in (0..rows).step_by(B) {
        for c0 in (0..cols).step_by(B) {
            for r in r0..(r0 + B).min(rows) {
                for c in c0..(c0 + B).min(cols) {
                    dst[c * rows + r] = src[r * cols + c];
                }
            }
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

    type Kernel = fn(usize, usize, usize, (&[f64], usize, usize), &[f64], &mut [f64]);

    /// Every kernel this machine can run, so each is checked, not only the one `gemm` picks here.
    fn kernels() -> Vec<(&'static str, Kernel)> {
        let mut all: Vec<(&'static str, Kernel)> = vec![("scalar", tiled::<f64, 4, 4>)];
        #[cfg(target_arch = "x86_64")]
        {
            all.push(("sse2", tiled::<simd::Sse2, 3, 2>));
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: detected.
                all.push(("avx2", |r, d, c, a, b, out| unsafe {
                    simd::gemm_avx2(r, d, c, a, b, out)
                }));
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: detected.
                all.push(("avx512", |r, d, c, a, b, out| unsafe {
                    simd::gemm_avx512(r, d, c, a, b, out)
                }));
            }
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        all.push(("simd128", tiled::<simd::Simd128, 4, 2>));
        all
    }

    /// Whole and partial tiles of every kernel, `a` plain and transposed, bit for bit against the
    /// naive loop.
    #[test]
    fn every_kernel_equals_the_naive_loop_bit_for_bit() {
        for (name, kernel) in kernels() {
            for rows in [1, 2, 3, 4, 5, 8, 9, 17] {
                for cols in [1, 2, 3, 4, 7, 8, 15, 16, 17, 33] {
                    for depth in [0, 1, 2, 3, 64] {
                        for transposed in [false, true] {
                            let a: Vec<f64> =
                                (0..rows * depth).map(|i| (i as f64 * 0.37).sin()).collect();
                            let b: Vec<f64> =
                                (0..depth * cols).map(|i| (i as f64 * 0.71).cos()).collect();
                            let (rs, ts) = if transposed { (1, rows) } else { (depth, 1) };
                            let mut c: Vec<f64> =
                                (0..rows * cols).map(|i| i as f64 * 0.1).collect();
                            let mut want = c.clone();
                            for r in 0..rows {
                                for j in 0..cols {
                                    want[r * cols + j] = (0..depth)
                                        .fold(want[r * cols + j], |s, t| {
                                            s + a[r * rs + t * ts] * b[t * cols + j]
                                        });
                                }
                            }
                            kernel(rows, depth, cols, (&a, rs, ts), &b, &mut c);
                            assert!(
                                c == want,
                                "{name}: {rows}×{depth}×{cols}, transposed {transposed}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// The probe counts what it ran: whole registers of chains per round, and FMA only where detected.
    #[test]
    fn arithmetic_probe_counts_its_operations() {
        let lanes = simd().lanes as f64;
        let (ops, checksum) =
            arithmetic_probe(10, false).expect("every machine multiplies and adds");
        assert!(ops > 0.0 && ops % (2.0 * lanes * 10.0) == 0.0, "{ops}");
        assert!(checksum.is_finite());
        assert_eq!(arithmetic_probe(10, true).is_some(), simd().fma);
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
