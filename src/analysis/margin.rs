//! Margin estimation from the top eigenvector, and the true margin to check it against.
//!
//! The paper's estimate: x_t^max / x_t^min are the training points with the largest / smallest signed
//! A_1; x_b is an input optimized so that g(x_b) aligns with v_1 (it lands on the section of the
//! boundary that v_1 encodes); the estimate is min(‖x_t^max − x_b‖, ‖x_t^min − x_b‖).
//! The paper only checked it by eye; here the true distance from those two training points to the
//! learned decision boundary is measured too (marching along many directions, then bisection).

use super::alignment::alignments;
use crate::config::{AlignValue, GradLabel};
use crate::data::Dataset;
use crate::model::autodiff::{predict, InputAlignment};
use crate::model::Mlp;
use crate::rng::Rng;

/// The search for x_b: Adam on −A_1(x)² from a few seeded starts inside the data's spread (mean +
/// std·N(0, I)), each stopping once |A_1| ≥ [`TARGET_ALIGNMENT`] or when it stalls. (The paper: plain
/// SGD, 20,000 steps, from N(0, I).)
pub const STARTS: usize = 6;
pub const MAX_STEPS: usize = 2_000;
pub const TARGET_ALIGNMENT: f64 = 0.999;
/// A run stops when |A_1| has not grown by [`STALL_GAIN`] in [`STALL_STEPS`] steps.
const STALL_STEPS: usize = 200;
const STALL_GAIN: f64 = 1e-6;

#[derive(Clone, Debug, PartialEq)]
pub struct Margin {
    pub x_t_max: Vec<f64>,
    pub x_t_min: Vec<f64>,
    pub x_b: Vec<f64>,
    /// A_1(x_b) (signed).
    pub alignment_x_b: f64,
    /// Gradient steps the search took in all.
    pub steps: usize,
    pub estimate: f64,
    /// min over x_t^max, x_t^min of the distance to the decision boundary (None if none was found
    /// within the search radius, e.g. a model predicting one class everywhere).
    pub true_margin: Option<f64>,
    pub relative_error: Option<f64>,
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    libm::sqrt(a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum())
}

/// Per-feature mean and standard deviation of the training data (where x_b's searches start).
fn spread(train: &Dataset) -> (Vec<f64>, Vec<f64>) {
    let (n, d) = (train.len() as f64, train.dim);
    let mut mean = vec![0.0; d];
    let mut var = vec![0.0; d];
    for i in 0..train.len() {
        for (m, x) in mean.iter_mut().zip(train.row(i)) {
            *m += x / n;
        }
    }
    for i in 0..train.len() {
        for ((v, x), m) in var.iter_mut().zip(train.row(i)).zip(&mean) {
            *v += (x - m) * (x - m) / n;
        }
    }
    (mean, var.into_iter().map(libm::sqrt).collect())
}

/// Maximizes A_1(x)² over inputs x with Adam from [`STARTS`] seeded points in the data's spread; the
/// step size decays linearly to 0 over [`MAX_STEPS`] so each run settles on its maximum instead of
/// circling it. Returns (x_b, A_1(x_b), steps taken in all).
pub fn boundary_point(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    v1: &[f64],
    seed: u64,
) -> (Vec<f64>, f64, usize) {
    let (mean, std) = spread(train);
    let scale = std.iter().fold(0.0f64, |m, s| m.max(*s)).max(1e-3);
    let lr0 = 0.01 * scale;
    let mut rng = Rng::derive(seed, "margin");
    let mut alignment = InputAlignment::new(mlp, params, v1);
    let mut best: (Vec<f64>, f64) = (mean.clone(), 0.0);
    let mut steps = 0;
    for _ in 0..STARTS {
        let mut x: Vec<f64> = mean
            .iter()
            .zip(&std)
            .map(|(m, s)| m + s * rng.normal())
            .collect();
        let (mut m, mut v) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let (b1, b2) = (0.9, 0.999);
        let (mut b1t, mut b2t) = (1.0, 1.0);
        let mut run_best = (0.0f64, 0);
        for t in 0..MAX_STEPS {
            let (a, grad) = alignment.at(&x);
            if a.abs() > best.1.abs() {
                best = (x.clone(), a);
            }
            if a.abs() > run_best.0 + STALL_GAIN {
                run_best = (a.abs(), t);
            }
            // Done: aligned enough, or this run has stopped improving.
            if a.abs() >= TARGET_ALIGNMENT || t - run_best.1 >= STALL_STEPS {
                break;
            }
            steps += 1;
            b1t *= b1;
            b2t *= b2;
            let lr = lr0 * (1.0 - t as f64 / MAX_STEPS as f64);
            // Ascent on A² (gradient 2A·∂A).
            for i in 0..x.len() {
                let g = -2.0 * a * grad[i];
                m[i] = b1 * m[i] + (1.0 - b1) * g;
                v[i] = b2 * v[i] + (1.0 - b2) * g * g;
                x[i] -= lr * (m[i] / (1.0 - b1t)) / (libm::sqrt(v[i] / (1.0 - b2t)) + 1e-12);
            }
        }
        if best.1.abs() >= TARGET_ALIGNMENT {
            break;
        }
    }
    (best.0, best.1, steps)
}

