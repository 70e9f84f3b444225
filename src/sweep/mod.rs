//! `hessian-boundary sweep`: one configuration over seeds and varied keys, each job an independent
//! `hessian-boundary run` in a child process, summarized in `sweep.csv` and `sweep.md`.
//!
//! | module | what it holds |
//! |---|---|
//! | [`jobs`] | the job list from the base query, the seeds and the `--vary`s |
//! | [`summary`] | median, quartiles and range of a metric over runs (NaN-aware) |
//!
//! The output directory holds `sweep.json` (the [`Plan`]: the job list, written before any run),
//! `runs/<i>/run.json` for job i (from 1, unpadded: what Slurm's `$SLURM_ARRAY_TASK_ID` and GNU
//! parallel's `{#}` give), `runs/<i>/error.txt` for a failed job, and the two summaries. The
//! summaries are made from the files alone, so [`collect`] on runs made elsewhere gives the same
//! bytes as a local [`sweep`].

pub mod jobs;
pub mod summary;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use jobs::{Job, Seeds, Vary};
use summary::summarize;

pub const SCHEMA: &str = "hessian-boundary/sweep/v1";
const PLAN_FILE: &str = "sweep.json";

/// What a sweep runs: written to `DIR/sweep.json` by a sweep and by `--list`, read by `--collect`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub schema: String,
    /// The base query as given.
    pub config: String,
    pub seeds: Seeds,
    /// The varied keys, values canonical.
    pub vary: Vec<Vary>,
    pub jobs: Vec<Job>,
}

impl Plan {
    /// Every job's query validated; an error names each bad `--config` key, `--vary` or job.
    pub fn new(config: &str, seeds: Seeds, vary: &[Vary]) -> Result<Plan, String> {
        let (vary, jobs) = jobs::jobs(config, seeds, vary)?;
        Ok(Plan {
            schema: SCHEMA.to_string(),
            config: config.to_string(),
            seeds,
            vary,
            jobs,
        })
    }

    /// Writes `DIR/sweep.json` (creating DIR).
    pub fn write(&self, out: &Path) -> Result<(), String> {
        std::fs::create_dir_all(out)
            .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
        let path = out.join(PLAN_FILE);
        let text = serde_json::to_string_pretty(self).expect("the plan serializes") + "\n";
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Reads `DIR/sweep.json`.
    pub fn read(out: &Path) -> Result<Plan, String> {
        let path = out.join(PLAN_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read {}: {e} (`sweep … --out {} --list` writes it)",
                path.display(),
                out.display()
            )
        })?;
        let plan: Plan = serde_json::from_str(&text)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if plan.schema != SCHEMA {
            return Err(format!(
                "{} has schema {:?}, expected {SCHEMA:?}",
                path.display(),
                plan.schema
            ));
        }
        Ok(plan)
    }
}

/// The directory of job `index`'s run.
pub fn run_dir(out: &Path, index: usize) -> PathBuf {
    out.join("runs").join(index.to_string())
}

/// The parts of run.json a sweep reports (serde skips the rest).
#[derive(Deserialize)]
struct RunFile {
    schema: String,
    query: String,
    metrics: MetricsFile,
    hessian: Option<HessianFile>,
    generalization: Option<GeneralizationFile>,
    margin: Option<MarginFile>,
}

#[derive(Deserialize)]
struct MetricsFile {
    train_accuracy: Option<f64>,
    test_accuracy: Option<f64>,
}

#[derive(Deserialize)]
struct HessianFile {
    eigenvalues: Vec<f64>,
    trace: f64,
}

#[derive(Deserialize)]
struct GeneralizationFile {
    aggregate: f64,
    epsilon: f64,
}

#[derive(Deserialize)]
struct MarginFile {
    estimate: f64,
    #[serde(rename = "true")]
    true_margin: Option<f64>,
    relative_error: Option<f64>,
}

/// A column of sweep.csv and a table of sweep.md.
struct Metric {
    column: &'static str,
    title: &'static str,
    percent: bool,
    get: fn(&RunFile) -> Option<f64>,
}

