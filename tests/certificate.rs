//! The certified G over all p against the dense route, the block Krylov pairs against nalgebra, the
//! open interval under an HVP budget, and the closed-form ε against Monte Carlo and its asymptotics.

use hessian_boundary::analysis::certificate::{certified, Certificate, Limits};
use hessian_boundary::analysis::generalization::{expected_abs_coordinate, generalization};
use hessian_boundary::config::{Config, Which};
use hessian_boundary::rng::Rng;
use hessian_boundary::spectrum::block::{block_krylov, BlockOptions};
use hessian_boundary::spectrum::{dense, DenseOperator, LossCurvature};
use hessian_boundary::Run;
use nalgebra::{DMatrix, SymmetricEigen};

fn run(query: &str) -> Run {
    hessian_boundary::run(&Config::parse(query).unwrap(), None).unwrap()
}

/// The dense route's count (all p eigenvectors from nalgebra) with the run's own ε and statistic.
fn dense_count(r: &Run) -> usize {
    let (mlp, params, train) = (&r.trained.mlp, &r.trained.params, &r.split.train);
    let e = dense(&mut LossCurvature::hessian(mlp, params, train), Which::Top).unwrap();
    let g = generalization(mlp, params, train, &e.vectors, true, &r.config);
    assert_eq!(g.certified.certificate, Certificate::Dense);
    g.certified.low
}

#[test]
fn certified_count_equals_the_dense_count() {
    let base = "layers=8,8&grid=8&k=3";
    let cases = [
        "dataset=moons&epochs=200",
        "dataset=moons&epochs=200&act=tanh&loss=mse",
        "dataset=moons&epochs=200&measure=max",
        "dataset=moons&epochs=200&epsilon=sampled&act=sigmoid",
        "dataset=moons&regime=random-labels&epochs=100&act=gelu&measure=max",
        "dataset=gaussian&regime=adversarial&pre=50&epochs=100&grad-label=true",
        "dataset=gaussian&regime=large-norm&pre=50&epochs=100&loss=mse&measure=max",
    ];
    for case in cases {
        let r = run(&format!("{base}&{case}"));
        let g = &r.analysis.as_ref().unwrap().generalization;
        let c = &g.certified;
        let want = dense_count(&r);
        assert_eq!(
            (c.low, c.high),
            (want, want),
            "{case}: certified [{}, {}] ({:?}) vs dense {want}",
            c.low,
            c.high,
            c.certificate
        );
        assert!(
            matches!(
                c.certificate,
                Certificate::Invariant | Certificate::ResidualEnergy
            ),
            "{case}"
        );
        assert_eq!(g.bounds.0, g.bounds.1);
        assert!(c.products > 0 && c.eigenpairs > 0);
    }
}

#[test]
fn an_hvp_budget_leaves_an_honest_interval_around_the_dense_count() {
    let r = run("dataset=gaussian&layers=30,30&epochs=200&grid=8&k=3");
    let (mlp, params, train) = (&r.trained.mlp, &r.trained.params, &r.split.train);
    let eps = r.analysis.as_ref().unwrap().generalization.epsilon;
    let want = dense_count(&r);
    for budget in [train.len(), 2 * train.len()] {
        let limits = Limits {
            max_products: budget,
            ..Limits::default()
        };
        let c = certified(mlp, params, train, &r.config, eps, &limits, &mut |_| {});
        assert!(c.products <= budget);
        assert_eq!(c.certificate, Certificate::Open, "budget {budget}");
        assert!(c.reason.as_deref().unwrap().contains("HVPs"));
        assert!(
            c.low <= want && want <= c.high && c.low < c.high,
            "budget {budget}: [{}, {}] vs dense {want}",
            c.low,
            c.high
        );
    }
}

