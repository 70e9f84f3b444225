//! The curvature operators (`operator=hessian|ggn|fisher`) and both ends of the spectrum
//! (`which=top|bottom|magnitude`) against independent references: Gauss–Newton and Fisher matrices
//! built column by column from central finite differences of the logits and of the per-sample loss,
//! and nalgebra's dense eigensolver.

use hessian_boundary::config::{Activation, Config, CurvatureOperator, LossKind, Which};
use hessian_boundary::data::Dataset;
use hessian_boundary::model::autodiff::{self, Target};
use hessian_boundary::model::Mlp;
use hessian_boundary::rng::Rng;
use hessian_boundary::spectrum::{
    dense, lanczos, power, DenseOperator, LossCurvature, Operator, Options,
};
use nalgebra::{DMatrix, SymmetricEigen};

/// d=3, hidden 5,4, C=3, n=8, parameters twice the default init (far from linear regimes).
fn problem(act: Activation, loss: LossKind, seed: u64) -> (Mlp, Vec<f64>, Dataset) {
    let mlp = Mlp::new(3, &[5, 4], 3, act, loss);
    let mut rng = Rng::new(seed);
    let params = mlp.init(&mut rng).iter().map(|w| 2.0 * w).collect();
    let x: Vec<f64> = (0..8 * 3).map(|_| rng.normal()).collect();
    let y: Vec<u32> = (0..8).map(|_| rng.below(3) as u32).collect();
    (
        mlp,
        params,
        Dataset {
            dim: 3,
            classes: 3,
            x,
            y,
        },
    )
}

/// The operator's matrix from p products with unit vectors.
fn matrix_of(op: &mut dyn Operator) -> DMatrix<f64> {
    let p = op.dim();
    let mut m = DMatrix::zeros(p, p);
    let (mut e, mut col) = (vec![0.0; p], vec![0.0; p]);
    for j in 0..p {
        e[j] = 1.0;
        op.apply(&e, &mut col);
        e[j] = 0.0;
        m.column_mut(j).copy_from_slice(&col);
    }
    m
}

/// J_r (C × p) of one row's logits by central differences.
fn jacobian(mlp: &Mlp, params: &[f64], x: &[f64]) -> DMatrix<f64> {
    let (p, c, h) = (params.len(), mlp.classes(), 1e-6);
    let mut j = DMatrix::zeros(c, p);
    let mut q = params.to_vec();
    for i in 0..p {
        q[i] = params[i] + h;
        let up = autodiff::logits(mlp, &q, x);
        q[i] = params[i] - h;
        let down = autodiff::logits(mlp, &q, x);
        q[i] = params[i];
        for k in 0..c {
            j[(k, i)] = (up[k] - down[k]) / (2.0 * h);
        }
    }
    j
}

/// ∇²_z ℓ of one row, written out from the loss's definition (not from the code's tangent).
fn output_hessian(loss: LossKind, z: &[f64]) -> DMatrix<f64> {
    let c = z.len();
    match loss {
        LossKind::Ce => {
            let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
            let s: f64 = e.iter().sum();
            let sm: Vec<f64> = e.iter().map(|v| v / s).collect();
            DMatrix::from_fn(c, c, |a, b| {
                if a == b {
                    sm[a] - sm[a] * sm[b]
                } else {
                    -sm[a] * sm[b]
                }
            })
        }
        LossKind::Mse => DMatrix::identity(c, c) * (2.0 / c as f64),
    }
}

fn max_abs_diff(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    (a - b).abs().max()
}