const METRICS: [Metric; 10] = [
    Metric {
        column: "lambda1",
        title: "λ₁, the largest Hessian eigenvalue",
        percent: false,
        get: |r| r.hessian.as_ref()?.eigenvalues.first().copied(),
    },
    Metric {
        column: "lambda2",
        title: "λ₂",
        percent: false,
        get: |r| r.hessian.as_ref()?.eigenvalues.get(1).copied(),
    },
    Metric {
        column: "trace",
        title: "tr(H)",
        percent: false,
        get: |r| Some(r.hessian.as_ref()?.trace),
    },
    Metric {
        column: "G",
        title: "G, the generalization measure",
        percent: false,
        get: |r| Some(r.generalization.as_ref()?.aggregate),
    },
    Metric {
        column: "epsilon",
        title: "ε, G's threshold",
        percent: false,
        get: |r| Some(r.generalization.as_ref()?.epsilon),
    },
    Metric {
        column: "margin_estimate",
        title: "margin estimate ‖x_b − x_t‖",
        percent: false,
        get: |r| Some(r.margin.as_ref()?.estimate),
    },
    Metric {
        column: "margin_true",
        title: "true margin",
        percent: false,
        get: |r| r.margin.as_ref()?.true_margin,
    },
    Metric {
        column: "margin_relative_error",
        title: "relative error of the margin estimate",
        percent: false,
        get: |r| r.margin.as_ref()?.relative_error,
    },
    Metric {
        column: "train_accuracy",
        title: "training accuracy",
        percent: true,
        get: |r| r.metrics.train_accuracy,
    },
    Metric {
        column: "test_accuracy",
        title: "test accuracy",
        percent: true,
        get: |r| r.metrics.test_accuracy,
    },
];

/// What the output directory holds for one job.
enum Outcome {
    Ok(Box<RunFile>),
    Failed(String),
    Missing,
}

impl Outcome {
    fn status(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "ok",
            Outcome::Failed(_) => "failed",
            Outcome::Missing => "missing",
        }
    }
}

/// Job `job`'s run as its directory holds it: a run.json of its query, an error.txt, or nothing.
fn outcome(out: &Path, job: &Job) -> Outcome {
    let dir = run_dir(out, job.index);
    let path = dir.join("run.json");
    if path.exists() {
        let read = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<RunFile>(&t).map_err(|e| e.to_string()));
        return match read {
            Err(e) => Outcome::Failed(format!("cannot read {}: {e}", path.display())),
            Ok(r) if r.schema != crate::export::SCHEMA => Outcome::Failed(format!(
                "{} has schema {:?}, expected {:?}",
                path.display(),
                r.schema,
                crate::export::SCHEMA
            )),
            Ok(r) if r.query != job.query => Outcome::Failed(format!(
                "{} is a run of another query ({})",
                path.display(),
                r.query
            )),
            Ok(r) => Outcome::Ok(Box::new(r)),
        };
    }
    match std::fs::read_to_string(dir.join("error.txt")) {
        Ok(text) => Outcome::Failed(text.trim().to_string()),
        Err(_) => Outcome::Missing,
    }
}

/// The numbers of a progress line: `λ₁ 0.154, test 98.3%`.
fn brief(run: &RunFile) -> String {
    let lambda1 = (METRICS[0].get)(run).map_or("—".into(), significant);
    let test = run.metrics.test_accuracy.map_or("—".into(), percent);
    format!("λ₁ {lambda1}, test {test}")
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 120.0 {
        format!("{s:.1} s")
    } else {
        format!("{:.1} min", s / 60.0)
    }
}

/// Runs `exe run` on `threads` threads for one job; its error text (the child's stderr) if it fails.
fn run_child(
    exe: &Path,
    out: &Path,
    job: &Job,
    data: Option<&Path>,
    threads: usize,
) -> Result<(), String> {
    let dir = run_dir(out, job.index);
    let mut cmd = Command::new(exe);
    cmd.args(["run", "--config", &job.query, "--out"])
        .arg(&dir)
        .args(["--threads", &threads.to_string()])
        .stdin(Stdio::null());
    if let Some(data) = data {
        cmd.arg("--data").arg(data);
    }
    let error_file = dir.join("error.txt");
    match cmd.output() {
        Ok(o) if o.status.success() => {
            // A failure of an earlier attempt no longer holds.
            let _ = std::fs::remove_file(&error_file);
            Ok(())
        }
        result => {
            let text = match result {
                Ok(o) => {
                    let stderr = String::from_utf8_lossy(&o.stderr);
                    let stderr = stderr.trim();
                    match stderr.strip_prefix("error: ").unwrap_or(stderr) {
                        "" => format!("exited with {}", o.status),
                        text => text.to_string(),
                    }
                }
                Err(e) => format!("cannot run {}: {e}", exe.display()),
            };
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&error_file, format!("{text}\n")))
                .map_err(|e| format!("cannot write {}: {e}", error_file.display()))?;
            Err(text)
        }
    }
}

