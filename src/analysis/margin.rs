//! Margin estimation from the top eigenvector, and the true margin to check it against.
//!
//! The paper's estimate: x_t^max / x_t^min are the training points with the largest / smallest signed
//! A_1; x_b is an input optimized so that g(x_b) aligns with v_1 (it lands on the section of the
//! boundary that v_1 encodes); the estimate is min(‖x_t^max − x_b‖, ‖x_t^min − x_b‖).
//! The paper only checked it by eye; here the true distance from those two training points to the
//! learned decision boundary is measured too (marching along many directions, then bisection).

use super::alignment::alignments;
use crate::config::{AlignValue, GradLabel, MarginMethod};
use crate::data::Dataset;
use crate::model::argmax;
use crate::model::autodiff::{
    logit_gap_gradient, predict, AlignmentGradient, InputAlignment, Tape, CHUNK,
};
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

/// The authors' x_b procedure (`margin=paper`): plain SGD on the input from N(0, I), PyTorch-style
/// weight decay added to the gradient, the learning rate ×0.1 at step [`PAPER_DECAY_AT`].
pub const PAPER_STEPS: usize = 20_000;
pub const PAPER_LR: f64 = 0.01;
pub const PAPER_WEIGHT_DECAY: f64 = 1e-3;
pub const PAPER_DECAY_AT: usize = 5_000;

/// `boundary-slide`: Adam steps of its (cheaper) x_b search, and the most slide iterations.
pub const SLIDE_SEARCH_STEPS: usize = 150;
/// `boundary-slide`'s x_b search: at most this many starts, done at |A_1| ≥ [`SLIDE_ALIGNMENT`].
pub const SLIDE_STARTS: usize = 3;
pub const SLIDE_ALIGNMENT: f64 = 0.99;
pub const SLIDE_MAX_STEPS: usize = 100;
/// March points of one ray's crossing search, up to the current best distance.
const SLIDE_MARCH: usize = 32;

