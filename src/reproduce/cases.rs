//! The runs of the reproduction: each a label and a query string (so `hessian-boundary run --config
//! '<query>'` reproduces its numbers), run through the pipeline on up to two threads.

use std::time::Instant;

use crate::config::Config;
use crate::pipeline::Run;

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

pub(crate) fn run_case(case: &Case) -> Result<Done, String> {
    let start = Instant::now();
    let config = Config::parse(&case.query)
        .map_err(|e| format!("{}: bad query {}: {e}", case.label, case.query))?;
    let run = crate::pipeline::run(&config, None).map_err(|e| format!("{}: {e}", case.label))?;
    Ok(Done {
        case: case.clone(),
        run,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The single run of a one-case figure.
pub(crate) fn one(mut runs: Vec<Done>) -> Done {
    runs.remove(0)
}

pub(crate) fn find<'a>(runs: &'a [Done], label: &str) -> Option<&'a Done> {
    runs.iter().find(|d| d.case.label == label)
}
