//! The margin methods (`margin` key): `search` bit for bit as before, the authors' `paper` procedure
//! step by step against independent references, `boundary-slide` against known margins.

use hessian_boundary::analysis::margin::{
    margin, paper_iterate, paper_lr, paper_step, PAPER_DECAY_AT, PAPER_STEPS,
};
use hessian_boundary::config::{Activation, Config, LossKind, MarginMethod};
use hessian_boundary::data::Dataset;
use hessian_boundary::model::autodiff::{sample_gradient, AlignmentGradient, InputAlignment};
use hessian_boundary::model::Mlp;
use hessian_boundary::rng::Rng;
use hessian_boundary::run_query;
use hessian_boundary::spectrum::{lanczos, LossCurvature, Options};

fn margin_json(query: &str) -> serde_json::Value {
    let r: serde_json::Value = serde_json::from_str(&run_query(query, None).unwrap()).unwrap();
    r["margin"].clone()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Recorded with the build before the `paper` and `boundary-slide` methods (commit 794da9b): the
/// same bits now.
#[test]
fn search_keeps_its_numbers_bit_for_bit() {
    let m = margin_json("v=1&dataset=moons&layers=8,8&epochs=30&k=3&seed=3&grid=16");
    assert_eq!(m["method"], "search");
    assert_eq!(floats(&m["x_b"]), [0.5714331590155344, 0.2661207198290836]);
    assert_eq!(m["alignment_x_b"].as_f64(), Some(-0.9899639158501973));
    assert_eq!(m["search_steps"], 2506);
    assert_eq!(m["estimate"].as_f64(), Some(0.31771535982479693));
    assert_eq!(m["true"].as_f64(), Some(0.08745526782773368));
    assert_eq!(m["relative_error"].as_f64(), Some(2.6328899072223018));
    let m = margin_json("dataset=checker&layers=8,8&epochs=60&k=3&seed=1&grid=16&margin=search");
    assert_eq!(
        floats(&m["x_b"]),
        [-0.07356348122150888, -0.8047157167869838]
    );
    assert_eq!(m["alignment_x_b"].as_f64(), Some(0.8960615808176273));
    assert_eq!(m["search_steps"], 2192);
    assert_eq!(m["estimate"].as_f64(), Some(0.23553102807674395));
    assert_eq!(m["true"].as_f64(), Some(0.011498547417870075));
}

#[test]
fn schema_versions_pick_their_margin_method() {
    assert_eq!(Config::defaults(1).margin, MarginMethod::Search);
    assert_eq!(Config::default().margin, MarginMethod::BoundarySlide);
    assert_eq!(Config::parse("v=1").unwrap().margin, MarginMethod::Search);
    assert_eq!(
        Config::parse("").unwrap().margin,
        MarginMethod::BoundarySlide
    );
    assert_eq!(
        Config::parse("margin=paper").unwrap().margin,
        MarginMethod::Paper
    );
}

fn tiny(act: Activation) -> (Mlp, Vec<f64>, Vec<f64>) {
    let mlp = Mlp::new(2, &[6, 5], 3, act, LossKind::Ce);
    let mut rng = Rng::new(7);
    let params = mlp.init(&mut rng);
    let v: Vec<f64> = (0..params.len()).map(|_| rng.normal()).collect();
    (mlp, params, v)
}

/// A_1 the plain way: the materialized per-sample gradient and its cosine with v.
fn reference_alignment(mlp: &Mlp, params: &[f64], v: &[f64], x: &[f64]) -> f64 {
    let (g, _) = sample_gradient(mlp, params, x);
    let dot: f64 = g.iter().zip(v).map(|(a, b)| a * b).sum();
    let ng = g.iter().map(|a| a * a).sum::<f64>().sqrt();
    let nv = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    dot / (ng * nv)
}

#[test]
fn reverse_mode_alignment_gradient_matches_forward_mode_and_finite_differences() {
    for act in [Activation::Tanh, Activation::Relu] {
        let (mlp, params, v) = tiny(act);
        let mut fwd = InputAlignment::new(&mlp, &params, &v);
        let mut rev = AlignmentGradient::new(&mlp, &params, &v);
        for x in [[0.3, -0.2], [1.1, 0.7], [-0.9, 1.4]] {
            let (a, ga) = fwd.at(&x);
            let (b, gb) = rev.at(&x);
            assert!((a - b).abs() < 1e-13, "{a} vs {b}");
            assert!((a - reference_alignment(&mlp, &params, &v, &x)).abs() < 1e-13);
            let h = 1e-6;
            for j in 0..2 {
                let (mut xp, mut xm) = (x, x);
                xp[j] += h;
                xm[j] -= h;
                let fd = (reference_alignment(&mlp, &params, &v, &xp)
                    - reference_alignment(&mlp, &params, &v, &xm))
                    / (2.0 * h);
                assert!((ga[j] - gb[j]).abs() <= 1e-10 * (1.0 + ga[j].abs()));
                assert!(
                    (gb[j] - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
                    "{} vs {fd}",
                    gb[j]
                );
            }
        }
    }
}

/// One step of the paper's SGD against a hand-rolled reference: central differences of
/// (A_1² − 1)² on the materialized-gradient A_1, plus weight decay as PyTorch adds it.
#[test]
fn paper_step_matches_a_finite_difference_reference() {
    let (mlp, params, v) = tiny(Activation::Tanh);
    let loss = |x: &[f64]| {
        let a = reference_alignment(&mlp, &params, &v, x);
        (a * a - 1.0) * (a * a - 1.0)
    };
    let x0 = [0.3, -0.2];
    let h = 1e-6;
    let fd: Vec<f64> = (0..2)
        .map(|j| {
            let (mut xp, mut xm) = (x0, x0);
            xp[j] += h;
            xm[j] -= h;
            (loss(&xp) - loss(&xm)) / (2.0 * h)
        })
        .collect();
    let reference: Vec<f64> = (0..2)
        .map(|j| x0[j] - 0.01 * (fd[j] + 1e-3 * x0[j]))
        .collect();
    let mut ag = AlignmentGradient::new(&mlp, &params, &v);
    let (x1, computed) = paper_iterate(&x0, 1, |x| ag.at(x));
    assert_eq!(computed, 1);
    for j in 0..2 {
        assert!(
            (x1[j] - reference[j]).abs() < 1e-9,
            "{x1:?} vs {reference:?}"
        );
    }
}

/// With a zero loss gradient only weight decay acts: the iterates show the schedule, lr 0.01 for
/// 5,000 steps, then 0.001 to 20,000.
#[test]
fn paper_schedule_and_weight_decay_are_visible_in_the_iterates() {
    assert_eq!((paper_lr(0), paper_lr(4_999)), (0.01, 0.01));
    assert_eq!(paper_lr(5_000), 0.01 * 0.1);
    let x0 = [1.0, -2.0];
    let (x, computed) = paper_iterate(&x0, PAPER_STEPS, |_| (0.0, vec![0.0, 0.0]));
    assert_eq!(computed, PAPER_STEPS);
    let expected = (1.0f64 - 0.01 * 1e-3).powi(5_000) * (1.0f64 - 0.001 * 1e-3).powi(15_000);
    for j in 0..2 {
        assert!(
            (x[j] / x0[j] - expected).abs() < 1e-12,
            "{} vs {expected}",
            x[j] / x0[j]
        );
    }
    let (half, _) = paper_iterate(&x0, PAPER_DECAY_AT, |_| (0.0, vec![0.0, 0.0]));
    let expected = (1.0f64 - 0.01 * 1e-3).powi(5_000);
    assert!((half[0] - expected).abs() < 1e-12);
}

/// The skip of repeated iterates (fixed points, 2-cycles) gives the bits of all 20,000 steps.
#[test]
fn paper_iterate_equals_the_plain_loop() {
    let plain = |x0: &[f64], at: &mut dyn FnMut(&[f64]) -> (f64, Vec<f64>)| {
        let mut x = x0.to_vec();
        for t in 0..PAPER_STEPS {
            let (a, g) = at(&x);
            x = paper_step(&x, a, &g, t);
        }
        x
    };
    // A fixed point: x = 0 with no loss gradient.
    let (x, computed) = paper_iterate(&[0.0, 0.0], PAPER_STEPS, |_| (1.0, vec![0.0, 0.0]));
    assert_eq!((x, computed), (vec![0.0, 0.0], 1));
    // A step that maps x to about −x·(1 − ε): the iterates shrink to subnormals and there end in an
    // exact 2-cycle, which the skip jumps over.
    let cycle = |x: &[f64]| {
        let c = 4.0 * 0.5 * (0.25 - 1.0); // a = 0.5
        (
            0.5,
            x.iter().map(|&xi| (200.0 * xi - 1e-3 * xi) / c).collect(),
        )
    };
    let x0 = [0.5, 0.25];
    let (x, computed) = paper_iterate(&x0, PAPER_STEPS, cycle);
    let reference = plain(&x0, &mut |x| cycle(x));
    assert_eq!(x, reference);
    assert!(computed < PAPER_STEPS, "the cycle was skipped: {computed}");
    // The real thing on a tiny model.
    let (mlp, params, v) = tiny(Activation::Relu);
    let mut ag = AlignmentGradient::new(&mlp, &params, &v);
    let x0 = [0.4, 0.9];
    let (x, computed) = paper_iterate(&x0, PAPER_STEPS, |x| ag.at(x));
    let reference = plain(&x0, &mut |x| ag.at(x));
    assert_eq!(x, reference);
    eprintln!("tiny model: {computed} of {PAPER_STEPS} steps computed");
}

/// A linear two-class model: the boundary is the line w·x + c = 0, every point's margin is
/// |w·x + c| / ‖w‖, and the slide must land on the foot of the perpendicular.
#[test]
fn boundary_slide_finds_the_known_margin_of_a_linear_model() {
    let mlp = Mlp::new(2, &[], 2, Activation::Relu, LossKind::Ce);
    // Class 0 logit 1.0·x₀ + 0.5·x₁ − 0.3, class 1 logit 0: boundary x₀ + 0.5 x₁ = 0.3.
    let params = vec![1.0, 0.5, 0.0, 0.0, -0.3, 0.0];
    let mut rng = Rng::new(5);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for _ in 0..40 {
        let p = [rng.normal(), rng.normal()];
        let side = p[0] + 0.5 * p[1] - 0.3;
        if side.abs() < 0.05 {
            continue;
        }
        x.extend(p);
        y.push(if side > 0.0 { 0 } else { 1 });
    }
    let train = Dataset {
        dim: 2,
        classes: 2,
        x,
        y,
    };
    let eigen = lanczos(
        &mut LossCurvature::hessian(&mlp, &params, &train),
        &Options::new(1, 0),
        None,
    );
    let v1 = &eigen.vectors[0];
    let m = margin(&mlp, &params, &train, v1, 0, MarginMethod::BoundarySlide);
    let known = |p: &[f64]| (p[0] + 0.5 * p[1] - 0.3).abs() / 1.25f64.sqrt();
    let expected = known(&m.x_t_max).min(known(&m.x_t_min));
    assert!(
        (m.estimate - expected).abs() <= 1e-6 * expected,
        "estimate {} vs known {expected}",
        m.estimate
    );
    let foot = m.boundary_point.as_ref().unwrap();
    assert!(
        known(foot) < 1e-6,
        "the slide's end is on the boundary: {foot:?}"
    );
    assert!((m.true_margin.unwrap() - expected).abs() <= 1e-3 * expected);
    // Determinism: the same bits again.
    assert_eq!(
        m,
        margin(&mlp, &params, &train, v1, 0, MarginMethod::BoundarySlide)
    );
}

/// The v=2 default on the paper's gaussian setting (their exact points): within 25 % of the true
/// margin, x_b on the boundary, and the same bits on a second run.
#[test]
fn boundary_slide_is_within_a_quarter_of_the_true_margin_on_the_gaussian_setting() {
    let a = run_query("", None).unwrap();
    let r: serde_json::Value = serde_json::from_str(&a).unwrap();
    let m = &r["margin"];
    assert_eq!(m["method"], "boundary-slide");
    let e = m["relative_error"].as_f64().unwrap();
    assert!(e <= 0.25, "relative error {e}");
    assert!(m["x_b_boundary_distance"].as_f64().unwrap() < 0.1);
    assert_eq!(run_query("", None).unwrap(), a);
}

#[test]
fn paper_method_is_deterministic_and_reports_its_method() {
    let q = "dataset=moons&layers=8,8&epochs=30&k=3&seed=3&grid=16&margin=paper";
    let a = run_query(q, None).unwrap();
    assert_eq!(run_query(q, None).unwrap(), a);
    let r: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(r["margin"]["method"], "paper");
    assert!(r["margin"]["search_steps"].as_u64().unwrap() <= PAPER_STEPS as u64);
}
