//! Training: optimizer updates against their formulas, regimes, snapshots, divergence, determinism.

use hessian_boundary::config::{Config, Optimizer, Regime};
use hessian_boundary::data::{Dataset, Split};
use hessian_boundary::model::autodiff::{self, Target};
use hessian_boundary::model::Mlp;
use hessian_boundary::rng::Rng;
use hessian_boundary::train::{self, Labels, Trainer};

/// Two well-separated 2-D blobs, 20 training and 10 test points.
fn blobs() -> Split {
    let mut rng = Rng::new(42);
    let mut make = |n: usize| {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let c = (i % 2) as u32;
            let centre = if c == 0 { -1.5 } else { 1.5 };
            x.push(centre + 0.4 * rng.normal());
            x.push(0.4 * rng.normal());
            y.push(c);
        }
        Dataset {
            dim: 2,
            classes: 2,
            x,
            y,
        }
    };
    Split {
        train: make(20),
        test: make(10),
        random_labels: None,
        class_names: None,
    }
}

/// A narrow full-batch network without snapshots; `epochs` as given (5 when left at the default).
fn small(config: Config) -> Config {
    let epochs = if config.epochs == Config::default().epochs {
        5
    } else {
        config.epochs
    };
    Config {
        layers: vec![8],
        epochs,
        batch: 100,
        snap: 0,
        ..config
    }
}

fn initial_params(config: &Config, split: &Split) -> (Mlp, Vec<f64>) {
    let t = Trainer::new(config.clone(), split.clone(), None).unwrap();
    (t.mlp().clone(), t.params().to_vec())
}

fn full_gradient(mlp: &Mlp, params: &[f64], split: &Split) -> Vec<f64> {
    let mut g = vec![0.0; params.len()];
    autodiff::loss_and_gradient(
        mlp,
        params,
        &split.train.x,
        Target::Labels(&split.train.y),
        &mut g,
    );
    g
}

#[test]
fn full_batch_sgd_epoch_is_one_gradient_step_with_weight_decay() {
    let split = blobs();
    let config = small(Config {
        epochs: 1,
        lr: 0.1,
        wd: 0.01,
        ..Config::default()
    });
    let (mlp, p0) = initial_params(&config, &split);
    let g = full_gradient(&mlp, &p0, &split);
    let trained = train::train(&config, &split).unwrap();
    for i in 0..p0.len() {
        let want = p0[i] - 0.1 * (g[i] + 0.01 * p0[i]);
        assert!((trained.params[i] - want).abs() <= 1e-15, "param {i}");
    }
}

#[test]
fn momentum_accumulates_like_pytorch() {
    let split = blobs();
    let config = small(Config {
        epochs: 2,
        lr: 0.1,
        momentum: 0.9,
        ..Config::default()
    });
    let (mlp, p0) = initial_params(&config, &split);
    let g0 = full_gradient(&mlp, &p0, &split);
    let p1: Vec<f64> = p0.iter().zip(&g0).map(|(p, g)| p - 0.1 * g).collect();
    let g1 = full_gradient(&mlp, &p1, &split);
    let p2: Vec<f64> = (0..p0.len())
        .map(|i| p1[i] - 0.1 * (0.9 * g0[i] + g1[i]))
        .collect();
    let trained = train::train(&config, &split).unwrap();
    for i in 0..p0.len() {
        assert!((trained.params[i] - p2[i]).abs() <= 1e-14, "param {i}");
    }
}

#[test]
fn adam_first_step_moves_each_parameter_by_about_lr() {
    let split = blobs();
    let config = small(Config {
        epochs: 1,
        lr: 0.01,
        opt: Optimizer::Adam,
        ..Config::default()
    });
    let (mlp, p0) = initial_params(&config, &split);
    let g = full_gradient(&mlp, &p0, &split);
    let trained = train::train(&config, &split).unwrap();
    for i in 0..p0.len() {
        // m̂ = g and v̂ = g² after one step: Δ = −lr·g/(|g| + ε).
        let want = p0[i] - 0.01 * g[i] / (g[i].abs() + 1e-8);
        assert!((trained.params[i] - want).abs() <= 1e-12, "param {i}");
    }
}

