//! The generated datasets: Gaussian blobs (the paper's gaussian, hierarchical and checkerboard
//! sets), scikit-learn's circles and moons, TensorFlow Playground's xor and spirals, and the paper's
//! fixed 1-D toy.
//!
//! | dataset | classes | default n | default noise | what `noise` is |
//! |---|---|---|---|---|
//! | gaussian | 3 | 300 | 1 | a multiplier on the blobs' stds |
//! | hierarchical | 4 | 300 | 1 | the same |
//! | checker, checker-noisy | 2 (4 blobs) | 400 | 1 | the same |
//! | circles | 2 | 200 | 0.1 | the std of Gaussian noise added to each coordinate |
//! | moons | 2 | 200 | 0.1 | the same |
//! | xor | 2 | 400 | 0 | the playground's label noise: a point keeps its place but takes the label of a point jittered by up to ±5·noise per coordinate |
//! | spirals | 2 | 400 | 0 | the amplitude of uniform jitter (±noise) added to each coordinate |
//! | line1d | 2 | 6 | – | ignored, like `n`: the six points are fixed |
//!
//! `n` points are spread over the blobs (or classes) as evenly as possible, the remainder going to
//! the first ones, except that circles and moons split like scikit-learn (n // 2 outer, the rest
//! inner). Points come out grouped by blob or class; the split shuffles them.
//!
//! hierarchical defaults to 300 points (75 a class): with the default `train=0.5` that is the 150
//! training points of the paper's table, as for gaussian (3 × 100) and checker (4 × 100 → 200).
//!
//! All draws come from `Rng::derive(seed, "data")` and every `sin`/`cos` from `libm`, so a seed gives
//! the same bits on every platform.

use std::f64::consts::PI;

use super::Dataset;
use crate::config::DatasetName;
use crate::rng::Rng;

/// One axis-aligned Gaussian blob.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Blob {
    pub mean: [f64; 2],
    /// Per-axis standard deviation at `noise=1`.
    pub std: [f64; 2],
    pub class: u32,
}

const fn blob(mean: [f64; 2], std: [f64; 2], class: u32) -> Blob {
    Blob { mean, std, class }
}

/// The paper's 3-class Gaussian mixture.
pub const GAUSSIAN: [Blob; 3] = [
    blob([2.0, -1.0], [0.5, 0.5], 0),
    blob([-2.0, 0.0], [0.5, 1.0], 1),
    blob([0.0, 2.0], [0.5, 0.5], 2),
];

/// The paper's 4-class "hierarchical" mixture: two pairs of classes, close in y, far in x.
pub const HIERARCHICAL: [Blob; 4] = [
    blob([2.0, -1.0], [0.5, 0.55], 0),
    blob([2.0, 1.0], [0.5, 0.55], 1),
    blob([-2.0, 1.0], [0.5, 0.55], 2),
    blob([-2.0, -1.0], [0.5, 0.55], 3),
];

/// The paper's checkerboard "linear close": a linear boundary (x = 0) exists, margin 0.8.
pub const CHECKER: [Blob; 4] = checker(0.8);

/// The paper's checkerboard "noisy close": the same with the columns at x = ±0.5.
pub const CHECKER_NOISY: [Blob; 4] = checker(0.5);

const fn checker(x: f64) -> [Blob; 4] {
    let std = [0.3, 0.1];
    [
        blob([x, -3.0], std, 0),
        blob([x, 1.0], std, 0),
        blob([-x, -1.0], std, 1),
        blob([-x, 3.0], std, 1),
    ]
}

/// make_circles' inner radius (`factor`).
const CIRCLES_FACTOR: f64 = 0.5;
/// The playground's gap that keeps xor points off the axes.
const XOR_PADDING: f64 = 0.3;
/// The paper's 1-D toy.
pub const LINE1D_X: [f64; 6] = [0.5, 1.0, 1.1, 1.3, 1.4, 1.45];
pub const LINE1D_Y: [u32; 6] = [0, 1, 1, 1, 0, 0];

/// How a synthetic dataset is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Recipe {
    Blobs {
        blobs: &'static [Blob],
        default_n: usize,
    },
    /// scikit-learn's make_circles (factor 0.5): class 0 on the unit circle, class 1 inside.
    Circles,
    /// scikit-learn's make_moons: class 0 the upper moon, class 1 the lower one.
    Moons,
    /// TensorFlow Playground's xor: class 1 where x·y ≥ 0 (the playground's positive label).
    Xor,
    /// TensorFlow Playground's spirals: class 1 starts at angle 0 (the playground's positive
    /// spiral), class 0 at π.
    Spirals,
    Line1d,
}

impl Recipe {
    /// The recipe of a synthetic dataset; `None` for the file datasets (iris, digits, csv).
    pub fn of(name: DatasetName) -> Option<Recipe> {
        let blobs = |blobs: &'static [Blob], default_n| Recipe::Blobs { blobs, default_n };
        Some(match name {
            DatasetName::Gaussian => blobs(&GAUSSIAN, 300),
            DatasetName::Hierarchical => blobs(&HIERARCHICAL, 300),
            DatasetName::Checker => blobs(&CHECKER, 400),
            DatasetName::CheckerNoisy => blobs(&CHECKER_NOISY, 400),
            DatasetName::Circles => Recipe::Circles,
            DatasetName::Moons => Recipe::Moons,
            DatasetName::Xor => Recipe::Xor,
            DatasetName::Spirals => Recipe::Spirals,
            DatasetName::Line1d => Recipe::Line1d,
            DatasetName::Iris | DatasetName::Digits | DatasetName::Csv => return None,
        })
    }

