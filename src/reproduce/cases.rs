//! The runs of the reproduction: each a label and a query string (so `hessian-boundary run --config
//! '<query>'` reproduces its numbers), run through the pipeline side by side on the pool's threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crate::config::{Config, Regime};
use crate::pipeline::{run_cached, PhaseCache, Run};

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

/// The paper's settings for each figure (see the key table in `src/config/keys.rs`). The synthetic
/// sets use the authors' exact points (`draw=paper`, the default of these queries).
pub mod queries {
    /// 1-D toy: 1–10–2 net, full batch on the six points; the dense solver gives all 42 eigenvalues;
    /// a fine grid places the class flips to ±0.002.
    pub const LINE1D: &str =
        "dataset=line1d&layers=10&lr=0.002&batch=6&epochs=45000&solver=dense&grid=512";
    /// The paper's main setting is the default config.
    pub const GAUSSIAN: &str = "v=2";
    pub const CHECKER: &str = "dataset=checker";
    /// The wide-margin model: pre-trained on the noisy-close checkerboard, then the linear-close one.
    pub const CHECKER_WIDE: &str = "dataset=checker&pretrain=checker-noisy&pre=2000";
    /// Iris's network and optimizer; its epochs are the schedule's ([`super::SCHEDULES`]).
    pub const IRIS_NET: &str = "dataset=iris&layers=50,50&lr=0.01&batch=120&train=0.8";
    pub const IRIS: &str = "dataset=iris&layers=50,50&lr=0.01&batch=120&train=0.8&epochs=1000";
    pub const DIGITS: &str = "dataset=digits&classes=0,1,7&standardize=1&layers=50,50";
}

/// The authors' regime schedules for one dataset (their configs, `settings.md`): epochs of the
/// normal run, of the random-label run, of true labels after that random-label phase (adversarial
/// init), and of true labels from the rescaled init (large norm; `None` where the paper has none).
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub dataset: &'static str,
    /// The dataset's query (network and optimizer as the paper's; no `epochs`, which the schedule sets).
    pub base: &'static str,
    pub normal: usize,
    pub random: usize,
    pub adversarial: usize,
    pub large_norm: Option<usize>,
}

pub const SCHEDULES: [Schedule; 6] = [
    Schedule {
        dataset: "gaussian",
        base: queries::GAUSSIAN,
        normal: 2_000,
        random: 300_000,
        adversarial: 20_000,
        large_norm: Some(1_000),
    },
    Schedule {
        dataset: "hierarchical",
        base: "dataset=hierarchical",
        normal: 2_000,
        random: 300_000,
        adversarial: 20_000,
        large_norm: Some(20_000),
    },
    Schedule {
        dataset: "circles",
        base: "dataset=circles",
        normal: 2_000,
        random: 20_000,
        adversarial: 20_000,
        large_norm: Some(5_000),
    },
    Schedule {
        dataset: "moons",
        base: "dataset=moons",
        normal: 2_000,
        random: 100_000,
        adversarial: 20_000,
        large_norm: Some(5_000),
    },
    Schedule {
        dataset: "checkerboard",
        base: queries::CHECKER,
        normal: 2_000,
        random: 300_000,
        adversarial: 20_000,
        large_norm: None,
    },
    Schedule {
        dataset: "iris",
        base: queries::IRIS_NET,
        normal: 1_000,
        random: 200_000,
        adversarial: 1_000,
        large_norm: None,
    },
];

/// A regime's label in the report.
pub const NORMAL: &str = "normal";
pub const RANDOM: &str = "random labels";
pub const ADVERSARIAL: &str = "adversarial init";
pub const LARGE_NORM: &str = "large norm";

impl Schedule {
    /// The dataset's regimes on the authors' schedule, each query extended by `extra` (another
    /// width or solver; empty for the paper's setting). Adversarial init and large norm start from
    /// the random-label run's phase, which [`run_cases`] trains once.
    pub fn cases(&self, extra: &str) -> Vec<Case> {
        let with = |q: String| {
            if extra.is_empty() {
                q
            } else {
                format!("{q}&{extra}")
            }
        };
        let (base, pre) = (self.base, self.random);
        let mut cases = vec![
            Case::new(NORMAL, &with(format!("{base}&epochs={}", self.normal))),
            Case::new(
                RANDOM,
                &with(format!("{base}&regime=random-labels&epochs={pre}")),
            ),
            Case::new(
                ADVERSARIAL,
                &with(format!(
                    "{base}&regime=adversarial&pre={pre}&epochs={}",
                    self.adversarial
                )),
            ),
        ];
        if let Some(epochs) = self.large_norm {
            cases.push(Case::new(
                LARGE_NORM,
                &with(format!(
                    "{base}&regime=large-norm&pre={pre}&epochs={epochs}"
                )),
            ));
        }
        cases
    }
}

/// Runs `cases` side by side, one per thread of the pool (deterministic: each run is seeded and its
/// numbers do not depend on threads),
/// reporting each as it finishes. Random-label runs go first, so that the regimes starting from the
/// same random-label phase resume from it in `cache` instead of training it again.
pub fn run_cases(
    cases: &[Case],
    cache: &PhaseCache,
    log: &(dyn Fn(&str) + Sync),
) -> Result<Vec<Done>, String> {
    let threads = crate::parallel::threads();
    let random = |c: &Case| Config::parse(&c.query).is_ok_and(|c| c.regime == Regime::RandomLabels);
    let order: Vec<usize> = (0..cases.len())
        .filter(|&i| random(&cases[i]))
        .chain((0..cases.len()).filter(|&i| !random(&cases[i])))
        .collect();
    let first_later = order
        .iter()
        .position(|&i| !random(&cases[i]))
        .unwrap_or(order.len());
    let results: Mutex<Vec<Option<Result<Done, String>>>> =
        Mutex::new((0..cases.len()).map(|_| None).collect());
    // Two waves: the random-label runs, then the rest (which may resume from them).
    for wave in [&order[..first_later], &order[first_later..]] {
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    while let Some(&i) = wave.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let case = &cases[i];
                        log(&format!("  {}: running {}", case.label, case.query));
                        let done = run_case(case, cache);
                        if let Ok(d) = &done {
                            log(&format!("  {}: done in {:.1} s", case.label, d.seconds));
                        }
                        results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(done);
                    }
                });
            }
        });
    }
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every case ran"))
        .collect()
}

fn run_case(case: &Case, cache: &PhaseCache) -> Result<Done, String> {
    let start = Instant::now();
    let config = Config::parse(&case.query)
        .map_err(|e| format!("{}: bad query {}: {e}", case.label, case.query))?;
    let run = run_cached(&config, None, cache).map_err(|e| format!("{}: {e}", case.label))?;
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
