//! `hessian-boundary reproduce`: the paper's experiments run through this crate's pipeline, its
//! figures as PNGs, and a report of every number measured beside the paper's (`report.md`).
//!
//! | module | what it holds |
//! |---|---|
//! | [`cases`] | the paper's settings as queries, and running them |
//! | [`verdicts`] | the paper's claims checked on the finished runs |
//! | [`figures`] | each figure drawn with [`crate::render`] and written as PNG, with its report section |
//! | [`report`] | the report's text: tables, sections and the opening summary |
//! | [`robustness`] | `--seeds N`: the paper's claims over N seeded draws, and the spread of its numbers |
//!
//! The paper's own numbers (read off its figures; `settings.md` of the reproduction brief) are
//! quoted beside ours.

pub mod cases;
pub mod figures;
pub mod report;
pub mod robustness;
pub mod verdicts;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use crate::analysis::generalization::Generalization;
use crate::analysis::margin::Margin;
use crate::config::Config;
use crate::pipeline::PhaseCache;
use cases::{one, queries, run_cases, Case, Done, Schedule, SCHEDULES};
use figures::{
    figure_checker, figure_gaussian, figure_line1d, figure_perturbation, figure_real,
    figure_regimes, figure_regimes_other, g_section,
};

/// The paper's figure 4 shows the top 8·C eigenvectors: 24 for the gaussian mixture's 3 classes.
const FIGURE4_K: &str = "k=24";
use report::summary;
use verdicts::max_measure;

/// Every run of the reproduction, by figure.
pub(crate) struct Results {
    line: Done,
    gaussian: Done,
    regimes: Vec<Done>,
    /// G of `regimes` with the max statistic.
    regimes_max: Vec<Option<Generalization>>,
    /// The regimes of the other datasets, by schedule.
    others: Vec<(Schedule, Vec<Done>)>,
    checker: Vec<Done>,
    /// The margin by every method on the 2-D paper settings, by setting.
    margins: Vec<(String, Vec<Margin>)>,
    /// `--seeds N`: the seeded draws of the robustness section (empty without it).
    draws: Vec<robustness::Draw>,
}

/// Runs every figure into `out` (created if missing) and writes `out/report.md`. `log` gets one line
/// per step, for progress.
pub fn reproduce(out: &Path, seeds: usize, log: &(dyn Fn(&str) + Sync)) -> Result<(), String> {
    crate::render::font::register();
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let start = Instant::now();
    let cache = PhaseCache::default();

    log("[1/6] 1-D toy");
    let line = one(run_cases(
        &[Case::new("1-D toy", queries::LINE1D)],
        &cache,
        log,
    )?);
    let mut sections = vec![figure_line1d(&line, out)?];

    log("[2/6] gaussian mixture");
    let gaussian = one(run_cases(
        &[Case::new("gaussian", queries::GAUSSIAN)],
        &cache,
        log,
    )?);
    sections.push(figure_gaussian(&gaussian, out)?);
    sections.push(figure_perturbation(&gaussian, out)?);

    log("[3/6] regimes on the authors' schedules (each random-label phase trained once)");
    // One list, so both threads stay busy; the gaussian regimes keep the top 8·C = 24 eigenvectors
    // of the paper's figure 4.
    let lists: Vec<Vec<Case>> = SCHEDULES
        .iter()
        .enumerate()
        .map(|(i, s)| s.cases(if i == 0 { FIGURE4_K } else { "" }))
        .collect();
    let mut finished = run_cases(&lists.concat(), &cache, log)?.into_iter();
    let mut groups: Vec<(Schedule, Vec<Done>)> = SCHEDULES
        .iter()
        .zip(&lists)
        .map(|(s, cases)| (*s, finished.by_ref().take(cases.len()).collect()))
        .collect();
    let regimes = groups.remove(0).1;
    let (s3, s4) = figure_regimes(&regimes, &SCHEDULES[0], out)?;
    log("[3b/6] G over all p with the authors' max statistic");
    let regimes_max: Vec<Option<Generalization>> =
        regimes.iter().map(|d| max_measure(&d.run)).collect();
    sections.push(s3);
    sections.push(g_section(&regimes, &regimes_max));
    sections.push(figure_regimes_other(&groups, out)?);
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
    let checker = run_cases(&checker, &cache, log)?;
    sections.push(figure_checker(&checker, missing.as_deref(), out)?);

    log("[6/6] iris and digits");
    let real = run_cases(
        &[
            Case::new("iris", queries::IRIS),
            Case::new("digits 0 1 7", queries::DIGITS),
        ],
        &cache,
        log,
    )?;
    sections.push(figure_real(&real, out)?);

    log("[5b] margins by method on the 2-D paper settings");
    let margins: Vec<(String, Vec<Margin>)> = [("1-D toy", &line), ("gaussian", &gaussian)]
        .into_iter()
        .chain(groups.iter().take(3).map(|(s, runs)| (s.dataset, &runs[0])))
        .chain(checker.iter().map(|d| ("checkerboard", d)))
        .filter_map(|(name, d)| {
            let label = match d.case.label {
                "wide margin" => format!("{name}, wide margin"),
                _ => name.to_string(),
            };
            Some((label, verdicts::margins(&d.run)?))
        })
        .collect();
    sections.push(report::margin_section(&margins));

    let draws = if seeds > 0 {
        log(&format!("[7] robustness over {seeds} seeded draws"));
        let draws = robustness::run_draws(seeds, &cache, log)?;
        sections.push(robustness::section(&draws));
        draws
    } else {
        Vec::new()
    };
    let results = Results {
        line,
        gaussian,
        regimes,
        regimes_max,
        others: groups,
        checker,
        margins,
        draws,
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
