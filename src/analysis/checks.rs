//! The self-test: for the model on screen, each number the run reports checked against a route that
//! does not share its code, with a stated tolerance.
//!
//! - `hvp`: H·u against central differences of the exact gradient along a seeded random u;
//! - `symmetry`: ⟨u, C·w⟩ against ⟨C·u, w⟩ for the run's operator C;
//! - `residual`: the worst ‖C·v − λ·v‖ / |λ₁| of the reported pairs, measured with one product each;
//! - `curvature`: the second difference of the loss along v₁ (forward passes only, see
//!   [`super::perturbation`]) against λ₁ (for the Gauss–Newton and the Fisher, against v₁ᵀHv₁, the
//!   loss's own curvature along v₁);
//! - `dense`: for p ≤ [`DENSE_CHECK_PARAMS`], the solver's eigenvalues against the dense route's (or,
//!   when the run is dense, Lanczos's against them).

use serde::Serialize;

use crate::config::{Config, CurvatureOperator, Solver};
use crate::data::Dataset;
use crate::model::autodiff::{hessian_vector_product, loss_and_gradient, Target};
use crate::model::linalg::dot;
use crate::model::Mlp;
use crate::rng::Rng;
use crate::spectrum::{self, LossCurvature, Operator, Options, Spectrum};

/// Largest p for which the dense comparison runs.
pub const DENSE_CHECK_PARAMS: usize = crate::spectrum::dense::MAX_DENSE_PARAMS;
/// Step of the gradient's central difference: small enough that a ReLU unit rarely switches inside
/// it, large enough that rounding stays near 1e-10 of H·u.
const HVP_STEP: f64 = 1e-6;

/// One check: `pass` is `value ≤ tolerance`; `None` when skipped (then `detail` says why).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub value: Option<f64>,
    pub tolerance: f64,
    pub pass: Option<bool>,
    /// What was compared, in words.
    pub detail: String,
}

/// The checks' names, in the order [`checks`] writes them.
pub const NAMES: [&str; 5] = ["hvp", "symmetry", "residual", "curvature", "dense"];

impl Check {
    fn new(name: &'static str, value: f64, tolerance: f64, detail: String) -> Check {
        Check {
            name,
            value: Some(value),
            tolerance,
            pass: Some(value <= tolerance),
            detail,
        }
    }
}

fn operator_name(op: CurvatureOperator) -> &'static str {
    match op {
        CurvatureOperator::Hessian => "Hessian",
        CurvatureOperator::Ggn => "Gauss–Newton",
        CurvatureOperator::Fisher => "empirical Fisher",
    }
}

fn norm(v: &[f64]) -> f64 {
    libm::sqrt(dot(v, v))
}

fn relative(a: &[f64], b: &[f64]) -> f64 {
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    norm(&diff) / norm(b).max(f64::MIN_POSITIVE)
}

