//! The figures as PNG files, each with its report section: the charts come from [`crate::render`],
//! the numbers beside the paper's from [`super::report`].

use std::fmt::Write as _;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::cases::{Done, Schedule};
use super::report::{class_flips_at, metrics_table, num, parts, run_k, section};
use super::verdicts::{count_text, lambda1, measured, regime_verdict};
use crate::analysis::generalization::Generalization;
use crate::render::{self, DrawResult, Theme};

/// The PNGs are drawn at twice their CSS size, for crisp text on high-density screens.
pub const THEME: Theme = Theme { scale: 2.0 };

/// Draws a figure of `size` CSS pixels and writes it as `out/name`.
pub(crate) fn save_png(
    out: &Path,
    name: &str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult<BitMapBackend<'static>>,
) -> Result<(), String> {
    let rgb = render::bitmap::render_rgb(size, &THEME, draw)?;
    let path = out.join(name);
    let file = std::fs::File::create(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut encoder = png::Encoder::new(
        std::io::BufWriter::new(file),
        THEME.px(size.0 as f64),
        THEME.px(size.1 as f64),
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder
        .write_header()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    writer
        .write_image_data(&rgb)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    writer
        .finish()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The 1-D toy (paper: λ₁ ≈ 11, λ₂ ≈ 0.7, boundary near 0.745 and 1.34, A₁ and A₂ flip sign there).
pub fn figure_line1d(d: &Done, out: &Path) -> Result<String, String> {
    save_png(out, "fig1_line1d.png", (900, 430), |area| {
        render::draw_line_fields(
            area,
            &d.run,
            2,
            "1-D toy: alignment with the top two eigenvectors",
            &THEME,
        )
    })?;
    let (a, s) = parts(&d.run)?;
    let flips = render::contour::class_flips(&a.fields.predicted);
    let mut md = section("1. One-dimensional toy", "fig1_line1d.png", &[d]);
    let near_zero = s.eigen.values[2..]
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    writeln!(md, "| quantity | ours | paper |\n|---|---|---|").ok();
    writeln!(md, "| λ₁ | {} | ≈ 11 |", num(s.eigen.values[0])).ok();
    writeln!(md, "| λ₂ | {} | ≈ 0.7 |", num(s.eigen.values[1])).ok();
    writeln!(
        md,
        "| max \\|λᵢ\\|, i ≥ 3 (of {}) | {} | ≈ 0 |",
        s.eigen.values.len(),
        num(near_zero)
    )
    .ok();
    let flip_text: Vec<String> = class_flips_at(a)
        .iter()
        .map(|x| format!("{x:.3}"))
        .collect();
    writeln!(
        md,
        "| class flips at x | {} | ≈ 0.745, 1.34 |",
        flip_text.join(", ")
    )
    .ok();
    for i in 0..2 {
        let signs: Vec<&str> = flips
            .iter()
            .map(|&c| {
                let (l, r) = (
                    a.fields.alignment[i][c.floor() as usize],
                    a.fields.alignment[i][c.ceil() as usize],
                );
                if l * r < 0.0 {
                    "yes"
                } else {
                    "no"
                }
            })
            .collect();
        writeln!(
            md,
            "| A{} changes sign across each flip | {} | yes |",
            render::subscript(i + 1),
            signs.join(", ")
        )
        .ok();
    }
    writeln!(md, "{}", metrics_table(&[d])).ok();
    Ok(md)
}

/// The gaussian mixture's main figure.
pub fn figure_gaussian(d: &Done, out: &Path) -> Result<String, String> {
    save_png(out, "fig2_gaussian.png", (1200, 640), |area| {
        render::draw_overview(area, &d.run, 5, &THEME)
    })?;
    let (_, s) = parts(&d.run)?;
    let paper = [0.154, 0.023, 0.009, 0.006, 0.005, 0.002, 0.002];
    let mut md = section(
        "2. Gaussian mixture: boundary, spectrum and the top fields",
        "fig2_gaussian.png",
        &[d],
    );
    writeln!(md, "| i | λᵢ ours | λᵢ paper |\n|---|---|---|").ok();
    for (i, v) in s.eigen.values.iter().take(run_k(&d.run)).enumerate() {
        let p = paper.get(i).map_or("–".to_string(), |p| p.to_string());
        writeln!(md, "| {} | {} | {p} |", i + 1, num(*v)).ok();
    }
    writeln!(md, "\n{}", metrics_table(&[d])).ok();
    Ok(md)
}

/// Beyond the paper: the loss along the gaussian model's top eigenvectors against their quadratic
/// models, and the self-test of its numbers.
pub fn figure_perturbation(d: &Done, out: &Path) -> Result<String, String> {
    save_png(out, "fig2b_perturbation.png", (900, 520), |area| {
        render::draw_perturbation(
            area,
            &d.run,
            4,
            "Gaussian: the loss along the top eigenvectors",
            &THEME,
        )
    })?;
    let (a, _) = parts(&d.run)?;
    let mut md = section(
        "2b. Gaussian mixture: θ moved along the top eigenvectors (beyond the paper)",
        "fig2b_perturbation.png",
        &[d],
    );
    writeln!(
        md,
        "Each curve is the training loss along θ + t·vᵢ on the scale where ½λᵢt² is the same parabola \
         (dashed); the curvature at 0 is measured from loss values alone.\n\n\
         | i | λᵢ | curvature at 0 | stencil, step |\n|---|---|---|---|"
    )
    .ok();
    for l in a.perturbation.lines.iter().take(4) {
        writeln!(
            md,
            "| {} | {} | {} | {:?}, {:.2e} |",
            l.index,
            num(l.eigenvalue),
            num(l.curvature),
            l.stencil,
            l.step
        )
        .ok();
    }
    writeln!(
        md,
        "\nSelf-test of this run:\n\n| check | value | tolerance | pass |\n|---|---|---|---|"
    )
    .ok();
    for c in &d.run.checks {
        let value = c
            .value
            .map_or("skipped".to_string(), |v| format!("{v:.2e}"));
        let pass = c.pass.map_or("–", |p| if p { "yes" } else { "**no**" });
        writeln!(
            md,
            "| {} | {value} | {:.0e} | {pass} |",
            c.name, c.tolerance
        )
        .ok();
    }
    Ok(md)
}

/// Boundary, top eigenvalues and density per regime, one column each.
pub(crate) fn regimes_png(runs: &[Done], out: &Path, name: &str) -> Result<(), String> {
    save_png(out, name, (1320, 960), |area| {
        render::figures::draw_regimes(area, &labelled(runs), &THEME)
    })
}

/// Each run with its case's label, as the composite figures take them.
pub(crate) fn labelled(runs: &[Done]) -> Vec<render::figures::Labelled<'_>> {
    runs.iter().map(|d| (d.case.label, &d.run)).collect()
}

/// The regimes at the paper's width: boundary and spectrum (figure 3) and alignment matrices
/// (figure 4).
pub fn figure_regimes(
    runs: &[Done],
    schedule: &Schedule,
    out: &Path,
) -> Result<(String, String), String> {
    regimes_png(runs, out, "fig3_regimes.png")?;
    save_png(
        out,
        "fig4_alignment_matrix.png",
        (1100, 230 * runs.len() as u32),
        |area| render::figures::draw_alignment_matrices(area, &labelled(runs), &THEME),
    )?;

    let refs: Vec<&Done> = runs.iter().collect();
    let mut md = section(
        "3. Training regimes on the gaussian mixture",
        "fig3_regimes.png",
        &refs,
    );
    writeln!(md, "{}", schedule_text(schedule)).ok();
    writeln!(md, "{}", metrics_table(&refs)).ok();
    writeln!(md, "{}", regime_verdict(runs, &measured(runs))).ok();
    let paper = [
        ("normal", "0.154"),
        ("adversarial init", "0.003"),
        ("large norm", "0.016"),
    ];
    writeln!(
        md,
        "λ₁ against the paper's figures:\n\n| regime | ours | paper |\n|---|---|---|"
    )
    .ok();
    for (label, p) in paper {
        if let Some(d) = runs.iter().find(|d| d.case.label == label) {
            writeln!(md, "| {label} | {} | {p} |", num(lambda1(&d.run))).ok();
        }
    }
    let mut md4 = section("4. Alignment matrices", "fig4_alignment_matrix.png", &[]);
    writeln!(md4, "Rows: the top-{} eigenvectors; columns: the training points grouped by their true class. Same runs as figure 3.", run_k(&runs[0].run)).ok();
    Ok((md, md4))
}

/// The authors' schedule of a dataset's regimes, as the report states it.
fn schedule_text(s: &Schedule) -> String {
    let large = s.large_norm.map_or(String::new(), |e| {
        format!("; large norm: a fresh init rescaled to that model's norm, then {e} epochs on the true labels")
    });
    format!(
        "The authors' schedule: normal {} epochs; random labels {} epochs on their permutation of the labels; \
         adversarial init: {} true-label epochs from the random-label model{large}. \
         The random-label phase is trained once and the other regimes resume from it (same bits as training it again).\n",
        s.normal, s.random, s.adversarial
    )
}

/// G over all p eigenvectors (certified) for the gaussian regimes of section 3, with both statistics:
/// the poster's mean (the pipeline's default, with the exact expected ε) and the authors' code's max
/// (`maxes`, per run, with the sampled ε).
pub fn g_section(runs: &[Done], maxes: &[Option<Generalization>]) -> String {
    let p = runs.first().map_or(0, |d| d.run.trained.params.len());
    let mut md = format!(
        "## 3b. G over all p = {p} eigenvectors, both statistics\n\n\
         The runs of section 3. G counts every eigenvector whose statistic of |Aᵢ| over the training points exceeds ε, over all p, \
         certified: block Krylov from the training gradients gives their components on the eigenvectors, and the gradients' \
         energy left outside bounds what the uncomputed ones can add (README, \"How the numbers are made\"). Each cell is the \
         count (an interval where the certificate does not close it) and its certificate.\n\n"
    );
    writeln!(
        md,
        "With the poster's statistic (mean of |Aᵢ|, ε its exact expectation over random directions): {}",
        regime_verdict(runs, &measured(runs))
    )
    .ok();
    writeln!(
        md,
        "With the authors' code's statistic (max of |Aᵢ|, ε from 5 sampled directions; `&measure=max`): {}",
        regime_verdict(runs, maxes)
    )
    .ok();
    writeln!(
        md,
        "| regime | G (mean) | count (mean) | ε (mean) | G (max) | count (max) | ε (max) |\n|---|---|---|---|---|---|---|"
    )
    .ok();
    for ((d, g), gmax) in runs.iter().zip(measured(runs)).zip(maxes) {
        let cells = |g: &Option<Generalization>| match g {
            Some(g) => format!(
                "{} | {} ({}) | {}",
                num(g.aggregate),
                count_text(g),
                serde_json::to_value(g.certified.certificate)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                num(g.epsilon)
            ),
            None => "– | – | –".into(),
        };
        writeln!(md, "| {} | {} | {} |", d.case.label, cells(&g), cells(gmax)).ok();
    }
    md.push('\n');
    md
}

/// The checkerboard: the margin estimate on the boundary and the top fields, for the normal model
/// and (when the config knows `pretrain`) the wide-margin one.
pub fn figure_checker(runs: &[Done], missing: Option<&str>, out: &Path) -> Result<String, String> {
    const FIELDS: usize = 4;
    save_png(
        out,
        "fig5_checker.png",
        (1300, 480 * runs.len() as u32),
        |area| render::figures::draw_margins_and_fields(area, &labelled(runs), FIELDS, &THEME),
    )?;
    let refs: Vec<&Done> = runs.iter().collect();
    let mut md = section(
        "5. Simplicity bias: checkerboard and margin",
        "fig5_checker.png",
        &refs,
    );
    if let Some(why) = missing {
        writeln!(md, "**TODO**: the wide-margin model (pre-trained on checker-noisy) is not in this report: {why}\n")
            .ok();
    }
    writeln!(md, "{}", metrics_table(&refs)).ok();
    Ok(md)
}

/// Iris and digits {0, 1, 7}: fields on the principal plane of the inputs.
pub fn figure_real(runs: &[Done], out: &Path) -> Result<String, String> {
    let mut names = vec![];
    for (i, d) in runs.iter().enumerate() {
        let name = format!(
            "fig6{}_{}.png",
            (b'a' + i as u8) as char,
            d.case.label.replace(' ', "_")
        );
        save_png(out, &name, (1200, 640), |area| {
            render::draw_overview(area, &d.run, 5, &THEME)
        })?;
        names.push(name);
    }
    let refs: Vec<&Done> = runs.iter().collect();
    let mut md = section(
        "6. Iris and digits {0, 1, 7} (principal plane)",
        &names[0],
        &refs,
    );
    for name in &names[1..] {
        writeln!(md, "![{name}]({name})\n").ok();
    }
    writeln!(md, "For d > 2 the fields are drawn on the plane through the training mean spanned by the first two principal components; points are projected onto it, so their distance to the drawn boundary is only indicative.\n").ok();
    writeln!(md, "{}", metrics_table(&refs)).ok();
    Ok(md)
}

/// The regimes of the other datasets on the authors' schedules: per dataset a figure (boundary,
/// spectrum, density per regime), the metrics and whether G ranks the normal model best.
pub fn figure_regimes_other(
    groups: &[(Schedule, Vec<Done>)],
    out: &Path,
) -> Result<String, String> {
    let mut md = String::from("## 3c. The regimes on the other datasets\n\n");
    for (schedule, runs) in groups {
        let name = format!("fig3c_regimes_{}.png", schedule.dataset);
        regimes_png(runs, out, &name)?;
        let refs: Vec<&Done> = runs.iter().collect();
        let part = section(&format!("3c. {}", schedule.dataset), &name, &refs);
        md.push_str(&part.replacen("## ", "### ", 1));
        writeln!(md, "{}", schedule_text(schedule)).ok();
        writeln!(md, "{}", metrics_table(&refs)).ok();
        writeln!(md, "{}", regime_verdict(runs, &measured(runs))).ok();
    }
    Ok(md)
}
