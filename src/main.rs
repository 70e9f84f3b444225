//! The `hessian-boundary` command line: the same core as the page, natively, for exports and figures.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "hessian-boundary",
    version,
    about = "Loss-Hessian eigenvectors and the decision boundary"
)]
struct Cli {
    /// Threads for the numerics (default: every core). Any number gives the same numbers, bit for bit.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train one configuration and write DIR/run.json.
    Run {
        /// The configuration as a query string, e.g. 'dataset=moons&layers=50,50&epochs=500'
        /// (the same form as the page's share links; every key is listed in the README).
        #[arg(long, default_value = "")]
        config: String,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// CSV file for dataset=csv: numeric feature columns, the label last (or as label-column
        /// says), header optional; comma, semicolon or tab separated.
        #[arg(long)]
        data: Option<PathBuf>,
        /// The data of a page link instead of a file: the link (quoted), or its part after #data=.
        #[arg(long, conflicts_with = "data")]
        data_link: Option<String>,
    },
    /// Benchmark the core (issue 6): one JSON line per workload (gaussian, iris, digits) with the median
    /// seconds of the gradient, HVP, epoch, Lanczos top-10, alignment field and dense route, and peak
    /// memory. Without --workload, each workload runs in a child process of this binary, so peak_rss_mb
    /// is per workload. Progress goes to stderr.
    Bench {
        /// Run only this workload, in this process (gaussian, iris or digits).
        #[arg(long)]
        workload: Option<String>,
        /// Timings per metric (the median is reported).
        #[arg(long, default_value_t = 5)]
        repeats: usize,
        /// Smoke run: 10 training epochs, a 16×16 grid, one repeat, no dense route.
        #[arg(long)]
        quick: bool,
        /// Write each workload's trained state to DIR/WORKLOAD.json for bench/jax_peer.py.
        #[arg(long)]
        export: Option<PathBuf>,
        /// Largest p for which the dense route (p HVPs + full eigendecomposition) is measured.
        #[arg(long, default_value_t = hessian_boundary::spectrum::dense::MAX_DENSE_PARAMS)]
        dense_max_p: usize,
        /// Instead: the scaling table, one JSON line per network (digits, p ≈ 10k to 288k) with each
        /// stage's seconds.
        #[arg(long, conflicts_with_all = ["workload", "export", "quick"])]
        scaling: bool,
    },
    /// Run one configuration over seeds and varied keys, each job a `run` in a child process, and
    /// summarize them: DIR/runs/<i>/run.json for job i (from 1), DIR/sweep.csv (one row per job),
    /// DIR/sweep.md (median, IQR and range per combination), DIR/sweep.json (the job list). A job
    /// whose run.json already holds its query is skipped, so an interrupted sweep resumes.
    #[command(
        override_usage = "hessian-boundary sweep --config Q --seeds A..B --out DIR [--vary KEY=V1,V2,...]... [--jobs N] [--list]\n       hessian-boundary sweep --collect DIR"
    )]
    Sweep {
        /// The base configuration as a query string (the syntax of `run --config`).
        #[arg(long, default_value = "", conflicts_with = "collect")]
        config: String,
        /// The seeds: A..B, inclusive (0..9 is ten seeds), or one number.
        #[arg(long, required_unless_present = "collect", conflicts_with = "collect")]
        seeds: Option<String>,
        /// A key and its values, KEY=V1,V2,... (values that hold commas are separated by `;`:
        /// 'layers=50,50;100'). Repeat it: the jobs are every combination × the seeds.
        #[arg(long, value_name = "KEY=V1,V2,...", conflicts_with = "collect")]
        vary: Vec<String>,
        /// Output directory (created if missing).
        #[arg(long, required_unless_present = "collect", conflicts_with = "collect")]
        out: Option<PathBuf>,
        /// Runs at a time (default: every core; each run gets its share of --threads).
        #[arg(long, value_name = "N", conflicts_with = "collect")]
        jobs: Option<usize>,
        /// Print the job queries, one per line (line i is job i, to run with --out DIR/runs/i), and
        /// write DIR/sweep.json for --collect; run nothing.
        #[arg(long, conflicts_with = "collect")]
        list: bool,
        /// Write DIR/sweep.csv and DIR/sweep.md from DIR/sweep.json and the runs in DIR/runs/,
        /// made elsewhere (e.g. a cluster job array).
        #[arg(long, value_name = "DIR")]
        collect: Option<PathBuf>,
        /// CSV file for dataset=csv, passed to every run.
        #[arg(long, conflicts_with = "collect")]
        data: Option<PathBuf>,
    },
    /// Reproduce the paper's figures: train every setting on the authors' data and schedules, write
    /// DIR/*.png and DIR/report.md with the measured numbers beside the paper's.
    Reproduce {
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Also test the paper's claims over this many seeded draws (seeds 0..N-1) of the same
        /// distributions: a robustness section, and the spread of every paper number.
        #[arg(long, default_value_t = 0)]
        seeds: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.into())
            .build_global()
            .expect("the thread pool is built once, before any work");
    }
    match cli.command {
        Command::Run {
            config,
            out,
            data,
            data_link,
        } => match run(&config, &out, data.as_deref(), data_link.as_deref()) {
            Ok(path) => {
                println!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
        Command::Bench {
            workload,
            repeats,
            quick,
            export,
            dense_max_p,
            scaling,
        } => {
            let opts = hessian_boundary::bench::BenchOptions {
                repeats,
                quick,
                dense_max_p,
            };
            let result = if scaling {
                bench_scaling(repeats)
            } else {
                bench(workload.as_deref(), &opts, export.as_deref())
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Sweep {
            config,
            seeds,
            vary,
            out,
            jobs,
            list,
            collect,
            data,
        } => {
            let result = match collect {
                Some(dir) => hessian_boundary::sweep::collect(&dir, &|line| println!("{line}")),
                None => sweep(
                    &config,
                    seeds.as_deref().unwrap_or_default(),
                    &vary,
                    out.as_deref().unwrap_or(Path::new(".")),
                    jobs,
                    list,
                    data.as_deref(),
                ),
            };
            match result {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Reproduce { out, seeds } => {
            match hessian_boundary::reproduce::reproduce(&out, seeds, &|line| println!("{line}")) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Runs the pipeline and writes run.json atomically (temp file + rename), so a failure leaves no file.
fn run(
    query: &str,
    out: &Path,
    data: Option<&Path>,
    link: Option<&str>,
) -> Result<PathBuf, String> {
    let csv = match (data, link) {
        (Some(p), _) => Some(
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        ),
        (None, Some(link)) => {
            let payload = link.rsplit_once("#data=").map_or(link, |(_, p)| p);
            Some(hessian_boundary::data::link::decode(payload.trim()).map_err(|e| e.to_string())?)
        }
        (None, None) => None,
    };
    let json = hessian_boundary::run_query(query, csv.as_deref()).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join("run.json");
    let tmp = out.join(".run.json.tmp");
    std::fs::write(&tmp, json).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// `sweep`: every job validated before anything is written, then listed or run. `Ok(false)` when
/// some job failed.
fn sweep(
    config: &str,
    seeds: &str,
    vary: &[String],
    out: &Path,
    jobs: Option<usize>,
    list: bool,
    data: Option<&Path>,
) -> Result<bool, String> {
    use hessian_boundary::sweep::{self, jobs::Seeds, jobs::Vary, Plan};
    let seeds = Seeds::parse(seeds)?;
    let (vary, bad): (Vec<_>, Vec<_>) =
        vary.iter().map(|v| Vary::parse(v)).partition(Result::is_ok);
    if !bad.is_empty() {
        let bad: Vec<String> = bad.into_iter().filter_map(Result::err).collect();
        return Err(bad.join("\n"));
    }
    let vary: Vec<Vary> = vary.into_iter().filter_map(Result::ok).collect();
    let plan = Plan::new(config, seeds, &vary)?;
    if list {
        plan.write(out)?;
        for job in &plan.jobs {
            println!("{}", job.query);
        }
        eprintln!(
            "{} jobs; wrote {} for --collect (run job i, line i, with --out {})",
            plan.jobs.len(),
            out.join("sweep.json").display(),
            out.join("runs").join("i").display()
        );
        return Ok(true);
    }
    let workers = match jobs {
        Some(0) => return Err("--jobs must be at least 1".into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    sweep::sweep(&exe, &plan, out, workers, data, &|line| println!("{line}"))
}

/// `bench`: one workload in this process, or every workload each in a child process of this binary.
fn bench(
    workload: Option<&str>,
    opts: &hessian_boundary::bench::BenchOptions,
    export: Option<&Path>,
) -> Result<(), String> {
    use hessian_boundary::bench;
    if let Some(dir) = export {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let Some(name) = workload else {
        let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
        for w in bench::WORKLOADS {
            let mut cmd = std::process::Command::new(&exe);
            cmd.args(["bench", "--workload", w.name])
                .args(["--threads", &rayon::current_num_threads().to_string()])
                .args(["--repeats", &opts.repeats.to_string()])
                .args(["--dense-max-p", &opts.dense_max_p.to_string()]);
            if opts.quick {
                cmd.arg("--quick");
            }
            if let Some(dir) = export {
                cmd.arg("--export").arg(dir);
            }
            let status = cmd
                .status()
                .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
            if !status.success() {
                return Err(format!("the {} workload failed ({status})", w.name));
            }
        }
        return Ok(());
    };
    let w = bench::workload(name).ok_or_else(|| {
        let names: Vec<&str> = bench::WORKLOADS.iter().map(|w| w.name).collect();
        format!(
            "unknown workload {name:?}: expected one of {}",
            names.join(", ")
        )
    })?;
    let start = std::time::Instant::now();
    let clock = move || start.elapsed().as_secs_f64();
    let mut written = Ok(());
    let mut write_export = |json: &str| {
        if let Some(dir) = export {
            let path = dir.join(format!("{}.json", w.name));
            written = std::fs::write(&path, json)
                .map_err(|e| format!("cannot write {}: {e}", path.display()));
        }
    };
    let measured = bench::run(
        w,
        opts,
        &clock,
        &peak_rss_mb,
        &mut |line| eprintln!("bench: {line} ({:.1} s)", start.elapsed().as_secs_f64()),
        Some(&mut write_export),
    )
    .map_err(|e| e.to_string())?;
    written?;
    println!("{}", measured.to_json());
    Ok(())
}

/// `bench --scaling`: each network of the scaling table in this process, smallest first.
fn bench_scaling(repeats: usize) -> Result<(), String> {
    use hessian_boundary::bench;
    let start = std::time::Instant::now();
    let clock = move || start.elapsed().as_secs_f64();
    for (_, query) in bench::SCALING {
        eprintln!("bench: scaling: {query} ({:.1} s)", clock());
        let row = bench::scaling(query, repeats, &clock).map_err(|e| e.to_string())?;
        println!("{}", row.to_json());
    }
    Ok(())
}

/// Peak resident memory of this process (VmHWM of /proc/self/status), in MB; `None` off Linux.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
