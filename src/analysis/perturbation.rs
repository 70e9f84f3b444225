//! θ moved along the eigenvectors: the training loss along each line θ + t·v_i, its curvature at 0
//! measured from loss values alone, and the loss surface on the plane of v_1 and v_2.
//!
//! The curvature is an independent check of an eigenpair: `D(h) = (L(h) − 2L(0) + L(−h)) / h²` uses
//! only forward passes, so when it agrees with λ_i the HVP, the solver and the loss all agree. A ReLU
//! network's loss is only piecewise smooth along a line: units switch on and off at kinks, and the
//! exact Hessian is that of the piece θ sits on. On the default gaussian model a window of ±10⁻³
//! already crosses kinks (D = 0.145 against λ₁ = 0.1087) while ±3·10⁻⁵ crosses none (D agrees to
//! 2·10⁻⁶). So D is taken at halving steps from 10⁻⁴ of the line's reach, and the first step at which
//! halving changes it by less than [`AGREE`] is the one reported: two windows that agree contain no
//! kink, since a kink shifts D by a different amount in each. A trained ReLU network can sit within
//! 10⁻⁸ of a kink (moons, 32-32: every symmetric window down to rounding crosses one), so one-sided
//! stencils are tried beside the central one at each step.
//!
//! The ranges scale with the curvature: t ∈ [−T_i, T_i] with `T_i = 2/√|λ_i|`, where the quadratic
//! model ½λ_i t² rises by 2, capped at ‖θ‖ so that a flat direction does not send θ to infinity.

use crate::data::Dataset;
use crate::model::autodiff::{loss, Target};
use crate::model::Mlp;
use crate::parallel;

/// Points on each line and on each side of the surface's grid (odd, so t = 0 is one of them), and
/// half as many beyond [`LARGE`] = n·p, where every point is a forward pass of ≥ 8 MFLOP: the
/// default gaussian model then spends ~0.5 s here, digits ~2 s.
pub const LINE_POINTS: usize = 41;
pub const SURFACE_POINTS: usize = 21;
pub const LARGE: usize = 4_000_000;
/// The second difference's first step, as a fraction of the line's reach, and the halvings tried.
const STEP: f64 = 1e-4;
const HALVINGS: usize = 14;
/// Relative change under halving below which a second difference is taken as free of kinks.
pub const AGREE: f64 = 1e-5;

/// The loss along θ + t·v_i.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    /// 1-based, like λ_i.
    pub index: usize,
    pub eigenvalue: f64,
    pub t: Vec<f64>,
    pub loss: Vec<f64>,
    /// `(L(h) − 2L(0) + L(−h)) / h²` with `h = step` (see the module docs for the choice of h).
    pub curvature: f64,
    pub step: f64,
    pub stencil: Stencil,
}

/// The loss on θ + a·v_1 + b·v_2, row-major with `b` the row (from `b[0]`) and `a` the column.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Surface {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    pub loss: Vec<f64>,
}

/// Serializable so the page's pool can compute it in another worker (exactly: float_roundtrip).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Perturbation {
    pub lines: Vec<Line>,
    /// Absent with fewer than two eigenvectors.
    pub surface: Option<Surface>,
}

/// How far the line along an eigenvalue's vector reaches: where ½λt² = 2, at most ‖θ‖.
pub fn reach(eigenvalue: f64, params: &[f64]) -> f64 {
    let norm = libm::sqrt(params.iter().map(|x| x * x).sum::<f64>()).max(1.0);
    if eigenvalue.abs() > 0.0 {
        (2.0 / libm::sqrt(eigenvalue.abs())).min(norm)
    } else {
        norm
    }
}

/// `count` evenly spaced points of [−reach, reach], with 0 exactly in the middle.
fn symmetric_points(reach: f64, count: usize) -> Vec<f64> {
    let half = (count / 2) as f64;
    (0..count)
        .map(|i| reach * (i as f64 - half) / half)
        .collect()
}