/// A basis limit below the first block (the n gradients and their products) skips the Krylov space
/// without computing it, and says so; at the limit it starts.
#[test]
fn a_basis_too_small_for_the_first_block_is_refused_up_front() {
    let r = run("dataset=gaussian&layers=30,30&epochs=200&grid=8&k=3");
    let (mlp, params, train) = (&r.trained.mlp, &r.trained.params, &r.split.train);
    let (n, p) = (train.len(), params.len());
    let eps = r.analysis.as_ref().unwrap().generalization.epsilon;
    let want = dense_count(&r);
    let first_block = 2 * n;
    let with_basis = |vectors: usize| {
        let limits = Limits {
            max_numbers: vectors * p,
            ..Limits::default()
        };
        certified(mlp, params, train, &r.config, eps, &limits, &mut |_| {})
    };
    let c = with_basis(first_block - 1);
    assert_eq!((c.products, c.eigenpairs, c.memory_mb), (0, 0, 0.0));
    assert_eq!(c.certificate, Certificate::Open);
    assert!(
        c.low <= want && want <= c.high,
        "[{}, {}] vs {want}",
        c.low,
        c.high
    );
    let reason = c.reason.unwrap();
    assert!(
        reason.contains(&format!("{n} training gradients"))
            && reason.contains(&format!("{first_block} vectors")),
        "{reason}"
    );
    let c = with_basis(first_block);
    assert!(c.products > 0 && c.products <= n);
}

/// A seeded symmetric matrix with a spread, two-signed spectrum, and nalgebra's eigenpairs of it.
fn matrix(n: usize, seed: u64) -> (DenseOperator, Vec<f64>, DMatrix<f64>) {
    let mut rng = Rng::new(seed);
    let m = DMatrix::from_fn(n, n, |_, _| rng.normal());
    let (q, _) = m.qr().unpack();
    let lambda: Vec<f64> = (0..n)
        .map(|i| (i as f64 - n as f64 / 3.0) * (1.0 + 0.1 * rng.normal().abs()))
        .collect();
    let a = &q * DMatrix::from_diagonal(&nalgebra::DVector::from_vec(lambda)) * q.transpose();
    let a = (&a + a.transpose()) * 0.5;
    let eig = SymmetricEigen::new(a.clone());
    let op = DenseOperator {
        n,
        a: (0..n * n).map(|i| a[(i / n, i % n)]).collect(),
    };
    (
        op,
        eig.eigenvalues.iter().copied().collect(),
        eig.eigenvectors,
    )
}

#[test]
fn block_krylov_gives_nalgebras_eigenvalues_and_start_components() {
    let n = 60;
    let (mut op, values, vectors) = matrix(n, 5);
    let mut rng = Rng::new(9);
    let starts: Vec<Vec<f64>> = (0..4)
        .map(|_| (0..n).map(|_| rng.normal()).collect())
        .collect();
    let opts = BlockOptions {
        max_dim: n,
        max_products: 10 * n,
        deflation: 1e-10,
    };
    let bk = block_krylov(&mut op, &starts, &opts);
    assert!(bk.invariant);
    assert_eq!(bk.values.len(), n);
    let scale = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (i, &theta) in bk.values.iter().enumerate() {
        // The dense eigenpair nearest this Ritz value (the spectrum is simple).
        let k = (0..n)
            .min_by(|&a, &b| {
                (values[a] - theta)
                    .abs()
                    .total_cmp(&(values[b] - theta).abs())
            })
            .unwrap();
        assert!(
            (values[k] - theta).abs() <= 1e-10 * scale,
            "θ {theta} vs {}",
            values[k]
        );
        assert!(bk.residuals[i] <= 1e-9 * scale);
        for (j, x) in starts.iter().enumerate() {
            let want: f64 = (0..n).map(|t| x[t] * vectors[(t, k)]).sum();
            let got = bk.components[i * starts.len() + j];
            assert!((got.abs() - want.abs()).abs() <= 1e-9, "{got} vs {want}");
        }
    }
}