    pub fn default_n(self) -> usize {
        match self {
            Recipe::Blobs { default_n, .. } => default_n,
            Recipe::Circles | Recipe::Moons => 200,
            Recipe::Xor | Recipe::Spirals => 400,
            Recipe::Line1d => LINE1D_X.len(),
        }
    }

    /// `None` where `noise` is ignored.
    pub fn default_noise(self) -> Option<f64> {
        match self {
            Recipe::Blobs { .. } => Some(1.0),
            Recipe::Circles | Recipe::Moons => Some(0.1),
            Recipe::Xor | Recipe::Spirals => Some(0.0),
            Recipe::Line1d => None,
        }
    }

    /// The smallest `n` that gives every blob (and so every class) a point; 0 where `n` is ignored.
    pub fn min_n(self) -> usize {
        match self {
            Recipe::Blobs { blobs, .. } => blobs.len(),
            Recipe::Circles | Recipe::Moons | Recipe::Xor | Recipe::Spirals => 2,
            Recipe::Line1d => 0,
        }
    }

    /// Draws the dataset: `n` points (`None` = the default) at noise level `noise` (`None` = the
    /// default). The caller checks `n` against [`Recipe::min_n`] and the point limit.
    pub fn generate(self, n: Option<usize>, noise: Option<f64>, seed: u64) -> Dataset {
        let n = n.unwrap_or(self.default_n());
        let noise = noise.or(self.default_noise()).unwrap_or(0.0);
        let (dim, classes) = match self {
            Recipe::Blobs { blobs, .. } => (
                2,
                blobs
                    .iter()
                    .map(|b| b.class as usize + 1)
                    .max()
                    .unwrap_or(0),
            ),
            Recipe::Line1d => (1, 2),
            _ => (2, 2),
        };
        let mut rng = Rng::derive(seed, "data");
        let mut data = Dataset {
            dim,
            classes,
            x: Vec::with_capacity(dim * n),
            y: Vec::with_capacity(n),
        };
        let mut push = |point: &[f64], class: u32| {
            data.x.extend_from_slice(point);
            data.y.push(class);
        };
        match self {
            Recipe::Blobs { blobs, .. } => {
                for (blob, count) in blobs.iter().zip(shares(n, blobs.len())) {
                    for _ in 0..count {
                        let x = blob.mean[0] + noise * blob.std[0] * rng.normal();
                        let y = blob.mean[1] + noise * blob.std[1] * rng.normal();
                        push(&[x, y], blob.class);
                    }
                }
            }
            Recipe::Circles => {
                for (class, count, radius) in [(0, n / 2, 1.0), (1, n - n / 2, CIRCLES_FACTOR)] {
                    for i in 0..count {
                        // linspace(0, 2π, count, endpoint=False)
                        let t = 2.0 * PI * i as f64 / count as f64;
                        let x = radius * libm::cos(t) + noise * rng.normal();
                        let y = radius * libm::sin(t) + noise * rng.normal();
                        push(&[x, y], class);
                    }
                }
            }
            Recipe::Moons => {
                for (class, count) in [(0, n / 2), (1, n - n / 2)] {
                    for i in 0..count {
                        // linspace(0, π, count), which is [0] for a single point.
                        let t = if count > 1 {
                            PI * i as f64 / (count - 1) as f64
                        } else {
                            0.0
                        };
                        let (x, y) = match class {
                            0 => (libm::cos(t), libm::sin(t)),
                            _ => (1.0 - libm::cos(t), 1.0 - libm::sin(t) - 0.5),
                        };
                        push(&[x + noise * rng.normal(), y + noise * rng.normal()], class);
                    }
                }
            }
            Recipe::Xor => {
                let padded = |v: f64| {
                    if v > 0.0 {
                        v + XOR_PADDING
                    } else {
                        v - XOR_PADDING
                    }
                };
                for (class, count) in (0..).zip(shares(n, 2)) {
                    for _ in 0..count {
                        let x = padded(rng.uniform_in(-5.0, 5.0));
                        let mut y = padded(rng.uniform_in(-5.0, 5.0));
                        // Mirror into the class's quadrants, so the classes are balanced at noise 0.
                        if (x * y > 0.0) != (class == 1) {
                            y = -y;
                        }
                        let seen_x = x + rng.uniform_in(-5.0, 5.0) * noise;
                        let seen_y = y + rng.uniform_in(-5.0, 5.0) * noise;
                        push(&[x, y], u32::from(seen_x * seen_y >= 0.0));
                    }
                }
            }
            Recipe::Spirals => {
                for (class, count) in (0..).zip(shares(n, 2)) {
                    let dt = if class == 1 { 0.0 } else { PI };
                    for i in 0..count {
                        let s = i as f64 / count as f64;
                        let (r, t) = (5.0 * s, 1.75 * s * 2.0 * PI + dt);
                        let x = r * libm::sin(t) + rng.uniform_in(-1.0, 1.0) * noise;
                        let y = r * libm::cos(t) + rng.uniform_in(-1.0, 1.0) * noise;
                        push(&[x, y], class);
                    }
                }
            }
            Recipe::Line1d => {
                for (&x, &class) in LINE1D_X.iter().zip(&LINE1D_Y) {
                    push(&[x], class);
                }
            }
        }
        data
    }
}

/// `n` split into `parts` shares as even as possible, the first `n % parts` one larger.
fn shares(n: usize, parts: usize) -> impl Iterator<Item = usize> {
    (0..parts).map(move |i| n / parts + usize::from(i < n % parts))
}
