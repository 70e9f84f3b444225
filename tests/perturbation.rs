//! The perturbation explorer's numbers and the self-test: the loss along θ + t·v_i against the
//! eigenpair (its second difference and the parabola ½λt²), the surface on the plane of v₁, v₂, and
//! the checks passing on a sound run and failing on a corrupted one.

use hessian_boundary::analysis::checks::checks;
use hessian_boundary::analysis::perturbation::{perturbation, reach, Stencil};
use hessian_boundary::config::Config;
use hessian_boundary::model::autodiff::{loss, Target};
use hessian_boundary::Run;

fn run(query: &str) -> Run {
    hessian_boundary::run(&Config::parse(query).unwrap(), None).unwrap()
}

const SMOOTH: &str =
    "dataset=moons&n=200&layers=16,16&act=tanh&epochs=300&k=4&grid=16&g-over=solver&margin=search";

#[test]
fn the_loss_along_each_eigenvector_curves_like_its_eigenvalue() {
    let r = run(SMOOTH);
    let s = r.spectrum.as_ref().unwrap();
    let p = &r.analysis.as_ref().unwrap().perturbation;
    let train = &r.split.train;
    let l0 = loss(
        &r.trained.mlp,
        &r.trained.params,
        &train.x,
        Target::Labels(&train.y),
    );
    assert_eq!(p.lines.len(), 4);
    for (i, line) in p.lines.iter().enumerate() {
        let lambda = s.eigen.values[i];
        assert_eq!(line.index, i + 1);
        assert_eq!(line.eigenvalue, lambda);
        assert!(
            (line.curvature - lambda).abs() <= 1e-5 * lambda.abs(),
            "λ{}: curvature {} vs {lambda}",
            i + 1,
            line.curvature
        );
        // 41 symmetric points with t = 0 in the middle, reaching where ½λt² = 2.
        assert_eq!(line.t.len(), 41);
        assert_eq!(line.t[20], 0.0);
        assert_eq!(line.loss[20], l0);
        let r_i = reach(lambda, &r.trained.params);
        assert_eq!((line.t[0], line.t[40]), (-r_i, r_i));
        // Near 0 the loss is the quadratic model: at t = ±reach/20, ½λt² = 0.005; the mean of the
        // two sides (no odd terms) matches it to 10 %.
        let rise = (line.loss[21] + line.loss[19]) / 2.0 - l0;
        let model = 0.5 * lambda * line.t[21] * line.t[21];
        assert!(
            (rise - model).abs() <= 0.1 * model,
            "λ{}: {rise} vs {model}",
            i + 1
        );
    }
    let surface = p.surface.as_ref().unwrap();
    assert_eq!(
        (surface.a.len(), surface.b.len(), surface.loss.len()),
        (21, 21, 441)
    );
    assert_eq!(surface.loss[10 * 21 + 10], l0);
    // The surface's axes are the lines of v₁ and v₂: its middle row is the v₁ line's loss at the
    // shared points.
    assert_eq!(surface.a[0], p.lines[0].t[0]);
    assert_eq!(surface.loss[10 * 21], p.lines[0].loss[0]);
}

#[test]
fn a_relu_networks_curvature_is_measured_inside_a_kink_free_window() {
    let r =
        run("dataset=moons&n=200&layers=32,32&epochs=300&k=2&grid=16&g-over=solver&margin=search");
    let p = &r.analysis.as_ref().unwrap().perturbation;
    let lambda = r.spectrum.as_ref().unwrap().eigen.values[0];
    let line = &p.lines[0];
    assert!(
        (line.curvature - lambda).abs() <= 1e-4 * lambda,
        "{} vs {lambda}",
        line.curvature
    );
    assert!(line.step <= 1e-4 * reach(lambda, &r.trained.params));
    // This θ is within 10⁻⁸ of a kink: only a one-sided stencil avoids it.
    assert_ne!(line.stencil, Stencil::Central);
}

#[test]
fn perturbation_changes_no_other_number() {
    // The same run with the analysis recomputed from scratch gives the same perturbation, and the
    // perturbation needs only θ, the data and the eigenpairs (no random numbers).
    let r = run(SMOOTH);
    let s = r.spectrum.as_ref().unwrap();
    let again = perturbation(
        &r.trained.mlp,
        &r.trained.params,
        &r.split.train,
        &s.eigen.values[..4],
        &s.eigen.vectors[..4],
    );
    assert_eq!(again, r.analysis.as_ref().unwrap().perturbation);
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["perturbation"]["lines"].as_array().unwrap().len(), 4);
    assert_eq!(
        json["perturbation"]["surface"]["loss"]
            .as_array()
            .unwrap()
            .len(),
        441
    );
}

#[test]
fn every_check_passes_on_a_sound_run_and_names_what_it_compared() {
    let r = run(SMOOTH);
    let names: Vec<&str> = r.checks.iter().map(|c| c.name).collect();
    assert_eq!(names, ["hvp", "symmetry", "residual", "curvature", "dense"]);
    for c in &r.checks {
        assert_eq!(c.pass, Some(true), "{c:?}");
        assert!(c.value.unwrap() <= c.tolerance);
        assert!(!c.detail.is_empty());
    }
    // p = 337 ≤ 4,000: Lanczos against the dense route, to rounding.
    let dense = &r.checks[4];
    assert!(dense.value.unwrap() < 1e-12, "{dense:?}");
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["checks"][0]["name"], "hvp");
    assert_eq!(json["checks"][4]["pass"], true);
}

#[test]
fn the_checks_catch_a_wrong_eigenpair() {
    let r = run(SMOOTH);
    let mut spectrum = r.spectrum.clone().unwrap();
    // λ₁ off by 1 % and its reported residual hidden: the curvature and the dense check must object.
    spectrum.eigen.values[0] *= 1.01;
    let curvature = r.analysis.as_ref().unwrap().perturbation.lines[0].curvature;
    let found = checks(
        &r.config,
        &r.trained.mlp,
        &r.trained.params,
        &r.split.train,
        &spectrum,
        Some(curvature),
    );
    let failed: Vec<&str> = found
        .iter()
        .filter(|c| c.pass == Some(false))
        .map(|c| c.name)
        .collect();
    assert_eq!(failed, ["curvature", "dense"]);
}

#[test]
fn the_dense_check_is_skipped_beyond_its_limit_and_says_why() {
    let r =
        run("dataset=moons&n=100&layers=64,64&epochs=5&k=2&grid=16&g-over=solver&margin=search");
    let dense = r.checks.iter().find(|c| c.name == "dense").unwrap();
    assert_eq!((dense.value, dense.pass), (None, None));
    assert!(dense.detail.contains("p = 4482"), "{}", dense.detail);
}
