//! The report's text: number formatting, each section's heading and queries, the metrics table, and
//! the opening "at a glance" that sets every measured number beside the paper's.

use std::fmt::Write as _;

use super::cases::{find, Done, RANDOM, SCHEDULES};
use super::robustness;
use super::verdicts::{count_text, g_text, lambda1, measured, random_label_fit, regime_verdict};
use super::Results;
use crate::analysis::margin::Margin;
use crate::analysis::Analysis;
use crate::config::MarginMethod;
use crate::pipeline::Run;

pub(crate) fn parts(run: &Run) -> Result<(&Analysis, &crate::spectrum::Spectrum), String> {
    match (&run.analysis, &run.spectrum) {
        (Some(a), Some(s)) => Ok((a, s)),
        _ => Err(format!(
            "{}: no spectrum or analysis was computed",
            run.config.to_query()
        )),
    }
}

pub(crate) fn run_k(run: &Run) -> usize {
    run.config
        .k
        .min(run.spectrum.as_ref().map_or(0, |s| s.eigen.values.len()))
}

/// Where the predicted class flips along a 1-D run's grid, in input coordinates.
pub(crate) fn class_flips_at(a: &Analysis) -> Vec<f64> {
    let grid = &a.fields.grid;
    crate::render::contour::class_flips(&a.fields.predicted)
        .iter()
        .map(|&c| grid.u_range.0 + (grid.u_range.1 - grid.u_range.0) * c / (grid.width - 1) as f64)
        .collect()
}

/// A number for the report: four significant digits, scientific outside [0.001, 10⁴).
pub(crate) fn num(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || !x.is_finite() {
        format!("{x}")
    } else if !(1e-3..1e4).contains(&a) {
        format!("{x:.3e}")
    } else {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    }
}