/// Distance from `x` to the nearest input with a different predicted label, searched along many
/// directions (evenly spaced angles in 2-D; seeded random ones plus the directions to the training
/// points predicted differently otherwise) up to `radius`: a march finds the first crossing, then
/// bisection pins it to ~1e-10·radius.
pub fn distance_to_boundary(
    mlp: &Mlp,
    params: &[f64],
    x: &[f64],
    train: &Dataset,
    radius: f64,
    seed: u64,
) -> Option<f64> {
    let d = x.len();
    let own = predict(mlp, params, x)[0];
    let mut directions: Vec<Vec<f64>> = match d {
        1 => vec![vec![1.0], vec![-1.0]],
        2 => (0..720)
            .map(|i| {
                let t = std::f64::consts::TAU * i as f64 / 720.0;
                vec![libm::cos(t), libm::sin(t)]
            })
            .collect(),
        _ => {
            let mut rng = Rng::derive(seed, "margin-directions");
            (0..500)
                .map(|_| crate::spectrum::random_unit(&mut rng, d))
                .collect()
        }
    };
    if d > 2 {
        let others = predict(mlp, params, &train.x);
        for (i, &p) in others.iter().enumerate() {
            if p != own {
                let diff: Vec<f64> = train.row(i).iter().zip(x).map(|(a, b)| a - b).collect();
                let n = libm::sqrt(diff.iter().map(|v| v * v).sum());
                if n > 0.0 {
                    directions.push(diff.into_iter().map(|v| v / n).collect());
                }
            }
        }
    }
    const MARCH: usize = 100;
    let h = radius / MARCH as f64;
    let along =
        |u: &[f64], t: f64| -> Vec<f64> { x.iter().zip(u).map(|(a, b)| a + t * b).collect() };
    // All march points at once: one batched forward pass.
    let mut points = Vec::with_capacity(directions.len() * MARCH * d);
    for u in &directions {
        for s in 1..=MARCH {
            points.extend(along(u, s as f64 * h));
        }
    }
    let labels = predict(mlp, params, &points);
    // The step of each direction's first crossing: (direction, lo, hi).
    let mut brackets: Vec<(usize, f64, f64)> = (0..directions.len())
        .filter_map(|j| {
            let s = (0..MARCH).find(|&s| labels[j * MARCH + s] != own)?;
            Some((j, s as f64 * h, (s + 1) as f64 * h))
        })
        .collect();
    // A direction whose crossing starts beyond another's end cannot be the nearest.
    let bound = brackets.iter().map(|b| b.2).fold(f64::INFINITY, f64::min);
    brackets.retain(|b| b.1 < bound);
    // Bisect all the rest together: one batched forward pass per halving (every bracket has width h,
    // so all need the same number of halvings).
    while brackets.first().is_some_and(|b| b.2 - b.1 > 1e-10 * radius) {
        let mids: Vec<f64> = brackets
            .iter()
            .flat_map(|&(j, lo, hi)| along(&directions[j], 0.5 * (lo + hi)))
            .collect();
        for (b, label) in brackets.iter_mut().zip(predict(mlp, params, &mids)) {
            let mid = 0.5 * (b.1 + b.2);
            if label == own {
                b.1 = mid;
            } else {
                b.2 = mid;
            }
        }
    }
    brackets.iter().map(|b| b.2).reduce(f64::min)
}

/// The margin analysis of the top eigenvector `v1`.
pub fn margin(mlp: &Mlp, params: &[f64], train: &Dataset, v1: &[f64], seed: u64) -> Margin {
    let (a, _) = alignments(
        mlp,
        params,
        &train.x,
        Some(&train.y),
        &[v1.to_vec()],
        GradLabel::Predicted,
        AlignValue::Cosine,
    );
    let imax = (0..a.len())
        .max_by(|&i, &j| a[i].total_cmp(&a[j]))
        .unwrap_or(0);
    let imin = (0..a.len())
        .min_by(|&i, &j| a[i].total_cmp(&a[j]))
        .unwrap_or(0);
    let (x_t_max, x_t_min) = (train.row(imax).to_vec(), train.row(imin).to_vec());
    // Random starts, as the paper: starting at x_t^max or x_t^min often ends next to them and makes
    // the estimate meaninglessly small.
    let (x_b, alignment_x_b, steps) = boundary_point(mlp, params, train, v1, seed);
    let estimate = distance(&x_t_max, &x_b).min(distance(&x_t_min, &x_b));
    // Search radius: the diameter of the data's bounding box.
    let radius = libm::sqrt(
        (0..train.dim)
            .map(|t| {
                let col = (0..train.len()).map(|i| train.row(i)[t]);
                let (lo, hi) = col.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                    (l.min(v), h.max(v))
                });
                (hi - lo) * (hi - lo)
            })
            .sum(),
    );
    let true_margin = [&x_t_max, &x_t_min]
        .iter()
        .filter_map(|x| distance_to_boundary(mlp, params, x, train, radius, seed))
        .reduce(f64::min);
    let relative_error = true_margin
        .filter(|&t| t > 0.0)
        .map(|t| (estimate - t).abs() / t);
    Margin {
        x_t_max,
        x_t_min,
        x_b,
        alignment_x_b,
        steps,
        estimate,
        true_margin,
        relative_error,
    }
}