/// Runs every job of `plan` not already done in `out` as `exe run …`, `workers` at a time (sharing this
/// process's threads), with one `log` line per finished job, then writes the summaries. `Ok(true)` when
/// every job succeeded.
pub fn sweep(
    exe: &Path,
    plan: &Plan,
    out: &Path,
    workers: usize,
    data: Option<&Path>,
    log: &dyn Fn(&str),
) -> Result<bool, String> {
    plan.write(out)?;
    let start = Instant::now();
    let total = plan.jobs.len();
    let mut finished = 0;
    let mut pending = Vec::new();
    for job in &plan.jobs {
        match outcome(out, job) {
            Outcome::Ok(run) => {
                finished += 1;
                log(&format!(
                    "[{finished}/{total}] {}: skipped, runs/{}/run.json has this query ({})",
                    job.label(&plan.vary),
                    job.index,
                    brief(&run)
                ));
            }
            _ => pending.push(job),
        }
    }
    let skipped = finished;
    let threads = (crate::parallel::threads() / workers.max(1)).max(1);
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, pending.len().max(1)) {
            let (tx, next, pending) = (tx.clone(), &next, &pending);
            s.spawn(move || {
                while let Some(&job) = pending.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let t = Instant::now();
                    let result = run_child(exe, out, job, data, threads);
                    if tx.send((job, result, t.elapsed())).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (job, result, took) in rx {
            finished += 1;
            let what = match result.map(|()| outcome(out, job)) {
                Ok(Outcome::Ok(run)) => format!("{}, {}", brief(&run), seconds(took)),
                Ok(other) => format!("failed after {}: {}", seconds(took), message(&other)),
                Err(text) => format!("failed after {}: {text}", seconds(took)),
            };
            log(&format!(
                "[{finished}/{total}] {}: {what}",
                job.label(&plan.vary)
            ));
        }
    });
    let counts = write_summaries(plan, out)?;
    log(&format!(
        "{total} jobs in {} ({skipped} skipped as done, {workers} at a time): {counts}; wrote {} and {}",
        seconds(start.elapsed()),
        out.join("sweep.csv").display(),
        out.join("sweep.md").display()
    ));
    Ok(counts.all_ok())
}

fn message(o: &Outcome) -> String {
    match o {
        Outcome::Ok(_) => String::new(),
        Outcome::Failed(text) => text.clone(),
        Outcome::Missing => "no run.json was written".into(),
    }
}

/// `sweep.csv` and `sweep.md` from the runs in `DIR/runs/` of the plan in `DIR/sweep.json`, made
/// elsewhere (a cluster) or by an earlier sweep. `Ok(true)` when every job has its run.json.
pub fn collect(out: &Path, log: &dyn Fn(&str)) -> Result<bool, String> {
    let plan = Plan::read(out)?;
    let counts = write_summaries(&plan, out)?;
    log(&format!(
        "collected {} jobs from {}: {counts}; wrote {} and {}",
        plan.jobs.len(),
        out.join("runs").display(),
        out.join("sweep.csv").display(),
        out.join("sweep.md").display()
    ));
    Ok(counts.all_ok())
}

/// How many jobs ended how.
struct Counts {
    ok: usize,
    failed: usize,
    missing: usize,
}

impl Counts {
    fn all_ok(&self) -> bool {
        self.failed == 0 && self.missing == 0
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ok, {} failed", self.ok, self.failed)?;
        if self.missing > 0 {
            write!(f, ", {} missing", self.missing)?;
        }
        Ok(())
    }
}

fn write_summaries(plan: &Plan, out: &Path) -> Result<Counts, String> {
    let outcomes: Vec<Outcome> = plan.jobs.iter().map(|j| outcome(out, j)).collect();
    let count = |s: &str| outcomes.iter().filter(|o| o.status() == s).count();
    let counts = Counts {
        ok: count("ok"),
        failed: count("failed"),
        missing: count("missing"),
    };
    let csv_path = out.join("sweep.csv");
    std::fs::write(&csv_path, csv_text(plan, &outcomes)?)
        .map_err(|e| format!("cannot write {}: {e}", csv_path.display()))?;
    let md_path = out.join("sweep.md");
    std::fs::write(&md_path, markdown(plan, &outcomes, &counts))
        .map_err(|e| format!("cannot write {}: {e}", md_path.display()))?;
    Ok(counts)
}