#[test]
fn gauss_newton_matches_jacobians_from_finite_differences() {
    for act in [Activation::Tanh, Activation::Gelu, Activation::Relu] {
        for loss in [LossKind::Ce, LossKind::Mse] {
            let (mlp, params, data) = problem(act, loss, 5);
            let n = data.len();
            let mut reference = DMatrix::zeros(params.len(), params.len());
            for r in 0..n {
                let x = &data.x[r * 3..r * 3 + 3];
                let j = jacobian(&mlp, &params, x);
                let z = autodiff::logits(&mlp, &params, x);
                reference += j.transpose() * output_hessian(loss, &z) * &j / n as f64;
            }
            let ours = matrix_of(&mut LossCurvature::new(
                CurvatureOperator::Ggn,
                &mlp,
                &params,
                &data,
            ));
            let err = max_abs_diff(&ours, &reference) / reference.abs().max();
            assert!(err < 1e-7, "{act:?}/{loss:?}: GGN off by {err:e}");
            // Symmetric positive semi-definite, unlike the Hessian here.
            assert!(max_abs_diff(&ours, &ours.transpose()) < 1e-14);
            let min = SymmetricEigen::new(ours.clone()).eigenvalues.min();
            assert!(min > -1e-12, "{act:?}/{loss:?}: GGN eigenvalue {min:e}");
            let hessian = matrix_of(&mut LossCurvature::hessian(&mlp, &params, &data));
            assert!(max_abs_diff(&hessian, &ours) > 1e-3, "{act:?}/{loss:?}");
        }
    }
}

#[test]
fn fisher_matches_per_sample_gradients_from_finite_differences() {
    for loss in [LossKind::Ce, LossKind::Mse] {
        let (mlp, params, data) = problem(Activation::Tanh, loss, 8);
        let (n, p, h) = (data.len(), params.len(), 1e-6);
        let mut reference = DMatrix::zeros(p, p);
        for r in 0..n {
            let x = &data.x[r * 3..r * 3 + 3];
            let y = [data.y[r]];
            let mut q = params.clone();
            let g = nalgebra::DVector::from_fn(p, |i, _| {
                q[i] = params[i] + h;
                let up = autodiff::loss(&mlp, &q, x, Target::Labels(&y));
                q[i] = params[i] - h;
                let down = autodiff::loss(&mlp, &q, x, Target::Labels(&y));
                q[i] = params[i];
                (up - down) / (2.0 * h)
            });
            reference += &g * g.transpose() / n as f64;
        }
        let ours = matrix_of(&mut LossCurvature::new(
            CurvatureOperator::Fisher,
            &mlp,
            &params,
            &data,
        ));
        let err = max_abs_diff(&ours, &reference) / reference.abs().max();
        assert!(err < 1e-7, "{loss:?}: Fisher off by {err:e}");
    }
}

#[test]
fn the_gauss_newton_of_a_linear_model_is_its_hessian() {
    // f is linear in θ, so the Hessian's second term (the loss's gradient times ∇²f) vanishes.
    let mlp = Mlp::new(3, &[], 3, Activation::Relu, LossKind::Ce);
    let (_, _, data) = problem(Activation::Relu, LossKind::Ce, 2);
    let params = mlp.init(&mut Rng::new(4));
    let h = matrix_of(&mut LossCurvature::hessian(&mlp, &params, &data));
    let g = matrix_of(&mut LossCurvature::new(
        CurvatureOperator::Ggn,
        &mlp,
        &params,
        &data,
    ));
    assert!(max_abs_diff(&h, &g) <= 1e-15 * h.abs().max().max(1.0) * 10.0);
}

/// Q·diag(λ)·Qᵀ with a seeded random orthogonal Q.
fn with_spectrum(values: &[f64], seed: u64) -> DenseOperator {
    let n = values.len();
    let mut rng = Rng::new(seed);
    let q = DMatrix::from_fn(n, n, |_, _| rng.normal()).qr().q();
    let a =
        &q * DMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(values)) * q.transpose();
    DenseOperator {
        n,
        a: (0..n * n).map(|i| a[(i / n, i % n)]).collect(),
    }
}

