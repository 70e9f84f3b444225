//! The eigensolvers against known spectra and against the dense route with nalgebra's eigensolver.

use hessian_boundary::config::{Config, Which};
use hessian_boundary::data::{Dataset, Split};
use hessian_boundary::rng::Rng;
use hessian_boundary::spectrum::stochastic::{hutchinson, slq_density};
use hessian_boundary::spectrum::{
    canonical_sign, dense, lanczos, power, DenseOperator, Eigen, LossCurvature, Operator, Options,
};
use hessian_boundary::train;
use nalgebra::{DMatrix, SymmetricEigen};

/// Q·diag(λ)·Qᵀ with a seeded random orthogonal Q.
fn with_spectrum(values: &[f64], seed: u64) -> DenseOperator {
    let n = values.len();
    let mut rng = Rng::new(seed);
    let g = DMatrix::from_fn(n, n, |_, _| rng.normal());
    let q = g.qr().q();
    let a =
        &q * DMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(values)) * q.transpose();
    DenseOperator {
        n,
        a: (0..n * n).map(|i| a[(i / n, i % n)]).collect(),
    }
}

fn abs_cos(a: &[f64], b: &[f64]) -> f64 {
    let d: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    (d / (na * nb)).abs()
}

fn assert_values(got: &Eigen, want: &[f64], tol: f64, what: &str) {
    let scale = want[0].abs();
    for (i, w) in want.iter().enumerate() {
        let g = got.values[i];
        assert!(
            (g - w).abs() <= tol * scale,
            "{what}: λ{} = {g}, expected {w}",
            i + 1
        );
    }
}

fn opts(k: usize) -> Options {
    Options {
        k,
        tol: 1e-10,
        max_steps: 1_000,
        seed: 3,
        which: Which::Top,
    }
}

#[test]
fn lanczos_finds_separated_top_eigenpairs_with_small_residuals() {
    let values: Vec<f64> = (0..80).map(|i| 10.0 * 0.8f64.powi(i)).collect();
    let mut op = with_spectrum(&values, 1);
    let e = lanczos(&mut op, &opts(5), None);
    assert!(e.converged, "residuals {:?}", e.residuals);
    assert_values(&e, &values[..5], 1e-10, "separated");
    assert!(e.residuals.iter().all(|&r| r <= 1e-10 * 10.0));
    assert!(
        e.products < 80,
        "Lanczos used {} products on an 80×80 matrix",
        e.products
    );
    for v in &e.vectors {
        let n: f64 = v.iter().map(|x| x * x).sum();
        assert!((n - 1.0).abs() < 1e-12);
    }
}

#[test]
fn lanczos_resolves_a_tight_cluster() {
    let mut values = vec![1.0, 0.999, 0.998, 0.997];
    values.extend((0..60).map(|i| 0.5 - i as f64 * 0.005));
    let mut op = with_spectrum(&values, 2);
    let e = lanczos(&mut op, &opts(4), None);
    assert!(e.converged);
    assert_values(&e, &values[..4], 1e-9, "cluster");
}

#[test]
fn lanczos_finds_both_copies_of_a_degenerate_eigenvalue_through_breakdown() {
    // Four distinct values: the Krylov space breaks down after 4 steps; the restart finds the second 5.
    let mut values = vec![5.0, 5.0, 3.0, 1.0];
    values.extend(std::iter::repeat_n(0.0, 26));
    let mut op = with_spectrum(&values, 4);
    let e = lanczos(&mut op, &opts(3), None);
    assert!(e.converged);
    assert_values(&e, &[5.0, 5.0, 3.0], 1e-10, "degenerate");
    assert!(
        abs_cos(&e.vectors[0], &e.vectors[1]) < 1e-10,
        "the two copies are orthogonal"
    );
    // 4 steps, a restart probe, and 3 residual checks.
    assert!(e.products <= 10, "{} products", e.products);
}