/// One row per job in job order. Numbers in their shortest round-trip form (they read back to the
/// bits of run.json); an empty cell where the run has no such value or did not finish.
fn csv_text(plan: &Plan, outcomes: &[Outcome]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = ["job", "query", "seed"]
        .into_iter()
        .chain(plan.vary.iter().map(|v| v.key.as_str()))
        .chain(METRICS.iter().map(|m| m.column))
        .chain(["status", "error"])
        .collect();
    let fail = |e: csv::Error| format!("cannot write sweep.csv: {e}");
    w.write_record(&header).map_err(fail)?;
    for (job, o) in plan.jobs.iter().zip(outcomes) {
        let mut row = vec![
            job.index.to_string(),
            job.query.clone(),
            job.seed.to_string(),
        ];
        row.extend(job.values.iter().cloned());
        for m in &METRICS {
            row.push(match o {
                Outcome::Ok(run) => (m.get)(run).map_or(String::new(), |x| format!("{x:?}")),
                _ => String::new(),
            });
        }
        row.push(o.status().to_string());
        row.push(message(o));
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| format!("cannot write sweep.csv: {e}"))
}

/// Four significant digits, in exponent form outside [10⁻³, 10⁶).
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor();
    if !(-3.0..6.0).contains(&magnitude) {
        return format!("{x:.3e}");
    }
    format!("{x:.*}", (3.0 - magnitude).max(0.0) as usize)
}

fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// Per combination of the varied keys, over the seeds: the run counts, then one table per metric.
fn markdown(plan: &Plan, outcomes: &[Outcome], counts: &Counts) -> String {
    // Combinations in job order (the seeds of one are neighbours).
    let mut groups: Vec<(&[String], Vec<&Outcome>)> = Vec::new();
    for (job, o) in plan.jobs.iter().zip(outcomes) {
        match groups.last_mut() {
            Some((values, members)) if *values == job.values.as_slice() => members.push(o),
            _ => groups.push((&job.values, vec![o])),
        }
    }
    let keys: Vec<&str> = plan.vary.iter().map(|v| v.key.as_str()).collect();
    let lead = |values: &[String]| -> String { values.iter().map(|v| format!("| {v} ")).collect() };
    let key_header: String = keys.iter().map(|k| format!("| {k} ")).collect();
    let key_rule = "|---".repeat(keys.len());

    let mut md = String::from("# Sweep\n\n");
    let vary: String = plan
        .vary
        .iter()
        .map(|v| format!(" --vary '{}'", v.to_arg()))
        .collect();
    writeln!(
        md,
        "`hessian-boundary sweep --config '{}' --seeds {}{vary}`: {} jobs, {counts}.\n",
        plan.config,
        plan.seeds,
        plan.jobs.len()
    )
    .ok();
    md.push_str(
        "Each row is one combination of the varied keys over the seeds. n counts the runs with a finite \
         value of the metric (failed and missing runs are left out). Median and quartiles interpolate \
         linearly between order statistics (type 7, numpy's default); IQR is q1–q3. \
         Every run is a row of `sweep.csv`.\n\n",
    );
    writeln!(
        md,
        "## Runs\n\n{key_header}| jobs | ok | failed | missing |\n{key_rule}|--:|--:|--:|--:|"
    )
    .ok();
    for (values, members) in &groups {
        let n = |s: &str| members.iter().filter(|o| o.status() == s).count();
        writeln!(
            md,
            "{}| {} | {} | {} | {} |",
            lead(values),
            members.len(),
            n("ok"),
            n("failed"),
            n("missing")
        )
        .ok();
    }
    for m in &METRICS {
        let show = |x: f64| {
            if m.percent {
                percent(x)
            } else {
                significant(x)
            }
        };
        writeln!(
            md,
            "\n## {} (`{}`)\n\n{key_header}| n | median | IQR | min–max |\n{key_rule}|--:|--:|--:|--:|",
            m.title, m.column
        )
        .ok();
        for (values, members) in &groups {
            let xs: Vec<f64> = members
                .iter()
                .map(|o| match o {
                    Outcome::Ok(run) => (m.get)(run).unwrap_or(f64::NAN),
                    _ => f64::NAN,
                })
                .collect();
            let s = summarize(&xs);
            if s.n == 0 {
                writeln!(md, "{}| 0 | — | — | — |", lead(values)).ok();
            } else {
                writeln!(
                    md,
                    "{}| {} | {} | {} – {} | {} – {} |",
                    lead(values),
                    s.n,
                    show(s.median),
                    show(s.q1),
                    show(s.q3),
                    show(s.min),
                    show(s.max)
                )
                .ok();
            }
        }
    }
    md
}