#[test]
fn every_solver_finds_each_end_of_a_known_spectrum() {
    // Top 3.0, 2.5, 2.0; bottom −4.0, −3.2, −1.5; by magnitude −4.0, −3.2, 3.0.
    let mut values = vec![3.0, 2.5, 2.0, -4.0, -3.2, -1.5];
    values.extend((0..40).map(|i| -1.0 + i as f64 * 0.04));
    let mut op = with_spectrum(&values, 1);
    let cases = [
        (Which::Top, [3.0, 2.5, 2.0]),
        (Which::Bottom, [-4.0, -3.2, -1.5]),
        (Which::Magnitude, [-4.0, -3.2, 3.0]),
    ];
    for (which, want) in cases {
        let opts = Options {
            k: 3,
            tol: 1e-10,
            max_steps: 5_000,
            seed: 2,
            which,
        };
        let reference = dense(&mut op, which).unwrap();
        let solved = [
            ("lanczos", lanczos(&mut op, &opts, None)),
            ("power", power(&mut op, &opts)),
            ("dense", reference.clone()),
        ];
        for (name, e) in solved {
            if name == "power" && which == Which::Top {
                // Power iteration's top is the largest-magnitude end (its docs): it finds −4 first.
                assert!(e.values.iter().any(|v| (v + 4.0).abs() < 1e-7));
                continue;
            }
            for (i, w) in want.iter().enumerate() {
                assert!(
                    (e.values[i] - w).abs() < 1e-7,
                    "{name} {which:?} λ{} = {} (want {w})",
                    i + 1,
                    e.values[i]
                );
                let cos: f64 = e.vectors[i]
                    .iter()
                    .zip(&reference.vectors[i])
                    .map(|(a, b)| a * b)
                    .sum();
                assert!(cos.abs() > 1.0 - 1e-6, "{name} {which:?} v{}", i + 1);
            }
        }
    }
}

#[test]
fn lanczos_finds_a_networks_negative_curvature_like_the_dense_route() {
    // At a random θ a tanh network's Hessian has clearly negative eigenvalues.
    let (mlp, params, data) = problem(Activation::Tanh, LossKind::Ce, 3);
    let mut op = LossCurvature::hessian(&mlp, &params, &data);
    let reference = dense(&mut op, Which::Bottom).unwrap();
    assert!(reference.values[0] < -1e-3, "{:?}", &reference.values[..3]);
    assert!(reference.values.windows(2).all(|w| w[0] <= w[1]));
    let opts = Options {
        k: 3,
        tol: 1e-10,
        max_steps: 200,
        seed: 1,
        which: Which::Bottom,
    };
    let e = lanczos(&mut op, &opts, None);
    assert!(e.converged);
    for i in 0..3 {
        assert!((e.values[i] - reference.values[i]).abs() < 1e-9 * reference.values[0].abs());
    }
}

#[test]
fn a_run_with_each_operator_reports_it_and_differs_only_where_it_should() {
    let base = "dataset=moons&n=120&layers=8&epochs=40&k=3&grid=16&g-over=solver&margin=search";
    let json = |q: &str| {
        let config = Config::parse(q).unwrap();
        let run = hessian_boundary::run(&config, None).unwrap();
        let v: serde_json::Value = serde_json::from_str(&run.to_json()).unwrap();
        v
    };
    let h = json(base);
    let g = json(&format!("{base}&operator=ggn"));
    let f = json(&format!("{base}&operator=fisher&which=magnitude"));
    assert_eq!(h["config"]["operator"], "hessian");
    assert_eq!(g["config"]["operator"], "ggn");
    assert_eq!(f["config"]["which"], "magnitude");
    // Training is the same; the spectra differ, and the PSD ones have no negative eigenvalue.
    assert_eq!(h["history"], g["history"]);
    assert_eq!(h["metrics"], g["metrics"]);
    assert_ne!(h["hessian"]["eigenvalues"], g["hessian"]["eigenvalues"]);
    for run in [&g, &f] {
        let values = run["hessian"]["eigenvalues"].as_array().unwrap();
        assert!(values.iter().all(|v| v.as_f64().unwrap() > -1e-12));
    }
}
