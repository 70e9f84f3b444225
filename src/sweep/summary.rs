//! Order statistics of a metric over repeated runs: median, quartiles and range.
//!
//! Quantiles interpolate linearly between order statistics (Hyndman and Fan's type 7, the default
//! of numpy's `quantile` and R's `quantile`): for sorted x₀ ≤ … ≤ x_{n−1} and h = (n − 1)·p,
//! q(p) = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋₊₁ − x_⌊h⌋). Only finite values count: a failed run or a metric
//! a run does not have (NaN, ±∞) is left out, and `n` says how many were used.

/// A metric over repeated runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// How many finite values it is over; with none, every statistic is NaN.
    pub n: usize,
    pub median: f64,
    /// First and third quartiles (type 7, as numpy); the interquartile range is `q3 - q1`.
    pub q1: f64,
    pub q3: f64,
    pub min: f64,
    pub max: f64,
}

/// The summary of the finite entries of `values`.
pub fn summarize(values: &[f64]) -> Summary {
    let mut x: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    x.sort_by(f64::total_cmp);
    let (Some(&min), Some(&max)) = (x.first(), x.last()) else {
        return Summary {
            n: 0,
            median: f64::NAN,
            q1: f64::NAN,
            q3: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
        };
    };
    Summary {
        n: x.len(),
        median: quantile(&x, 0.5),
        q1: quantile(&x, 0.25),
        q3: quantile(&x, 0.75),
        min,
        max,
    }
}

/// The type-7 quantile `p` ∈ [0, 1] of sorted, finite, non-empty `sorted`.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    assert!(!sorted.is_empty(), "the quantile of no values");
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_values_by_hand() {
        // h = 3·0.25 = 0.75 → 1 + 0.75·(2 − 1); median h = 1.5 → 2 + 0.5·(4 − 2); h = 2.25 → 4 + 0.25·4.
        let s = summarize(&[4.0, 1.0, 8.0, 2.0]);
        assert_eq!(
            s,
            Summary {
                n: 4,
                median: 3.0,
                q1: 1.75,
                q3: 5.0,
                min: 1.0,
                max: 8.0
            }
        );
    }

    #[test]
    fn only_finite_values_count() {
        let s = summarize(&[f64::NAN, 3.0, f64::INFINITY, 1.0, f64::NEG_INFINITY, 2.0]);
        assert_eq!(
            (s.n, s.median, s.q1, s.q3, s.min, s.max),
            (3, 2.0, 1.5, 2.5, 1.0, 3.0)
        );
        let none = summarize(&[f64::NAN]);
        assert_eq!(none.n, 0);
        assert!(none.median.is_nan() && none.min.is_nan());
    }
}