#[test]
fn lanczos_is_algebraic_and_power_is_by_magnitude_with_negative_eigenvalues() {
    let mut values = vec![3.0, 2.0, 1.0];
    values.extend((0..30).map(|i| -0.01 * i as f64));
    values.push(-10.0);
    let mut op = with_spectrum(&values, 5);
    let e = lanczos(&mut op, &opts(3), None);
    assert_values(&e, &[3.0, 2.0, 1.0], 1e-10, "algebraic top");
    let p = power(&mut op, &Options { k: 1, ..opts(1) });
    assert!(
        (p.values[0] + 10.0).abs() < 1e-8,
        "power iteration converges to the largest magnitude, got {}",
        p.values[0]
    );
}

#[test]
fn power_iteration_matches_on_a_separated_spectrum_but_needs_more_products() {
    let values: Vec<f64> = (0..60).map(|i| 8.0 * 0.6f64.powi(i)).collect();
    let mut op = with_spectrum(&values, 6);
    let p = power(&mut op, &opts(3));
    assert!(p.converged);
    assert_values(&p, &values[..3], 1e-9, "power");
    let l = lanczos(&mut op, &opts(3), None);
    assert!(
        p.products > l.products,
        "power {} vs lanczos {}",
        p.products,
        l.products
    );
}

#[test]
fn dense_route_recovers_the_spectrum() {
    let values: Vec<f64> = (0..20).map(|i| 2.0 - 0.3 * i as f64).collect();
    let mut op = with_spectrum(&values, 7);
    let e = dense(&mut op, Which::Top).unwrap();
    assert_eq!(e.values.len(), 20);
    assert_values(&e, &values, 1e-12, "dense");
    assert!(e.residuals.iter().all(|&r| r < 1e-12));
}

/// A 2-16-16-3 ReLU network (p = 371) trained on three blobs.
fn trained_network() -> (Split, train::Trained) {
    let mut rng = Rng::new(9);
    let means = [(2.0, -1.0), (-2.0, 0.0), (0.0, 2.0)];
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..60 {
        let c = i % 3;
        x.push(means[c].0 + 0.6 * rng.normal());
        x.push(means[c].1 + 0.6 * rng.normal());
        y.push(c as u32);
    }
    let split = Split {
        train: Dataset {
            dim: 2,
            classes: 3,
            x,
            y,
        },
        test: Dataset {
            dim: 2,
            classes: 3,
            x: vec![],
            y: vec![],
        },
        random_labels: None,
        class_names: None,
    };
    let config = Config {
        layers: vec![16, 16],
        epochs: 300,
        batch: 16,
        lr: 0.05,
        snap: 0,
        ..Config::default()
    };
    let trained = train::train(&config, &split).unwrap();
    (split, trained)
}

/// The dense route's eigensolver is nalgebra's arithmetic reordered: on a network's Hessian its pairs
/// are nalgebra's to the bit, and the eigenvalues alone (the self-test's check) are the same bits.
#[test]
fn dense_route_gives_nalgebras_bits_on_a_network() {
    let (split, t) = trained_network();
    let mut op = LossCurvature::hessian(&t.mlp, &t.params, &split.train);
    let e = dense(&mut op, Which::Top).unwrap();
    let nalgebra = SymmetricEigen::new(hessian_boundary::spectrum::dense::matrix(&mut op));
    let mut want: Vec<(f64, Vec<f64>)> = (0..op.dim())
        .map(|i| {
            let mut v: Vec<f64> = nalgebra.eigenvectors.column(i).iter().copied().collect();
            canonical_sign(&mut v);
            (nalgebra.eigenvalues[i], v)
        })
        .collect();
    want.sort_by(|a, b| b.0.total_cmp(&a.0));
    let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for (i, (value, vector)) in want.iter().enumerate() {
        assert_eq!(e.values[i].to_bits(), value.to_bits(), "λ{i}");
        assert_eq!(bits(&e.vectors[i]), bits(vector), "v{i}");
    }
    let alone = hessian_boundary::spectrum::dense::dense_eigenvalues(&mut op, Which::Top).unwrap();
    assert_eq!(bits(&alone), bits(&e.values));
}