#[test]
fn block_krylov_of_an_invariant_subspace_stops_there_and_a_limit_leaves_extreme_pairs() {
    let n = 80;
    let (mut op, values, vectors) = matrix(n, 11);
    // Start vectors in the span of 12 eigenvectors: the space closes at 12 dimensions.
    let pick: Vec<usize> = (0..12).map(|i| i * 6 + 1).collect();
    let mut rng = Rng::new(2);
    let starts: Vec<Vec<f64>> = (0..3)
        .map(|_| {
            let c: Vec<f64> = pick.iter().map(|_| rng.normal()).collect();
            (0..n)
                .map(|t| {
                    pick.iter()
                        .zip(&c)
                        .map(|(&k, ci)| ci * vectors[(t, k)])
                        .sum()
                })
                .collect()
        })
        .collect();
    let opts = BlockOptions {
        max_dim: n,
        max_products: 10 * n,
        deflation: 1e-10,
    };
    let bk = block_krylov(&mut op, &starts, &opts);
    assert!(bk.invariant);
    assert_eq!(bk.values.len(), 12);
    let mut want: Vec<f64> = pick.iter().map(|&k| values[k]).collect();
    want.sort_by(|a, b| b.total_cmp(a));
    for (got, want) in bk.values.iter().zip(&want) {
        assert!((got - want).abs() <= 1e-9 * values.iter().fold(0.0f64, |m, v| m.max(v.abs())));
    }
    // A basis limit on a full start: the converged Ritz values are eigenvalues, found from both ends.
    let full: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..n).map(|_| rng.normal()).collect())
        .collect();
    let bk = block_krylov(
        &mut op,
        &full,
        &BlockOptions {
            max_dim: 60,
            ..opts
        },
    );
    assert!(!bk.invariant && bk.values.len() <= 60);
    // Some eigenvalue lies within each Ritz pair's residual bound (A is symmetric), and the extreme
    // Ritz values are within theirs of the extreme eigenvalues.
    for (t, r) in bk.values.iter().zip(&bk.residuals) {
        assert!(
            values.iter().any(|&v| (v - t).abs() <= r * (1.0 + 1e-12)),
            "{t}"
        );
    }
    let (top, bottom) = (
        values.iter().copied().fold(f64::MIN, f64::max),
        values.iter().copied().fold(f64::MAX, f64::min),
    );
    let last = bk.values.len() - 1;
    assert!((bk.values[0] - top).abs() <= bk.residuals[0]);
    assert!((bk.values[last] - bottom).abs() <= bk.residuals[last]);
    assert!(bk.residuals[0] < 0.01 * top);
}

#[test]
fn expected_epsilon_matches_closed_forms_monte_carlo_and_asymptotics() {
    // Uniform on S¹: 2/π; on S²: a coordinate is uniform on [−1, 1], so 1/2.
    assert!((expected_abs_coordinate(2) - 2.0 / std::f64::consts::PI).abs() < 1e-15);
    assert!((expected_abs_coordinate(3) - 0.5).abs() < 1e-15);
    // √(2/(πp)) with relative error below 1/p, up to the paper's p and beyond (no gamma overflow).
    for p in [10, 100, 10_703, 1_000_000] {
        let e = expected_abs_coordinate(p);
        let asym = (2.0 / (std::f64::consts::PI * p as f64)).sqrt();
        assert!(
            (e / asym - 1.0).abs() < 1.0 / p as f64,
            "p = {p}: {e} vs {asym}"
        );
    }
    // Monte Carlo over 40,000 seeded random unit directions in R^50: within 4 standard errors.
    let (p, draws) = (50, 40_000);
    let mut rng = Rng::new(4);
    let samples: Vec<f64> = (0..draws)
        .map(|_| {
            let v: Vec<f64> = (0..p).map(|_| rng.normal()).collect();
            v[0].abs() / v.iter().map(|x| x * x).sum::<f64>().sqrt()
        })
        .collect();
    let mean = samples.iter().sum::<f64>() / draws as f64;
    let var = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (draws - 1) as f64;
    let se = (var / draws as f64).sqrt();
    assert!(
        (mean - expected_abs_coordinate(p)).abs() < 4.0 * se,
        "{mean} ± {se}"
    );
}