#[test]
fn training_separates_blobs_and_records_history() {
    let split = blobs();
    let config = Config {
        layers: vec![16],
        epochs: 200,
        batch: 8,
        lr: 0.05,
        snap: 50,
        ..Config::default()
    };
    let trained = train::train(&config, &split).unwrap();
    let first = &trained.history[0];
    let last = trained.history.last().unwrap();
    assert_eq!((first.epoch, last.epoch), (0, 200));
    assert_eq!(trained.history.len(), 201);
    assert!(
        last.train_loss < 0.1 * first.train_loss,
        "{} -> {}",
        first.train_loss,
        last.train_loss
    );
    assert_eq!(last.train_accuracy, 1.0);
    assert_eq!(last.test_accuracy, Some(1.0));
    let epochs: Vec<usize> = trained.snapshots.iter().map(|s| s.epoch).collect();
    assert_eq!(epochs, [0, 50, 100, 150, 200]);
    assert_eq!(trained.snapshots.last().unwrap().params, trained.params);
}

#[test]
fn snapshots_include_the_final_epoch_and_only_the_final_phase() {
    let split = blobs();
    let config = Config {
        snap: 3,
        ..small(Config {
            epochs: 10,
            pre: 4,
            regime: Regime::Adversarial,
            ..Config::default()
        })
    };
    let trained = train::train(&config, &split).unwrap();
    let epochs: Vec<usize> = trained.snapshots.iter().map(|s| s.epoch).collect();
    assert_eq!(epochs, [4, 7, 10, 13, 14]);
    let none = train::train(
        &small(Config {
            epochs: 10,
            ..Config::default()
        }),
        &split,
    )
    .unwrap();
    assert_eq!(none.snapshots.len(), 1);
    assert_eq!(none.snapshots[0].epoch, 10);
}

#[test]
fn regimes_run_their_phases() {
    let split = blobs();
    let random = train::train(
        &small(Config {
            regime: Regime::RandomLabels,
            ..Config::default()
        }),
        &split,
    )
    .unwrap();
    let mut sorted = random.permuted_labels.clone();
    sorted.sort();
    let mut truth = split.train.y.clone();
    truth.sort();
    assert_eq!(
        sorted, truth,
        "random labels are a permutation of the true ones"
    );
    assert_ne!(random.permuted_labels, split.train.y);
    assert!(random.history.iter().all(|h| h.labels == Labels::Permuted));

    let adv = train::train(
        &small(Config {
            regime: Regime::Adversarial,
            pre: 3,
            epochs: 4,
            ..Config::default()
        }),
        &split,
    )
    .unwrap();
    let labels: Vec<Labels> = adv.history.iter().map(|h| h.labels).collect();
    assert_eq!(adv.history.last().unwrap().epoch, 7);
    assert_eq!(
        &labels[1..],
        [
            Labels::Permuted,
            Labels::Permuted,
            Labels::Permuted,
            Labels::True,
            Labels::True,
            Labels::True,
            Labels::True
        ]
    );
}

#[test]
fn large_norm_restarts_from_the_rescaled_initialization() {
    let split = blobs();
    let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
    let config = small(Config {
        regime: Regime::LargeNorm,
        pre: 30,
        epochs: 0,
        lr: 0.5,
        ..Config::default()
    });
    let (_, p0) = initial_params(&config, &split);
    let random = train::train(
        &small(Config {
            regime: Regime::RandomLabels,
            epochs: 30,
            lr: 0.5,
            ..Config::default()
        }),
        &split,
    )
    .unwrap();
    let rescaled = train::train(&config, &split).unwrap();
    let factor = norm(&random.params) / norm(&p0);
    assert!(
        (factor - 1.0).abs() > 1e-3,
        "the random-label phase changed the norm"
    );
    for (r, p) in rescaled.params.iter().zip(&p0) {
        assert!((r - p * factor).abs() <= 1e-15 * factor.max(1.0));
    }
    assert!((norm(&rescaled.params) - norm(&random.params)).abs() <= 1e-12 * norm(&random.params));
}

#[test]
fn divergence_stops_with_advice_instead_of_panicking() {
    let mut split = blobs();
    for v in &mut split.train.x {
        *v *= 1e3;
    }
    let config = small(Config {
        lr: 10.0,
        epochs: 50,
        loss: hessian_boundary::config::LossKind::Mse,
        ..Config::default()
    });
    let err = train::train(&config, &split).unwrap_err();
    assert!(
        err.0.contains("diverged") && err.0.contains("lr=10"),
        "{}",
        err.0
    );
}

#[test]
fn same_config_same_bits() {
    let split = blobs();
    let config = Config {
        layers: vec![8, 8],
        epochs: 20,
        batch: 7,
        ..Config::default()
    };
    let a = train::train(&config, &split).unwrap();
    let b = train::train(&config, &split).unwrap();
    assert_eq!(a, b);
    let c = train::train(&Config { seed: 1, ..config }, &split).unwrap();
    assert_ne!(a.params, c.params);
}
