//! The measures of `reproduce --seeds`: the authors' ReLU rescaling, the outlier criterion and the
//! boundary sections each top eigenvector wins.

use hessian_boundary::model::autodiff::predict;
use hessian_boundary::model::Mlp;
use hessian_boundary::reproduce::robustness::{outliers, rescale, section_shares, RESCALING};
use hessian_boundary::rng::Rng;
use hessian_boundary::{config::*, run_query, Config};

#[test]
fn the_rescaling_keeps_the_function_and_scales_each_layer_as_the_authors() {
    let mlp = Mlp::new(2, &[5, 4], 3, Activation::Relu, LossKind::Ce);
    let params = mlp.init(&mut Rng::new(3));
    let scaled = rescale(&mlp, &params, RESCALING).unwrap();
    let [a1, a2, a3] = RESCALING;
    let l = &mlp.layers;
    // W1, b1 × α1; W2 × α2, b2 × α1α2; W3 × α3, b3 unchanged.
    let factor = |i: usize| {
        let expect = [
            (l[0].w..l[0].b, a1),
            (l[0].b..l[1].w, a1),
            (l[1].w..l[1].b, a2),
            (l[1].b..l[2].w, a1 * a2),
            (l[2].w..l[2].b, a3),
            (l[2].b..params.len(), 1.0),
        ];
        expect.iter().find(|(r, _)| r.contains(&i)).unwrap().1
    };
    for i in 0..params.len() {
        assert_eq!(scaled[i], params[i] * factor(i), "parameter {i}");
    }
    let x: Vec<f64> = (0..40).map(|i| (i as f64 * 0.37).sin() * 3.0).collect();
    assert_eq!(predict(&mlp, &scaled, &x), predict(&mlp, &params, &x));
    let deep = Mlp::new(2, &[3], 2, Activation::Relu, LossKind::Ce);
    assert!(rescale(&deep, &deep.init(&mut Rng::new(1)), RESCALING).is_err());
}

#[test]
fn outliers_are_the_eigenvalues_before_the_widest_gap() {
    assert_eq!(outliers(&[10.0, 9.0, 8.0, 1.0, 0.9, 0.5]), 3);
    assert_eq!(outliers(&[0.154, 0.023, 0.009, 0.006]), 1);
    assert_eq!(outliers(&[5.0, 4.0, -1.0]), 1);
    assert_eq!(outliers(&[2.0]), 1);
    assert_eq!(outliers(&[]), 0);
}

#[test]
fn the_top_eigenvectors_share_the_boundary_pixels() {
    let config = Config::parse("dataset=gaussian&layers=16,16&epochs=300&k=4&grid=48").unwrap();
    let run = hessian_boundary::run(&config, None).unwrap();
    let shares = section_shares(&run);
    assert_eq!(shares.len(), 3);
    assert!(
        (shares.iter().sum::<f64>() - 1.0).abs() < 1e-12,
        "{shares:?}"
    );
    assert!(run_query("v=2&epochs=0&k=2&grid=8", None).is_ok());
}

#[test]
fn every_case_of_the_reproduction_is_a_valid_query_on_the_authors_schedule() {
    use hessian_boundary::reproduce::cases::{queries, SCHEDULES};
    for s in SCHEDULES {
        let cases = s.cases("");
        assert_eq!(
            cases.len(),
            3 + usize::from(s.large_norm.is_some()),
            "{}",
            s.dataset
        );
        for case in cases {
            let c = Config::parse(&case.query).unwrap_or_else(|e| panic!("{}: {e}", case.query));
            let epochs = match c.regime {
                Regime::Normal => s.normal,
                Regime::RandomLabels => s.random,
                Regime::Adversarial => s.adversarial,
                Regime::LargeNorm => s.large_norm.unwrap(),
            };
            assert_eq!(c.epochs, epochs, "{}", case.query);
            if matches!(c.regime, Regime::Adversarial | Regime::LargeNorm) {
                assert_eq!(c.pre, s.random, "{}", case.query);
            }
            // The paper's synthetic sets on the authors' points.
            assert_eq!(
                c.draw() == Draw::Paper,
                c.dataset.has_paper_draw(),
                "{}",
                case.query
            );
        }
    }
    for q in [
        queries::LINE1D,
        queries::GAUSSIAN,
        queries::CHECKER,
        queries::CHECKER_WIDE,
        queries::IRIS,
        queries::DIGITS,
    ] {
        Config::parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    assert_eq!(Config::parse(queries::LINE1D).unwrap().draw(), Draw::Paper);
}