/// Every check for a run's θ, spectrum and the curvature measured along v₁.
pub fn checks(
    config: &Config,
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    spectrum: &Spectrum,
    curvature_along_v1: Option<f64>,
) -> Vec<Check> {
    let p = params.len();
    let target = Target::Labels(&train.y);
    let mut rng = Rng::derive(config.seed, "self-test");
    let u = spectrum::random_unit(&mut rng, p);
    let w = spectrum::random_unit(&mut rng, p);
    let mut out = Vec::new();

    let mut hu = vec![0.0; p];
    hessian_vector_product(mlp, params, &train.x, target, &u, &mut hu);
    let gradient_at = |t: f64| {
        let moved = super::perturbation::moved(params, &[(t, &u)]);
        let mut g = vec![0.0; p];
        loss_and_gradient(mlp, &moved, &train.x, target, &mut g);
        g
    };
    let (up, down) = (gradient_at(HVP_STEP), gradient_at(-HVP_STEP));
    let fd: Vec<f64> = up
        .iter()
        .zip(&down)
        .map(|(a, b)| (a - b) / (2.0 * HVP_STEP))
        .collect();
    out.push(Check::new(
        "hvp",
        relative(&fd, &hu),
        1e-5,
        format!(
            "‖H·u − central difference of ∇L‖ / ‖H·u‖ along a random unit u (step {HVP_STEP:e})"
        ),
    ));

    let mut op = LossCurvature::new(config.operator, mlp, params, train);
    let (mut cu, mut cw) = (vec![0.0; p], vec![0.0; p]);
    op.apply(&u, &mut cu);
    op.apply(&w, &mut cw);
    let (uw, wu) = (dot(&u, &cw), dot(&cu, &w));
    out.push(Check::new(
        "symmetry",
        (uw - wu).abs() / (norm(&cu) * norm(&cw)).sqrt().max(f64::MIN_POSITIVE),
        1e-10,
        format!(
            "|⟨u, C·w⟩ − ⟨C·u, w⟩| / √(‖C·u‖‖C·w‖) for the {} and random unit u, w",
            operator_name(config.operator)
        ),
    ));

    let eigen = &spectrum.eigen;
    let shown = eigen.values.len().min(config.k);
    let lambda1 = eigen.values.first().copied().unwrap_or(0.0);
    let scale = eigen.values[..shown]
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    let worst = eigen.residuals[..shown]
        .iter()
        .fold(0.0f64, |m, &r| m.max(r));
    out.push(Check::new(
        "residual",
        worst / scale,
        10.0 * config.tol,
        format!("max ‖C·v − λ·v‖ / max |λ| over the {shown} reported pairs"),
    ));

    if let (Some(curvature), Some(v1)) = (curvature_along_v1, eigen.vectors.first()) {
        let (reference, what) = if config.operator == CurvatureOperator::Hessian {
            (lambda1, "λ₁".to_string())
        } else {
            let mut hv = vec![0.0; p];
            hessian_vector_product(mlp, params, &train.x, target, v1, &mut hv);
            (
                dot(v1, &hv),
                format!(
                    "v₁ᵀHv₁ (the {}'s λ₁ is {lambda1:.6})",
                    config.operator.name()
                ),
            )
        };
        out.push(Check::new(
            "curvature",
            (curvature - reference).abs() / reference.abs().max(f64::MIN_POSITIVE),
            1e-4,
            format!("second difference of L along v₁ ({curvature:.6}) against {what} ({reference:.6}), relative"),
        ));
    }

    out.push(dense_check(config, &mut op, eigen, shown));
    out
}

/// The solver's eigenvalues against the dense route's (Lanczos's when the run is dense).
fn dense_check(
    config: &Config,
    op: &mut LossCurvature,
    eigen: &spectrum::Eigen,
    shown: usize,
) -> Check {
    let p = op.dim();
    let tolerance = 1e-8;
    if p > DENSE_CHECK_PARAMS {
        return Check {
            name: "dense",
            value: None,
            tolerance,
            pass: None,
            detail: format!(
                "skipped: p = {p} is over {DENSE_CHECK_PARAMS}, the dense route's limit"
            ),
        };
    }
    let (ours, reference, what) = if config.solver == Solver::Dense {
        let lanczos = spectrum::lanczos(op, &Options::of(config), None);
        (lanczos.values, eigen.values.clone(), "Lanczos")
    } else {
        let dense = spectrum::dense::dense_eigenvalues(op, config.which)
            .expect("p is within the dense limit");
        (eigen.values.clone(), dense, config.solver.name())
    };
    let n = shown.min(ours.len()).min(reference.len());
    let scale = reference[..n]
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    let worst = (0..n).fold(0.0f64, |m, i| m.max((ours[i] - reference[i]).abs()));
    Check::new(
        "dense",
        worst / scale,
        tolerance,
        format!("max |λᵢ({what}) − λᵢ(dense)| / max |λ| over the top {n}"),
    )
}
