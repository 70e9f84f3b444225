//! `hessian-boundary reproduce`: the paper's figures from this crate's pipeline, as PNGs, with a
//! report of every number measured (`report.md`).
//!
//! Each figure is a few [`Case`]s (a label and a query string, so `hessian-boundary run --config
//! '<query>'` reproduces the numbers), run through [`crate::run`], drawn with the charts of
//! [`super`] on the bitmap backend, and described in one section of the report. The paper's own
//! numbers (from `settings.md` of the reproduction brief) are quoted beside ours.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_alignment_matrix, draw_boundary, draw_density, draw_eigenvalues, draw_fields,
    draw_line_fields, draw_margin, draw_overview, DrawResult, Theme,
};
use crate::analysis::generalization::Generalization;
use crate::config::Config;
use crate::export::Run;

/// The PNGs are drawn at twice their CSS size, for crisp text on high-density screens.
pub const THEME: Theme = Theme { scale: 2.0 };

/// One pipeline run of the reproduction.
#[derive(Clone, Debug)]
pub struct Case {
    pub label: &'static str,
    pub query: String,
}

impl Case {
    pub fn new(label: &'static str, query: &str) -> Case {
        Case {
            label,
            query: query.to_string(),
        }
    }
}

/// A finished case with its wall-clock time.
#[derive(Clone)]
pub struct Done {
    pub case: Case,
    pub run: Run,
    pub seconds: f64,
}

/// The paper's settings for each figure (see the module docs of [`crate::config`] for the keys).
pub mod queries {
    /// 1-D toy: 1–10–2 net, full batch; the dense solver gives all 42 eigenvalues; a fine grid
    /// places the class flips to ±0.002.
    pub const LINE1D: &str =
        "dataset=line1d&train=1&layers=10&lr=0.002&batch=6&epochs=45000&solver=dense&grid=512";
    /// The paper's main setting is the default config.
    pub const GAUSSIAN: &str = "v=1";
    pub const CHECKER: &str = "dataset=checker";
    /// The wide-margin model: pre-trained on the noisy-close checkerboard, then the linear-close one.
    pub const CHECKER_WIDE: &str = "dataset=checker&pretrain=checker-noisy&pre=2000";
    pub const IRIS: &str = "dataset=iris&layers=50,50&lr=0.01&batch=120&epochs=1000&train=0.8";
    pub const DIGITS: &str = "dataset=digits&classes=0,1,7&standardize=1&layers=50,50";
}

/// Random-label epochs of the regime figure (the paper: 300,000 for random labels, 20,000 of true
/// labels after; see the report for what this reaches).
pub const RANDOM_LABEL_EPOCHS: usize = 60_000;

/// The four training regimes on the gaussian mixture, each query extended by `extra` (e.g. another
/// width or solver; empty for the paper's setting).
pub fn regime_cases(extra: &str) -> Vec<Case> {
    let pre = RANDOM_LABEL_EPOCHS;
    let with = |q: String| {
        if extra.is_empty() {
            q
        } else {
            format!("{q}&{extra}")
        }
    };
    vec![
        Case {
            label: "normal",
            query: with("v=1".into()),
        },
        Case {
            label: "random labels",
            query: with(format!("regime=random-labels&epochs={pre}")),
        },
        Case {
            label: "adversarial init",
            query: with(format!("regime=adversarial&pre={pre}")),
        },
        Case {
            label: "large norm",
            query: with(format!("regime=large-norm&pre={pre}")),
        },
    ]
}

/// G over every eigenvector needs all p of them: the dense solver, which is limited to p ≤ 4000, so a
/// narrower net than the paper's (p = 2,853 instead of 10,703).
pub const ALL_EIGENVECTORS: &str = "layers=50,50&solver=dense";