#[test]
fn lanczos_and_power_match_the_dense_hessian_of_a_network() {
    let (split, t) = trained_network();
    let mut op = LossCurvature::hessian(&t.mlp, &t.params, &split.train);
    assert_eq!(op.dim(), 371);
    let reference = dense(&mut op, Which::Top).unwrap();
    let lambda1 = reference.values[0];
    assert!(lambda1 > 0.0);
    // Power iteration orders by magnitude, and this Hessian's 6th and 7th magnitudes are ±0.018 (a
    // near tie it cannot separate), so it is compared on the top 5, which are all positive.
    for (name, k, e) in [
        (
            "lanczos",
            6,
            lanczos(
                &mut op,
                &Options {
                    k: 6,
                    tol: 1e-10,
                    max_steps: 371,
                    seed: 1,
                    which: Which::Top,
                },
                None,
            ),
        ),
        (
            "power",
            5,
            power(
                &mut op,
                &Options {
                    k: 5,
                    tol: 1e-10,
                    max_steps: 20_000,
                    seed: 1,
                    which: Which::Top,
                },
            ),
        ),
    ] {
        assert!(e.converged, "{name}");
        for i in 0..k {
            assert!(
                (e.values[i] - reference.values[i]).abs() <= 1e-8 * lambda1,
                "{name} λ{}: {} vs {}",
                i + 1,
                e.values[i],
                reference.values[i]
            );
            let gap = [
                i.checked_sub(1).map(|j| reference.values[j]),
                reference.values.get(i + 1).copied(),
            ]
            .into_iter()
            .flatten()
            .map(|v| (v - reference.values[i]).abs())
            .fold(f64::INFINITY, f64::min);
            if gap > 1e-3 * lambda1 {
                let c = abs_cos(&e.vectors[i], &reference.vectors[i]);
                assert!(c >= 1.0 - 1e-6, "{name} v{}: |cos| = {c}", i + 1);
                // Canonical signs make the vectors equal, not just parallel.
                let dot: f64 = e.vectors[i]
                    .iter()
                    .zip(&reference.vectors[i])
                    .map(|(a, b)| a * b)
                    .sum();
                assert!(dot > 0.0);
            }
        }
        assert!(
            e.residuals.iter().all(|&r| r <= 1e-8 * lambda1),
            "{name} residuals {:?}",
            e.residuals
        );
    }
}

#[test]
fn hutchinson_trace_and_slq_density_agree_with_the_dense_spectrum() {
    let (split, t) = trained_network();
    let mut op = LossCurvature::hessian(&t.mlp, &t.params, &split.train);
    let reference = dense(&mut op, Which::Top).unwrap();
    let trace: f64 = reference.values.iter().sum();
    let est = hutchinson(&mut op, 200, 4, &[], &[]);
    assert!(est.std_error > 0.0);
    assert!(
        (est.estimate - trace).abs() <= 4.0 * est.std_error,
        "trace {} ± {} vs {trace}",
        est.estimate,
        est.std_error
    );
    // Deflating the top 5 pairs keeps the estimate unbiased and shrinks its error.
    let top = lanczos(
        &mut op,
        &Options {
            k: 5,
            tol: 1e-10,
            max_steps: 371,
            seed: 2,
            which: Which::Top,
        },
        None,
    );
    let deflated = hutchinson(&mut op, 200, 4, &top.values, &top.vectors);
    assert!(
        (deflated.estimate - trace).abs() <= 4.0 * deflated.std_error,
        "deflated {} ± {} vs {trace}",
        deflated.estimate,
        deflated.std_error
    );
    assert!(
        deflated.std_error < 0.5 * est.std_error,
        "{} vs {}",
        deflated.std_error,
        est.std_error
    );

    let d = slq_density(&mut op, 4, 60, 400, 5);
    let integral: f64 =
        d.x.windows(2)
            .zip(d.y.windows(2))
            .map(|(x, y)| 0.5 * (x[1] - x[0]) * (y[0] + y[1]))
            .sum();
    assert!(
        (integral - 1.0).abs() < 1e-6,
        "density integrates to {integral}"
    );
    // The grid covers the spectrum: the largest and smallest eigenvalues lie inside it.
    assert!(d.x[0] <= reference.values[370] && *d.x.last().unwrap() >= reference.values[0]);
}