/// The second-difference stencils: on both sides of 0, or on one side only when θ sits so close to a
/// kink that every symmetric window crosses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stencil {
    /// `(L(h) − 2L(0) + L(−h)) / h²`.
    Central,
    /// `(L(2h) − 2L(h) + L(0)) / h²`.
    Forward,
    /// `(L(−2h) − 2L(−h) + L(0)) / h²`.
    Backward,
}

/// The second derivative of `f` at 0 from the first stencil and step (halving from `h0`) at which
/// halving the step changes it by less than [`AGREE`]; the central stencil at the last step when
/// none does.
fn second_difference(f: impl Fn(f64) -> f64, at_zero: f64, h0: f64) -> (f64, f64, Stencil) {
    let stencils = |h: f64| {
        let (up, down) = (f(h), f(-h));
        [
            (up - 2.0 * at_zero + down) / (h * h),
            (f(2.0 * h) - 2.0 * up + at_zero) / (h * h),
            (f(-2.0 * h) - 2.0 * down + at_zero) / (h * h),
        ]
    };
    let kinds = [Stencil::Central, Stencil::Forward, Stencil::Backward];
    let (mut h, mut current) = (h0, stencils(h0));
    for _ in 0..HALVINGS {
        let next = stencils(h / 2.0);
        for (i, kind) in kinds.into_iter().enumerate() {
            if (next[i] - current[i]).abs() <= AGREE * current[i].abs().max(f64::MIN_POSITIVE) {
                return (current[i], h, kind);
            }
        }
        (h, current) = (h / 2.0, next);
    }
    (current[0], h, Stencil::Central)
}

/// θ + Σ c_j·v_j.
pub fn moved(params: &[f64], steps: &[(f64, &[f64])]) -> Vec<f64> {
    let mut out = params.to_vec();
    for &(c, v) in steps {
        crate::model::linalg::axpy(c, v, &mut out);
    }
    out
}

/// The lines along every given eigenpair and the surface of the first two.
pub fn perturbation(
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    values: &[f64],
    vectors: &[Vec<f64>],
) -> Perturbation {
    let loss_at = |p: &[f64]| loss(mlp, p, &train.x, Target::Labels(&train.y));
    let fewer = train.len() * params.len() > LARGE;
    let points = |count: usize| if fewer { count / 2 + 1 } else { count };
    let at_zero = loss_at(params);
    // Every loss value is a forward pass of its own: lines and points side by side on the threads.
    let pairs: Vec<(f64, &Vec<f64>)> = values.iter().copied().zip(vectors).collect();
    let lines = parallel::map(&pairs, |i, &(eigenvalue, v)| {
        let r = reach(eigenvalue, params);
        let t = symmetric_points(r, points(LINE_POINTS));
        let loss = parallel::map(&t, |_, &t| {
            if t == 0.0 {
                at_zero
            } else {
                loss_at(&moved(params, &[(t, v)]))
            }
        });
        let (curvature, step, stencil) =
            second_difference(|h| loss_at(&moved(params, &[(h, v)])), at_zero, STEP * r);
        Line {
            index: i + 1,
            eigenvalue,
            t,
            loss,
            curvature,
            step,
            stencil,
        }
    });
    let surface = (vectors.len() >= 2).then(|| {
        let a = symmetric_points(reach(values[0], params), points(SURFACE_POINTS));
        let b = symmetric_points(reach(values[1], params), points(SURFACE_POINTS));
        let grid: Vec<(f64, f64)> = b
            .iter()
            .flat_map(|&bj| a.iter().map(move |&ai| (ai, bj)))
            .collect();
        let loss = parallel::map(&grid, |_, &(ai, bj)| {
            loss_at(&moved(params, &[(ai, &vectors[0]), (bj, &vectors[1])]))
        });
        Surface { a, b, loss }
    });
    Perturbation { lines, surface }
}