/// Runs `cases` on up to two threads (deterministic: each run is single-threaded and seeded),
/// reporting each as it finishes.
pub fn run_cases(cases: &[Case], log: &(dyn Fn(&str) + Sync)) -> Result<Vec<Done>, String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 2);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<Result<Done, String>>>> =
        std::sync::Mutex::new((0..cases.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                log(&format!("  {}: running {}", case.label, case.query));
                let done = run_case(case);
                if let Ok(d) = &done {
                    log(&format!("  {}: done in {:.1} s", case.label, d.seconds));
                }
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(done);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every case ran"))
        .collect()
}

fn run_case(case: &Case) -> Result<Done, String> {
    let start = Instant::now();
    let config = Config::parse(&case.query)
        .map_err(|e| format!("{}: bad query {}: {e}", case.label, case.query))?;
    let run = crate::run(&config, None).map_err(|e| format!("{}: {e}", case.label))?;
    Ok(Done {
        case: case.clone(),
        run,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Draws onto a white `size` RGB buffer, inside a thin white border (CSS pixels × [`THEME`]'s scale).
pub fn render_rgb(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult<BitMapBackend<'static>>,
) -> Result<Vec<u8>, String> {
    let (w, h) = (THEME.px(size.0 as f64), THEME.px(size.1 as f64));
    let mut buf = vec![255u8; 3 * (w * h) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        let edge = THEME.px(8.0) as i32;
        draw(&root.margin(edge, edge, edge, edge)).map_err(|e| format!("drawing failed: {e}"))?;
        root.present().map_err(|e| format!("drawing failed: {e}"))?;
    }
    Ok(buf)
}

/// Draws a figure of `size` CSS pixels and writes it as `out/name`.
fn save_png(
    out: &Path,
    name: &str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult<BitMapBackend<'static>>,
) -> Result<(), String> {
    let rgb = render_rgb(size, draw)?;
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

// ---------------------------------------------------------------------------------------------
// Figures: each returns its report section.

/// The 1-D toy (paper: λ₁ ≈ 11, λ₂ ≈ 0.7, boundary near 0.745 and 1.34, A₁ and A₂ flip sign there).
pub fn figure_line1d(d: &Done, out: &Path) -> Result<String, String> {
    save_png(out, "fig1_line1d.png", (900, 430), |area| {
        draw_line_fields(
            area,
            &d.run,
            2,
            "1-D toy: alignment with the top two eigenvectors",
            &THEME,
        )
    })?;
    let (a, s) = parts(&d.run)?;
    let grid = &a.fields.grid;
    let x_at = |col: f64| {
        grid.u_range.0 + (grid.u_range.1 - grid.u_range.0) * col / (grid.width - 1) as f64
    };
    let flips = super::contour::class_flips(&a.fields.predicted);
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
    let flip_text: Vec<String> = flips.iter().map(|&c| format!("{:.3}", x_at(c))).collect();
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
            super::subscript(i + 1),
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
        draw_overview(area, &d.run, 5, &THEME)
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

/// Boundary, top eigenvalues and density per regime, one column each.
fn regimes_png(runs: &[Done], out: &Path, name: &str) -> Result<(), String> {
    save_png(out, name, (1320, 960), |area| {
        for (col, d) in area.split_evenly((1, runs.len())).iter().zip(runs) {
            let (_, h) = col.dim_in_pixel();
            let rows = col.split_by_breakpoints([] as [u32; 0], [h * 2 / 5, h * 7 / 10]);
            draw_boundary(&rows[0], &d.run, d.case.label, &THEME)?;
            if let Some(s) = &d.run.spectrum {
                draw_eigenvalues(
                    &rows[1],
                    &s.eigen,
                    d.run.config.k,
                    "top eigenvalues",
                    &THEME,
                )?;
                draw_density(&rows[2], s, d.run.config.k, "spectral density", &THEME)?;
            }
        }
        Ok(())
    })
}

/// The regimes at the paper's width: boundary and spectrum (figure 3) and alignment matrices
/// (figure 4).
pub fn figure_regimes(runs: &[Done], out: &Path) -> Result<(String, String), String> {
    regimes_png(runs, out, "fig3_regimes.png")?;
    save_png(
        out,
        "fig4_alignment_matrix.png",
        (1100, 230 * runs.len() as u32),
        |area| {
            for (row, d) in area.split_evenly((runs.len(), 1)).iter().zip(runs) {
                draw_alignment_matrix(row, &d.run, d.case.label, &THEME)?;
            }
            Ok(())
        },
    )?;

    let refs: Vec<&Done> = runs.iter().collect();
    let mut md = section(
        "3. Training regimes on the gaussian mixture",
        "fig3_regimes.png",
        &refs,
    );
    writeln!(
        md,
        "Random labels: {RANDOM_LABEL_EPOCHS} epochs on permuted labels (the paper: 300,000); adversarial init and large norm \
         start from that many random-label epochs (`pre`), then train the default 2,000 epochs on the true labels (the paper: 20,000).\n"
    )
    .ok();
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

/// The regimes with G over all p eigenvectors (dense solver, narrower net), with both statistics:
/// the poster's mean (the pipeline's default) and the authors' code's max (`maxes`, per run).
pub fn figure_regimes_all(
    runs: &[Done],
    maxes: &[Option<Generalization>],
    out: &Path,
) -> Result<String, String> {
    regimes_png(runs, out, "fig3b_regimes_all_eigenvectors.png")?;
    let refs: Vec<&Done> = runs.iter().collect();
    let mut md = section(
        "3b. G over all eigenvectors (dense solver, 50-50 net)",
        "fig3b_regimes_all_eigenvectors.png",
        &refs,
    );
    writeln!(
        md,
        "G as the paper defines it counts over all p eigenvectors; with the top 10 only (section 3) it can count at most 10 of p. \
         The dense solver computes all p but is limited to p ≤ 4000, so these runs use 50-50 hidden layers (p = {}) instead of 100-100. \
         The top eigenvalues drawn are exact; the density is the same SLQ estimate as elsewhere.\n",
        runs.first().map_or(0, |d| d.run.trained.params.len())
    )
    .ok();
    writeln!(md, "{}", metrics_table(&refs)).ok();
    writeln!(
        md,
        "With the poster's statistic (mean of |Aᵢ| over training points, the default): {}",
        regime_verdict(runs, &measured(runs))
    )
    .ok();
    writeln!(
        md,
        "With the authors' code's statistic (max of |Aᵢ| over training points; append `&measure=max` to the query): {}",
        regime_verdict(runs, maxes)
    )
    .ok();
    writeln!(
        md,
        "| regime | G (max) | count / p | ε (max) |\n|---|---|---|---|"
    )
    .ok();
    for (d, g) in runs.iter().zip(maxes) {
        if let Some(g) = g {
            writeln!(
                md,
                "| {} | {} | {} / {} | {} |",
                d.case.label,
                num(g.aggregate),
                above(g),
                g.params,
                num(g.epsilon)
            )
            .ok();
        }
    }
    Ok(md)
}

/// G of a finished run recomputed with the max statistic (what `measure=max` gives).
fn max_measure(run: &Run) -> Option<Generalization> {
    let s = run.spectrum.as_ref()?;
    let config = Config {
        measure: crate::config::Measure::Max,
        ..run.config.clone()
    };
    let over_all = s.eigen.vectors.len() == run.trained.params.len();
    let vectors = if over_all {
        &s.eigen.vectors[..]
    } else {
        &s.eigen.vectors[..run_k(run)]
    };
    Some(crate::analysis::generalization::generalization(
        &run.trained.mlp,
        &run.trained.params,
        &run.split.train,
        vectors,
        over_all,
        &config,
    ))
}

/// How many eigenvectors G counts (m_i above ε).
fn above(g: &Generalization) -> usize {
    g.m.iter().filter(|&&m| m > g.epsilon).count()
}

fn lambda1(run: &Run) -> f64 {
    run.spectrum
        .as_ref()
        .map_or(f64::NAN, |s| s.eigen.values[0])
}

/// The checkerboard: the margin estimate on the boundary and the top fields, for the normal model
/// and (when the config knows `pretrain`) the wide-margin one.
pub fn figure_checker(runs: &[Done], missing: Option<&str>, out: &Path) -> Result<String, String> {
    const FIELDS: usize = 4;
    save_png(
        out,
        "fig5_checker.png",
        (1300, 480 * runs.len() as u32),
        |area| {
            for (row, d) in area.split_evenly((runs.len(), 1)).iter().zip(runs) {
                let (w, _) = row.dim_in_pixel();
                let panel = (w - super::plane::colorbar_width(&THEME)) / (FIELDS as u32 + 1);
                let (left, right) = row.split_horizontally(panel);
                draw_margin(
                    &left,
                    &d.run,
                    &format!("{}: margin from v₁", d.case.label),
                    &THEME,
                )?;
                draw_fields(&right, &d.run, FIELDS, FIELDS, &THEME)?;
            }
            Ok(())
        },
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
            draw_overview(area, &d.run, 5, &THEME)
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

// ---------------------------------------------------------------------------------------------
// Report text

fn parts(run: &Run) -> Result<(&crate::analysis::Analysis, &crate::spectrum::Spectrum), String> {
    match (&run.analysis, &run.spectrum) {
        (Some(a), Some(s)) => Ok((a, s)),
        _ => Err(format!(
            "{}: no spectrum or analysis was computed",
            run.config.to_query()
        )),
    }
}

fn run_k(run: &Run) -> usize {
    run.config
        .k
        .min(run.spectrum.as_ref().map_or(0, |s| s.eigen.values.len()))
}

/// A number for the report: four significant digits, scientific outside [0.001, 10⁴).
fn num(x: f64) -> String {
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

fn percent(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// A section's heading, image and the queries that reproduce it.
fn section(title: &str, image: &str, runs: &[&Done]) -> String {
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

/// Accuracy on the permuted labels a random-labels model was trained on (how well it memorized).
fn random_label_fit(run: &Run) -> Option<f64> {
    if run.config.regime != crate::config::Regime::RandomLabels {
        return None;
    }
    let mut data = run.split.train.clone();
    data.y = run.trained.permuted_labels.clone();
    crate::train::accuracy(&run.trained.mlp, &run.trained.params, &data)
}

/// One row per run: accuracy, G, trace, λ₁, margin.
fn metrics_table(runs: &[&Done]) -> String {
    let mut md = String::from(
        "| run | p | train acc | test acc | G (count / p, over) | ε | tr(H) ± s.e. | λ₁ | margin estimate | true margin | rel. error |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
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
        let count = above(g);
        let over = if g.over_all {
            "all".to_string()
        } else {
            format!("top {}", g.m.len())
        };
        let m = &a.margin;
        writeln!(
            md,
            "| {} | {} | {train_text} | {} | {} ({count} / {}, {over}) | {} | {} ± {} | {} | {} | {} | {} |",
            d.case.label,
            g.params,
            percent(test),
            num(g.aggregate),
            g.params,
            num(g.epsilon),
            num(s.trace.estimate),
            num(s.trace.std_error),
            num(s.eigen.values[0]),
            num(m.estimate),
            m.true_margin.map_or("not found".into(), num),
            m.relative_error.map_or("–".into(), |e| format!("{:.0}%", 100.0 * e)),
        )
        .ok();
    }
    md
}

fn test_accuracy(run: &Run) -> f64 {
    crate::train::accuracy(&run.trained.mlp, &run.trained.params, &run.split.test)
        .unwrap_or(f64::NAN)
}

/// G of each run as the pipeline computed it (the config's statistic).
fn measured(runs: &[Done]) -> Vec<Option<Generalization>> {
    runs.iter()
        .map(|d| d.run.analysis.as_ref().map(|a| a.generalization.clone()))
        .collect()
}

/// Whether G (`gs`, one per run) ranks the normal model as the best-generalizing regime, stated with
/// the numbers, and how test accuracy ranks them.
fn regime_verdict(runs: &[Done], gs: &[Option<Generalization>]) -> String {
    let Some(normal) = runs.iter().position(|d| d.case.label == "normal") else {
        return String::new();
    };
    let Some(gn) = &gs[normal] else {
        return String::new();
    };
    let others: Vec<f64> = gs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != normal)
        .filter_map(|(_, g)| g.as_ref())
        .map(|g| g.aggregate)
        .collect();
    let verdict = if others.iter().all(|&o| gn.aggregate < o) {
        "**Yes**: G is lowest for the normal model"
    } else if others.iter().all(|&o| gn.aggregate <= o) {
        "**Only as a tie**: the normal model shares the lowest G"
    } else {
        "**No**: G does not rank the normal model best"
    };
    let list = runs
        .iter()
        .zip(gs)
        .filter_map(|(d, g)| {
            g.as_ref().map(|g| {
                format!(
                    "{} {} ({} of {})",
                    d.case.label,
                    num(g.aggregate),
                    above(g),
                    g.m.len()
                )
            })
        })
        .collect::<Vec<_>>()
        .join(", ");
    let tests = runs
        .iter()
        .map(|d| format!("{} {:.1}%", d.case.label, 100.0 * test_accuracy(&d.run)))
        .collect::<Vec<_>>()
        .join(", ");
    let best_test = runs
        .iter()
        .map(|d| test_accuracy(&d.run))
        .fold(f64::NEG_INFINITY, f64::max);
    let best: Vec<&str> = runs
        .iter()
        .filter(|d| test_accuracy(&d.run) == best_test)
        .map(|d| d.case.label)
        .collect();
    let mut text = format!(
        "{verdict}. G (eigenvectors counted of those examined): {list}. Test accuracy: {tests}; best: {}.",
        best.join(" and ")
    );
    if !gn.over_all {
        write!(
            text,
            " Counted over the top {} eigenvectors only, G can differ between runs by at most {} eigenvectors, so this ranking says little.",
            gn.m.len(),
            gn.m.len()
        )
        .ok();
    }
    text.push('\n');
    text
}

/// The single run of a one-case figure.
fn one(mut runs: Vec<Done>) -> Done {
    runs.remove(0)
}

/// Every run of the reproduction, by figure.
struct Results {
    line: Done,
    gaussian: Done,
    regimes: Vec<Done>,
    all: Vec<Done>,
    /// G of `all` with the max statistic.
    all_max: Vec<Option<Generalization>>,
    checker: Vec<Done>,
    real: Vec<Done>,
}

fn find<'a>(runs: &'a [Done], label: &str) -> Option<&'a Done> {
    runs.iter().find(|d| d.case.label == label)
}

/// The report's opening: each measured number next to the paper's, and the paper's claims as
/// checked here. Only what was measured; the sections below give the details.
fn summary(r: &Results) -> String {
    let mut md = String::from("## At a glance: ours against the paper\n\n");
    if let Ok((a, s)) = parts(&r.line.run) {
        let v = &s.eigen.values;
        let rest = v[2..].iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let grid = &a.fields.grid;
        let flips: Vec<String> = super::contour::class_flips(&a.fields.predicted)
            .iter()
            .map(|&c| {
                format!(
                    "{:.3}",
                    grid.u_range.0
                        + (grid.u_range.1 - grid.u_range.0) * c / (grid.width - 1) as f64
                )
            })
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
    if let Some(fit) = find(&r.regimes, "random labels").and_then(|d| random_label_fit(&d.run)) {
        writeln!(
            md,
            "- **Random labels**: after {RANDOM_LABEL_EPOCHS} epochs the model fits {:.1}% of its permuted training labels (the paper trains 300,000 epochs).",
            100.0 * fit
        )
        .ok();
    }
    let verdicts = [
        (
            "top 10, 100-100 net",
            regime_verdict(&r.regimes, &measured(&r.regimes)),
        ),
        (
            "all p, 50-50 net, mean statistic",
            regime_verdict(&r.all, &measured(&r.all)),
        ),
        (
            "all p, 50-50 net, max statistic",
            regime_verdict(&r.all, &r.all_max),
        ),
    ];
    for (what, verdict) in verdicts {
        writeln!(md, "- **G ({what})**: {}", verdict.trim()).ok();
    }
    let margins: Vec<String> = [&r.line]
        .into_iter()
        .chain([&r.gaussian])
        .chain(&r.checker)
        .chain(&r.real)
        .filter_map(|d| {
            let m = &d.run.analysis.as_ref()?.margin;
            Some(format!(
                "{} {}",
                d.case.label,
                m.relative_error
                    .map_or("–".into(), |e| format!("{:.0}%", 100.0 * e))
            ))
        })
        .collect();
    writeln!(
        md,
        "- **Margin estimate** (distance from x_b to the nearer of x_t^max, x_t^min) against the true distance of those points to the boundary, \
         relative error: {}. The paper checked its estimates by eye only.",
        margins.join(", ")
    )
    .ok();
    let at_start: Vec<&str> = [&r.line, &r.gaussian]
        .into_iter()
        .chain(&r.regimes)
        .chain(&r.all)
        .chain(&r.checker)
        .chain(&r.real)
        .filter(|d| {
            d.run.analysis.as_ref().is_some_and(|a| {
                a.margin.estimate == 0.0
                    && a.margin.alignment_x_b.abs() >= crate::analysis::margin::TARGET_ALIGNMENT
            })
        })
        .map(|d| d.case.label)
        .collect();
    if !at_start.is_empty() {
        writeln!(
            md,
            "- **Margin estimate 0** ({}): the search for x_b starts at x_t^max and x_t^min (this crate's choice; the paper starts from N(0, I)) \
             and stops once |A₁| ≥ {}, which x_t already reaches there, so x_b = x_t: a training point far from the boundary is as aligned with v₁ as any boundary point.",
            at_start.join(", "),
            crate::analysis::margin::TARGET_ALIGNMENT
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

/// Runs every figure into `out` (created if missing) and writes `out/report.md`. `log` gets one line
/// per step, for progress.
pub fn reproduce(out: &Path, log: &(dyn Fn(&str) + Sync)) -> Result<(), String> {
    super::font::register();
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let start = Instant::now();

    log("[1/6] 1-D toy");
    let line = one(run_cases(&[Case::new("1-D toy", queries::LINE1D)], log)?);
    let mut sections = vec![figure_line1d(&line, out)?];

    log("[2/6] gaussian mixture");
    let gaussian = one(run_cases(&[Case::new("gaussian", queries::GAUSSIAN)], log)?);
    sections.push(figure_gaussian(&gaussian, out)?);

    log(&format!(
        "[3/6] regimes ({RANDOM_LABEL_EPOCHS} random-label epochs each)"
    ));
    // The normal regime is the gaussian figure's run.
    let mut regimes = vec![Done {
        case: regime_cases("")[0].clone(),
        ..gaussian.clone()
    }];
    regimes.extend(run_cases(&regime_cases("")[1..], log)?);
    let (s3, s4) = figure_regimes(&regimes, out)?;
    log("[3b/6] regimes with all eigenvectors (dense solver)");
    let all = run_cases(&regime_cases(ALL_EIGENVECTORS), log)?;
    let all_max: Vec<Option<Generalization>> = all.iter().map(|d| max_measure(&d.run)).collect();
    sections.push(s3);
    sections.push(figure_regimes_all(&all, &all_max, out)?);
    log("[4/6] alignment matrices (drawn from the regime runs)");
    sections.push(s4);

    log("[5/6] checkerboard");
    let mut checker = vec![Case::new("normal", queries::CHECKER)];
    let missing = match Config::parse(queries::CHECKER_WIDE) {
        Ok(_) => {
            checker.push(Case::new("wide margin", queries::CHECKER_WIDE));
            None
        }
        Err(e) => Some(format!(
            "`{}` does not parse yet ({e}).",
            queries::CHECKER_WIDE
        )),
    };
    let checker = run_cases(&checker, log)?;
    sections.push(figure_checker(&checker, missing.as_deref(), out)?);

    log("[6/6] iris and digits");
    let real = run_cases(
        &[
            Case::new("iris", queries::IRIS),
            Case::new("digits 0 1 7", queries::DIGITS),
        ],
        log,
    )?;
    sections.push(figure_real(&real, out)?);
    let results = Results {
        line,
        gaussian,
        regimes,
        all,
        all_max,
        checker,
        real,
    };

    let minutes = start.elapsed().as_secs_f64() / 60.0;
    let mut md = String::from(
        "# Reproducing \"Unveiling the Hessian's Connection to the Decision Boundary\"\n\n",
    );
    writeln!(
        md,
        "Generated by `hessian-boundary reproduce` in {minutes:.1} minutes. Every number is what this crate measured; \
         each run's query reproduces it with `hessian-boundary run --config '<query>'`. \
         The paper's numbers are those read off its published figures (Sabanayagam et al., arXiv 2306.07104).\n"
    )
    .ok();
    md.push_str(&summary(&results));
    md.push_str(&sections.join("\n"));
    let path = out.join("report.md");
    std::fs::write(&path, md).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    log(&format!(
        "wrote {} and the figures in {minutes:.1} min",
        path.display()
    ));
    Ok(())
}