pub(crate) fn percent(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// A section's heading, image and the queries that reproduce it.
pub(crate) fn section(title: &str, image: &str, runs: &[&Done]) -> String {
    let mut md = format!("## {title}\n\n![{image}]({image})\n\n");
    for d in runs {
        writeln!(
            md,
            "- {}: `{}` ({:.0} s)",
            d.case.label,
            d.run.config.to_query(),
            d.seconds
        )
        .ok();
    }
    if !runs.is_empty() {
        md.push('\n');
    }
    md
}

/// One row per run: accuracy, G, trace, λ₁, margin.
pub(crate) fn metrics_table(runs: &[&Done]) -> String {
    let mut md = String::from(
        "| run | p | train acc | test acc | G (eigenvectors counted) | ε | tr(H) ± s.e. | λ₁ | margin estimate | true margin | rel. error |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for d in runs {
        let run = &d.run;
        let train = crate::train::accuracy(&run.trained.mlp, &run.trained.params, &run.split.train);
        let test = crate::train::accuracy(&run.trained.mlp, &run.trained.params, &run.split.test);
        let train_text = match random_label_fit(run) {
            Some(fit) => format!("{} (random labels: {})", percent(train), percent(Some(fit))),
            None => percent(train),
        };
        let Ok((a, s)) = parts(run) else { continue };
        let g = &a.generalization;
        let m = &a.margin;
        writeln!(
            md,
            "| {} | {} | {train_text} | {} | {} ({}) | {} | {} ± {} | {} | {} | {} | {} |",
            d.case.label,
            g.params,
            percent(test),
            g_text(g),
            count_text(g),
            num(g.epsilon),
            num(s.trace.estimate),
            num(s.trace.std_error),
            num(s.eigen.values[0]),
            num(m.estimate),
            m.true_margin.map_or("not found".into(), num),
            m.relative_error
                .map_or("–".into(), |e| format!("{:.0}%", 100.0 * e)),
        )
        .ok();
    }
    md
}

/// The paper's margin target: an estimate within this relative error of the true margin.
pub(crate) const MARGIN_TARGET: f64 = 0.25;

/// The margin estimate by every method beside the true margin, on the 2-D paper settings.
pub(crate) fn margin_section(margins: &[(String, Vec<Margin>)]) -> String {
    let mut md = String::from(
        "## 5b. Margin estimates by method\n\n\
         The true margin is the distance from the nearer of x_t^max, x_t^min (the training points most and least aligned with v₁) \
         to the learned boundary, found by marching along many directions and bisecting. `search`: our v1 estimator (x_b by Adam on A₁(x)² \
         from seeded starts); `paper`: the authors' procedure (x_b by SGD on (A₁(x)² − 1)² from N(0, I), 20,000 steps), both estimating \
         min ‖x_t − x_b‖; `boundary-slide` (the default): the boundary point where the ray from x_t towards x_b first changes class, slid \
         along the boundary to the foot nearest x_t — v₁ picks x_t and the section, geometry gives the distance, so where that section is \
         the nearest one it agrees with the true margin by construction. `x_b off boundary` is how far x_b is from the boundary along its normal.\n\n",
    );
    let names: Vec<&str> = MarginMethod::ALL.iter().map(|m| m.name()).collect();
    writeln!(
        md,
        "| setting | true margin | {} | x_b off boundary ({}) |\n|---|---|{}---|",
        names.join(" | "),
        names.join(", "),
        "---|".repeat(names.len())
    )
    .ok();
    for (label, ms) in margins {
        let cells: Vec<String> = ms
            .iter()
            .map(|m| format!("{} ({})", num(m.estimate), error_text(m)))
            .collect();
        let off: Vec<String> = ms
            .iter()
            .map(|m| m.x_b_boundary_distance.map_or("–".into(), num))
            .collect();
        let truth = ms
            .first()
            .and_then(|m| m.true_margin)
            .map_or("not found".into(), num);
        writeln!(
            md,
            "| {label} | {truth} | {} | {} |",
            cells.join(" | "),
            off.join(", ")
        )
        .ok();
    }
    md.push('\n');
    md
}

fn error_text(m: &Margin) -> String {
    m.relative_error
        .map_or("–".into(), |e| format!("{:.0}%", 100.0 * e))
}

/// Every number the paper reports beside ours on the authors' draw and, with `--seeds`, the median
/// and range over the seeded draws.
fn paper_numbers(r: &Results) -> String {
    let n = r.draws.len();
    let mut md = format!(
        "| quantity | paper | ours, authors' draw | seeded draws: median [min–max]{} |\n|---|---|---|---|\n",
        if n > 0 { format!(", {n} draws") } else { String::new() }
    );
    let seeded: Vec<Vec<(String, &str, f64)>> = r
        .draws
        .iter()
        .map(|d| robustness::paper_numbers(&d.regimes[0].run, &d.regimes))
        .collect();
    for (i, (quantity, paper, ours)) in robustness::paper_numbers(&r.gaussian.run, &r.regimes)
        .into_iter()
        .enumerate()
    {
        // Without draws there are no values and the spread reads "–".
        let values: Vec<f64> = seeded.iter().map(|rows| rows[i].2).collect();
        let spread = robustness::spread(&values);
        writeln!(md, "| {quantity} | {paper} | {} | {spread} |", num(ours)).ok();
    }
    if let Ok((_, s)) = parts(&r.line.run) {
        for (i, paper) in ["≈ 11", "≈ 0.7"].iter().enumerate() {
            writeln!(
                md,
                "| 1-D toy λ{} | {paper} | {} | – (fixed points) |",
                crate::render::subscript(i + 1),
                num(s.eigen.values[i])
            )
            .ok();
        }
    }
    md.push('\n');
    md
}

/// The report's opening: each measured number next to the paper's, and the paper's claims as
/// checked here. Only what was measured; the sections below give the details.
pub(crate) fn summary(r: &Results) -> String {
    let mut md = String::from("## At a glance: ours against the paper\n\n");
    md.push_str(&paper_numbers(r));
    if let Ok((a, s)) = parts(&r.line.run) {
        let v = &s.eigen.values;
        let rest = v[2..].iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let flips: Vec<String> = class_flips_at(a)
            .iter()
            .map(|x| format!("{x:.3}"))
            .collect();
        writeln!(
            md,
            "- **1-D toy**: λ₁ = {}, λ₂ = {} (paper ≈ 11, ≈ 0.7); the other {} eigenvalues have |λ| ≤ {} (paper ≈ 0). \
             Class flips at x = {} (paper ≈ 0.745, 1.34).",
            num(v[0]),
            num(v[1]),
            v.len() - 2,
            num(rest),
            flips.join(", ")
        )
        .ok();
    }
    if let Some(s) = &r.gaussian.run.spectrum {
        let v = &s.eigen.values;
        writeln!(
            md,
            "- **Gaussian mixture, normal model**: λ₁ = {} against the paper's 0.154 ({:.1}×); λ₂…λ₇ = {} against 0.023, 0.009, 0.006, 0.005, 0.002, 0.002.",
            num(v[0]),
            v[0] / 0.154,
            v[1..7.min(v.len())].iter().map(|&x| num(x)).collect::<Vec<_>>().join(", ")
        )
        .ok();
    }
    let mut order: Vec<&Done> = r.regimes.iter().collect();
    order.sort_by(|a, b| lambda1(&b.run).total_cmp(&lambda1(&a.run)));
    writeln!(
        md,
        "- **Regimes, λ₁**: {} (largest first). The paper: normal 0.154 > large norm 0.016 > adversarial 0.003.",
        order.iter().map(|d| format!("{} {}", d.case.label, num(lambda1(&d.run)))).collect::<Vec<_>>().join(" > ")
    )
    .ok();
    if let Some(fit) = find(&r.regimes, RANDOM).and_then(|d| random_label_fit(&d.run)) {
        writeln!(
            md,
            "- **Random labels**: after the authors' {} epochs the model fits {:.1}% of its permuted training labels.",
            SCHEDULES[0].random,
            100.0 * fit
        )
        .ok();
    }
    for (schedule, runs) in &r.others {
        let mut order: Vec<&Done> = runs.iter().collect();
        order.sort_by(|a, b| lambda1(&b.run).total_cmp(&lambda1(&a.run)));
        writeln!(
            md,
            "- **Regimes on {}** (authors' schedule), λ₁: {}. G: {}",
            schedule.dataset,
            order
                .iter()
                .map(|d| format!("{} {}", d.case.label, num(lambda1(&d.run))))
                .collect::<Vec<_>>()
                .join(" > "),
            regime_verdict(runs, &measured(runs)).trim()
        )
        .ok();
    }
    let verdicts = [
        (
            "all p, certified, 100-100 net, mean statistic",
            regime_verdict(&r.regimes, &measured(&r.regimes)),
        ),
        (
            "all p, certified, 100-100 net, max statistic",
            regime_verdict(&r.regimes, &r.regimes_max),
        ),
    ];
    for (what, verdict) in verdicts {
        writeln!(md, "- **G ({what})**: {}", verdict.trim()).ok();
    }
    for (i, method) in MarginMethod::ALL.iter().enumerate() {
        let errors: Vec<String> = r
            .margins
            .iter()
            .map(|(label, ms)| format!("{label} {}", error_text(&ms[i])))
            .collect();
        let within = r
            .margins
            .iter()
            .filter(|(_, ms)| ms[i].relative_error.is_some_and(|e| e <= MARGIN_TARGET))
            .count();
        writeln!(
            md,
            "- **Margin, `margin={}`**: within {:.0}% of the true margin on {within} of {} 2-D paper settings; relative errors: {} (section 5b).",
            method.name(),
            100.0 * MARGIN_TARGET,
            r.margins.len(),
            errors.join(", ")
        )
        .ok();
    }
    if let (Some(n), Some(w)) = (find(&r.checker, "normal"), find(&r.checker, "wide margin")) {
        let (mn, mw) = (
            n.run.analysis.as_ref().map(|a| &a.margin),
            w.run.analysis.as_ref().map(|a| &a.margin),
        );
        if let (Some(mn), Some(mw)) = (mn, mw) {
            writeln!(
                md,
                "- **Simplicity bias (checkerboard)**: true margin normal {} vs wide-margin {} (estimates {} vs {}); \
                 the paper: the pre-trained model has the wider margin, which G does not detect (G here: {} vs {}).",
                mn.true_margin.map_or("–".into(), num),
                mw.true_margin.map_or("–".into(), num),
                num(mn.estimate),
                num(mw.estimate),
                n.run.analysis.as_ref().map_or("–".into(), |a| num(a.generalization.aggregate)),
                w.run.analysis.as_ref().map_or("–".into(), |a| num(a.generalization.aggregate)),
            )
            .ok();
        }
    }
    md.push('\n');
    md
}