#[derive(Clone, Debug, PartialEq)]
pub struct Margin {
    /// The `margin` key: how x_b and the estimate were found.
    pub method: MarginMethod,
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
    /// Distance from x_b to the learned decision boundary along its normal there: the nearer first
    /// predicted-class flip on the two rays x_b ± s·n (n = ∇_x of x_b's logit gap), an upper bound
    /// of x_b's distance to the boundary, tight where the boundary is locally flat; a check that x_b
    /// is on the boundary, not part of any estimate. None without a flip within the data's diameter.
    pub x_b_boundary_distance: Option<f64>,
    /// `boundary-slide` only: the boundary point the slide ended on (the estimate is its distance to
    /// `x_t_slide`), that training point, and the slide's accepted steps.
    pub boundary_point: Option<Vec<f64>>,
    pub x_t_slide: Option<Vec<f64>>,
    pub slide_steps: usize,
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

/// One Adam search for x_b: ascent on A_1(x)² from `starts` seeded points in the data's spread
/// (mean + std·N(0, I)), the step size decaying linearly to 0 over `steps` so each run settles on its
/// maximum instead of circling it; a run ends at |A_1| ≥ `target` or after `stall` steps without a
/// gain of [`STALL_GAIN`]. `at` gives A_1 and its input gradient.
struct AdamSearch {
    purpose: &'static str,
    starts: usize,
    steps: usize,
    target: f64,
    stall: usize,
    /// The step size at t = 0 is this many times 1 % of the data's largest std.
    boost: f64,
}

impl AdamSearch {
    /// Returns (x_b, A_1(x_b), steps taken in all).
    fn run(
        &self,
        train: &Dataset,
        seed: u64,
        mut at: impl FnMut(&[f64]) -> (f64, Vec<f64>),
    ) -> (Vec<f64>, f64, usize) {
        let (mean, std) = spread(train);
        let scale = std.iter().fold(0.0f64, |m, s| m.max(*s)).max(1e-3);
        let lr0 = self.boost * (0.01 * scale);
        let mut rng = Rng::derive(seed, self.purpose);
        let mut best: (Vec<f64>, f64) = (mean.clone(), 0.0);
        let mut steps = 0;
        for _ in 0..self.starts {
            let mut x: Vec<f64> = mean
                .iter()
                .zip(&std)
                .map(|(m, s)| m + s * rng.normal())
                .collect();
            let (mut m, mut v) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            let (b1, b2) = (0.9, 0.999);
            let (mut b1t, mut b2t) = (1.0, 1.0);
            let mut run_best = (0.0f64, 0);
            for t in 0..self.steps {
                let (a, grad) = at(&x);
                if a.abs() > best.1.abs() {
                    best = (x.clone(), a);
                }
                if a.abs() > run_best.0 + STALL_GAIN {
                    run_best = (a.abs(), t);
                }
                // Done: aligned enough, or this run has stopped improving.
                if a.abs() >= self.target || t - run_best.1 >= self.stall {
                    break;
                }
                steps += 1;
                b1t *= b1;
                b2t *= b2;
                let lr = lr0 * (1.0 - t as f64 / self.steps as f64);
                // Ascent on A² (gradient 2A·∂A).
                for i in 0..x.len() {
                    let g = -2.0 * a * grad[i];
                    m[i] = b1 * m[i] + (1.0 - b1) * g;
                    v[i] = b2 * v[i] + (1.0 - b2) * g * g;
                    x[i] -= lr * (m[i] / (1.0 - b1t)) / (libm::sqrt(v[i] / (1.0 - b2t)) + 1e-12);
                }
            }
            if best.1.abs() >= self.target {
                break;
            }
        }
        (best.0, best.1, steps)
    }
}

/// `search`'s x_b: [`STARTS`] starts of at most [`MAX_STEPS`] Adam steps on A_1(x)², done at
/// |A_1| ≥ [`TARGET_ALIGNMENT`]. Returns (x_b, A_1(x_b), steps taken in all).
pub fn boundary_point(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    v1: &[f64],
    seed: u64,
) -> (Vec<f64>, f64, usize) {
    let mut alignment = InputAlignment::new(mlp, params, v1);
    AdamSearch {
        purpose: "margin",
        starts: STARTS,
        steps: MAX_STEPS,
        target: TARGET_ALIGNMENT,
        stall: STALL_STEPS,
        boost: 1.0,
    }
    .run(train, seed, |x| alignment.at(x))
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
    const MARCH_BLOCK: usize = 1;
    let h = radius / MARCH as f64;
    let along =
        |u: &[f64], t: f64| -> Vec<f64> { x.iter().zip(u).map(|(a, b)| a + t * b).collect() };
    // The march step by step (blocks of `MARCH_BLOCK` steps), each block one batched forward pass over the
    // directions not crossed yet, stopping after the first block in which any direction crosses: a
    // later crossing starts at or beyond that one's end, so the pruning below would drop it anyway
    // (the same brackets, in the same order, as marching all 100 steps).
    let mut first: Vec<Option<usize>> = vec![None; directions.len()];
    for block in (0..MARCH).step_by(MARCH_BLOCK) {
        let steps = block..(block + MARCH_BLOCK).min(MARCH);
        let open: Vec<usize> = (0..directions.len())
            .filter(|&j| first[j].is_none())
            .collect();
        let mut points = Vec::with_capacity(open.len() * steps.len() * d);
        for &j in &open {
            for s in steps.clone() {
                points.extend(along(&directions[j], (s + 1) as f64 * h));
            }
        }
        let labels = predict(mlp, params, &points);
        for (i, &j) in open.iter().enumerate() {
            first[j] = steps
                .clone()
                .find(|&s| labels[i * steps.len() + s - block] != own);
        }
        if first.iter().any(Option::is_some) {
            break;
        }
    }
    // The step of each direction's first crossing: (direction, lo, hi).
    let mut brackets: Vec<(usize, f64, f64)> = (0..directions.len())
        .filter_map(|j| {
            let s = first[j]?;
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

/// The authors' search for x_b (`margin=paper`): x from N(0, I) (seeded `"margin-paper"`), then
/// [`PAPER_STEPS`] steps of `x ← x − lr·(∇_x (A_1(x)² − 1)² + wd·x)` with lr [`PAPER_LR`] (×0.1 from
/// step [`PAPER_DECAY_AT`] on) and wd [`PAPER_WEIGHT_DECAY`]; the gradient is exact
/// ([`AlignmentGradient`]). Returns the iterates' final x, A_1 there, and the steps computed: the
/// map is deterministic, so once an iterate repeats exactly (a fixed point, or a 2-cycle within one
/// learning-rate phase) the rest of the schedule is known and skipped — the same final x as running
/// all 20,000 steps (a fixed point under lr stays one under the smaller lr: the step only shrinks).
pub fn paper_boundary_point(
    mlp: &Mlp,
    params: &[f64],
    v1: &[f64],
    seed: u64,
) -> (Vec<f64>, f64, usize) {
    let d = mlp.input_dim();
    let mut rng = Rng::derive(seed, "margin-paper");
    let x: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
    let mut ag = AlignmentGradient::new(mlp, params, v1);
    let (x, computed) = paper_iterate(&x, PAPER_STEPS, |x| ag.at(x));
    let a = ag.at(&x).0;
    (x, a, computed)
}

/// The learning rate of the paper's schedule at step t.
pub fn paper_lr(t: usize) -> f64 {
    if t < PAPER_DECAY_AT {
        PAPER_LR
    } else {
        PAPER_LR * 0.1
    }
}

/// One step of the paper's SGD at x with A_1(x) = a and ∂A_1/∂x = grad, at step t.
pub fn paper_step(x: &[f64], a: f64, grad: &[f64], t: usize) -> Vec<f64> {
    let lr = paper_lr(t);
    // ∂(A² − 1)²/∂x = 4A(A² − 1)·∂A/∂x; weight decay as PyTorch's SGD: g + wd·x.
    let c = 4.0 * a * (a * a - 1.0);
    x.iter()
        .zip(grad)
        .map(|(&xi, &gi)| xi - lr * (c * gi + PAPER_WEIGHT_DECAY * xi))
        .collect()
}

/// `steps` paper steps from `x0` with the alignment and its gradient from `at`; returns the final x
/// and how many steps were computed (fewer when the iterates repeat, see [`paper_boundary_point`]).
pub fn paper_iterate(
    x0: &[f64],
    steps: usize,
    mut at: impl FnMut(&[f64]) -> (f64, Vec<f64>),
) -> (Vec<f64>, usize) {
    let mut x = x0.to_vec();
    // The iterate before x, while both came from steps of the same lr.
    let mut previous: Option<Vec<f64>> = None;
    let (mut t, mut computed) = (0, 0);
    while t < steps {
        if t == PAPER_DECAY_AT {
            previous = None;
        }
        let (a, grad) = at(&x);
        computed += 1;
        let next = paper_step(&x, a, &grad, t);
        t += 1;
        if next == x {
            // Fixed under this lr, hence under the smaller one too: the end of the schedule.
            return (x, computed);
        }
        if previous.as_ref() == Some(&next) {
            // A 2-cycle x ↔ next under this lr: it lasts to the end of the lr's phase.
            let end = if t - 1 < PAPER_DECAY_AT {
                PAPER_DECAY_AT.min(steps)
            } else {
                steps
            };
            x = if (end - t) % 2 == 0 { next } else { x };
            previous = None;
            t = end;
            continue;
        }
        previous = Some(std::mem::replace(&mut x, next));
    }
    (x, computed)
}

/// Predicted labels with θ's weights transposed once, for the many small batches of a slide.
struct Labeller<'a> {
    mlp: &'a Mlp,
    params: &'a [f64],
    tape: Tape,
}

impl<'a> Labeller<'a> {
    fn new(mlp: &'a Mlp, params: &'a [f64]) -> Self {
        let mut tape = Tape::new();
        tape.load(mlp, params);
        Labeller { mlp, params, tape }
    }

    /// The same labels as [`predict`] (rows are independent in every kernel).
    fn labels(&mut self, x: &[f64]) -> Vec<u32> {
        let c = self.mlp.classes();
        let mut out = Vec::with_capacity(x.len() / self.mlp.input_dim());
        for rows in x.chunks(CHUNK * self.mlp.input_dim()) {
            self.tape.run(self.mlp, self.params, rows);
            out.extend(self.tape.logits().chunks_exact(c).map(|z| argmax(z) as u32));
        }
        out
    }
}

/// The first predicted-class flip along the ray `from + s·u` (unit u), s in (0, reach]: a march of
/// `march` points, then bisection to ~1e-10·reach. None without a flip.
fn first_flip(
    labeller: &mut Labeller,
    from: &[f64],
    own: u32,
    u: &[f64],
    reach: f64,
    march: usize,
) -> Option<f64> {
    let along = |t: f64| -> Vec<f64> { from.iter().zip(u).map(|(a, b)| a + t * b).collect() };
    let h = reach / march as f64;
    let points: Vec<f64> = (1..=march).flat_map(|s| along(s as f64 * h)).collect();
    let labels = labeller.labels(&points);
    let s = labels.iter().position(|&l| l != own)?;
    let (mut lo, mut hi) = (s as f64 * h, (s + 1) as f64 * h);
    while hi - lo > 1e-10 * reach {
        let mid = 0.5 * (lo + hi);
        if labeller.labels(&along(mid))[0] == own {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(hi)
}

fn unit(v: &[f64]) -> Option<Vec<f64>> {
    let n = libm::sqrt(v.iter().map(|a| a * a).sum());
    (n > 0.0).then(|| v.iter().map(|a| a / n).collect())
}

/// The slide of `boundary-slide` from training point `x_t` (predicted `own`): the first flip on the
/// ray from x_t through x_b is a point p of the boundary section v_1's x_b lies on; then, repeatedly,
/// p moves along the boundary's tangent plane towards x_t's foot (the tangential part of x_t − p,
/// the normal being ∇_x of the logit gap at p) and is put back on the boundary as the first flip on
/// the ray from x_t through the moved point; a move is kept only if it brings p nearer (else it is
/// halved, up to 10 times). Returns (‖x_t − p‖, p, accepted moves), or None if the ray through x_b
/// has no flip within `radius`.
pub fn slide(
    mlp: &Mlp,
    params: &[f64],
    x_t: &[f64],
    x_b: &[f64],
    radius: f64,
) -> Option<(f64, Vec<f64>, usize)> {
    let mut labeller = Labeller::new(mlp, params);
    let own = labeller.labels(x_t)[0];
    let u0 = unit(&x_b.iter().zip(x_t).map(|(b, t)| b - t).collect::<Vec<_>>())?;
    let mut best = first_flip(&mut labeller, x_t, own, &u0, radius, 100)?;
    let mut u = u0;
    let mut accepted = 0;
    let point =
        |u: &[f64], s: f64| -> Vec<f64> { x_t.iter().zip(u).map(|(a, b)| a + s * b).collect() };
    for _ in 0..SLIDE_MAX_STEPS {
        let p = point(&u, best);
        let (_, normal) = logit_gap_gradient(mlp, params, &p, own as usize);
        let Some(n) = unit(&normal) else { break };
        let r: Vec<f64> = x_t.iter().zip(&p).map(|(a, b)| a - b).collect();
        let rn: f64 = r.iter().zip(&n).map(|(a, b)| a * b).sum();
        let tangent: Vec<f64> = r.iter().zip(&n).map(|(a, b)| a - rn * b).collect();
        if libm::sqrt(tangent.iter().map(|a| a * a).sum()) <= 1e-9 * best {
            break;
        }
        let mut improved = false;
        let mut alpha = 1.0;
        for _ in 0..10 {
            let q: Vec<f64> = p.iter().zip(&tangent).map(|(a, b)| a + alpha * b).collect();
            if let Some(uq) = unit(&q.iter().zip(x_t).map(|(a, b)| a - b).collect::<Vec<_>>()) {
                // Only a flip nearer than the current best counts.
                if let Some(s) = first_flip(&mut labeller, x_t, own, &uq, best, SLIDE_MARCH) {
                    if s < best * (1.0 - 1e-12) {
                        best = s;
                        u = uq;
                        improved = true;
                        break;
                    }
                }
            }
            alpha *= 0.5;
        }
        if !improved {
            break;
        }
        accepted += 1;
    }
    Some((best, point(&u, best), accepted))
}

/// See [`Margin::x_b_boundary_distance`].
fn normal_flip_distance(mlp: &Mlp, params: &[f64], x: &[f64], radius: f64) -> Option<f64> {
    let mut labeller = Labeller::new(mlp, params);
    let own = labeller.labels(x)[0];
    let (_, normal) = logit_gap_gradient(mlp, params, x, own as usize);
    let n = unit(&normal)?;
    let back: Vec<f64> = n.iter().map(|a| -a).collect();
    [back, n]
        .iter()
        .filter_map(|u| first_flip(&mut labeller, x, own, u, radius, 100))
        .reduce(f64::min)
}

/// `boundary-slide`'s x_b: the same Adam search as [`boundary_point`] with the reverse-mode
/// gradient, at most [`SLIDE_STARTS`] starts of [`SLIDE_SEARCH_STEPS`] steps, done at
/// |A_1| ≥ [`SLIDE_ALIGNMENT`]: x_b only has to pick the boundary section the slide starts on.
pub fn slide_boundary_point(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    v1: &[f64],
    seed: u64,
) -> (Vec<f64>, f64, usize) {
    let mut alignment = AlignmentGradient::new(mlp, params, v1);
    AdamSearch {
        purpose: "margin-slide",
        starts: SLIDE_STARTS,
        steps: SLIDE_SEARCH_STEPS,
        target: SLIDE_ALIGNMENT,
        stall: STALL_STEPS / 4,
        boost: 4.0,
    }
    .run(train, seed, |x| alignment.at(x))
}

/// How far the true margin is searched for: the diameter of the data's bounding box.
pub fn search_radius(train: &Dataset) -> f64 {
    libm::sqrt(
        (0..train.dim)
            .map(|t| {
                let col = (0..train.len()).map(|i| train.row(i)[t]);
                let (lo, hi) = col.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                    (l.min(v), h.max(v))
                });
                (hi - lo) * (hi - lo)
            })
            .sum(),
    )
}

/// The margin analysis of the top eigenvector `v1` with the `margin` key's method.
pub fn margin(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    v1: &[f64],
    seed: u64,
    method: MarginMethod,
) -> Margin {
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
    let radius = search_radius(train);
    // Random starts, as the paper: starting at x_t^max or x_t^min often ends next to them and makes
    // the estimate meaninglessly small.
    let (x_b, alignment_x_b, steps) = match method {
        MarginMethod::Search => boundary_point(mlp, params, train, v1, seed),
        MarginMethod::Paper => paper_boundary_point(mlp, params, v1, seed),
        MarginMethod::BoundarySlide => slide_boundary_point(mlp, params, train, v1, seed),
    };
    let (d_max, d_min) = (distance(&x_t_max, &x_b), distance(&x_t_min, &x_b));
    let mut estimate = d_min.min(d_max);
    let (mut boundary, mut x_t_slide, mut slide_steps) = (None, None, 0);
    if method == MarginMethod::BoundarySlide {
        let slides = [&x_t_max, &x_t_min].map(|x_t| slide(mlp, params, x_t, &x_b, radius));
        let pick = match (&slides[0], &slides[1]) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { 1 } else { 0 }),
            (Some(_), None) => Some(0),
            (None, Some(_)) => Some(1),
            (None, None) => None,
        };
        if let Some(i) = pick {
            let (s, p, k) = slides[i].clone().expect("picked a slide that ran");
            estimate = s;
            boundary = Some(p);
            x_t_slide = Some([&x_t_max, &x_t_min][i].clone());
            slide_steps = k;
        }
    }
    let x_b_boundary_distance = normal_flip_distance(mlp, params, &x_b, radius);
    let true_margin = [&x_t_max, &x_t_min]
        .iter()
        .filter_map(|x| distance_to_boundary(mlp, params, x, train, radius, seed))
        .reduce(f64::min);
    let relative_error = true_margin
        .filter(|&t| t > 0.0)
        .map(|t| (estimate - t).abs() / t);
    Margin {
        method,
        x_t_max,
        x_t_min,
        x_b,
        alignment_x_b,
        steps,
        estimate,
        true_margin,
        relative_error,
        x_b_boundary_distance,
        boundary_point: boundary,
        x_t_slide,
        slide_steps,
    }
}
