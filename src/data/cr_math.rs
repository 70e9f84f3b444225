//! Correctly rounded `log`, `sin` and `cos` for the ports in [`super::numpy_rng`] and
//! [`super::authors`].
//!
//! numpy calls the C library's functions (glibc's on Linux), which are correctly rounded on all
//! but a small fraction of inputs (its `log` on about 0.08 % of the polar method's r², its
//! `sin`/`cos` on 1 of make_circles'/make_moons' 400 angles); `libm`'s are faithful but differ
//! from them in the last bit far more often (`log` on about 7 % of r², `sin`/`cos` on about 3 % of
//! angles). So these evaluate in double-double arithmetic (IEEE operations and `libm::fma`, which
//! is exact: the same bits natively and in wasm), to about 2⁻¹⁰⁰ relative, and round once: the
//! correctly rounded result unless the exact value lies within that distance of a midpoint
//! between two doubles.
//!
//! Domains: `log` for finite x > 0; `sin`/`cos` for |t| ≤ 8 (the generators' angles are in
//! [0, 2π]).

/// An unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2.
#[derive(Clone, Copy)]
struct Dd(f64, f64);

/// a + b exactly (Knuth).
fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd(s, (a - (s - bb)) + (b - bb))
}

fn quick_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd(s, b - (s - a))
}

/// a · b exactly.
fn two_prod(a: f64, b: f64) -> Dd {
    let p = a * b;
    Dd(p, libm::fma(a, b, -p))
}

impl Dd {
    fn from(a: f64) -> Dd {
        Dd(a, 0.0)
    }

    fn add(self, o: Dd) -> Dd {
        let s = two_sum(self.0, o.0);
        let t = two_sum(self.1, o.1);
        let s = quick_two_sum(s.0, s.1 + t.0);
        quick_two_sum(s.0, s.1 + t.1)
    }

    fn neg(self) -> Dd {
        Dd(-self.0, -self.1)
    }

    fn mul(self, o: Dd) -> Dd {
        let p = two_prod(self.0, o.0);
        quick_two_sum(p.0, p.1 + (self.0 * o.1 + self.1 * o.0))
    }

    fn div(self, o: Dd) -> Dd {
        let q1 = self.0 / o.0;
        let r = self.add(o.mul(Dd::from(q1)).neg());
        let q2 = r.0 / o.0;
        let r = r.add(o.mul(Dd::from(q2)).neg());
        let q3 = r.0 / o.0;
        let q = quick_two_sum(q1, q2);
        q.add(Dd::from(q3))
    }

    /// The double nearest hi + lo.
    fn round(self) -> f64 {
        self.0 + self.1
    }
}

/// ln 2 and π/2 as sums of doubles (the leading terms of their binary expansions).
const LN2: Dd = Dd(std::f64::consts::LN_2, 2.3190468138462996e-17);
const FRAC_PI_2: [f64; 3] = [
    std::f64::consts::FRAC_PI_2,
    6.123233995736766e-17,
    -1.4973849048591698e-33,
];

/// Σ coeff(k) · x^k for k in 0..terms, by Horner's rule.
fn series(x: Dd, terms: u32, coeff: impl Fn(u32) -> Dd) -> Dd {
    (0..terms)
        .rev()
        .fold(Dd::from(0.0), |acc, k| acc.mul(x).add(coeff(k)))
}

fn inverse(n: f64) -> Dd {
    Dd::from(1.0).div(Dd::from(n))
}

/// ln x for finite x > 0.
pub fn log(x: f64) -> f64 {
    debug_assert!(x > 0.0 && x.is_finite());
    // x = 2^k · z with z in [√½, √2).
    let (mut z, mut k) = (x, 0i32);
    if z < f64::MIN_POSITIVE {
        z *= 18_014_398_509_481_984.0; // 2^54: subnormals become normal
        k -= 54;
    }
    let bits = z.to_bits();
    k += ((bits >> 52) & 0x7ff) as i32 - 1023;
    z = f64::from_bits((bits & !(0x7ff << 52)) | (1023 << 52));
    if z > std::f64::consts::SQRT_2 {
        z *= 0.5;
        k += 1;
    }
    // ln z = 2 atanh(s), s = (z − 1)/(z + 1), |s| < 0.172: 2 Σ s^(2j+1)/(2j+1).
    let s = Dd::from(z - 1.0).div(two_sum(z, 1.0));
    let s2 = s.mul(s);
    let atanh = s.mul(series(s2, 22, |j| inverse((2 * j + 1) as f64)));
    let kln2 = two_prod(k as f64, LN2.0).add(two_prod(k as f64, LN2.1));
    kln2.add(atanh.add(atanh)).round()
}

/// sin r and cos r for |r| ≤ π/4 + a little, as double-doubles.
fn sin_cos_reduced(r: Dd) -> (Dd, Dd) {
    let r2 = r.mul(r);
    // 1/(2j+1)! and 1/(2j)! with alternating signs.
    let sign = |j: u32| if j.is_multiple_of(2) { 1.0 } else { -1.0 };
    let factorial = |n: u32| (1..=n).fold(Dd::from(1.0), |f, i| f.mul(Dd::from(i as f64)));
    let sin = r.mul(series(r2, 14, |j| {
        Dd::from(sign(j)).div(factorial(2 * j + 1))
    }));
    let cos = series(r2, 14, |j| Dd::from(sign(j)).div(factorial(2 * j)));
    (sin, cos)
}

/// (sin t, cos t) for |t| ≤ 8: t = n·π/2 + r, then the quadrant n mod 4.
fn sin_cos(t: f64) -> (f64, f64) {
    debug_assert!(t.abs() <= 8.0);
    let n = libm::round(t / FRAC_PI_2[0]);
    // Each n·cᵢ exactly; the sums lose only bits below 2⁻¹⁰⁰ of their (cancelled, small) size.
    let r = FRAC_PI_2
        .iter()
        .fold(Dd::from(t), |r, &c| r.add(two_prod(-n, c)));
    let (s, c) = sin_cos_reduced(r);
    let (s, c) = match (n as i64).rem_euclid(4) {
        0 => (s, c),
        1 => (c, s.neg()),
        2 => (s.neg(), c.neg()),
        _ => (c.neg(), s),
    };
    (s.round(), c.round())
}

pub fn sin(t: f64) -> f64 {
    sin_cos(t).0
}

pub fn cos(t: f64) -> f64 {
    sin_cos(t).1
}
