//! A sweep's job list: the base query with each seed and each combination of the varied keys set,
//! in canonical form, validated before anything runs.
//!
//! Order: the first `--vary` is the outermost loop, the seeds the innermost, so the seeds of one
//! combination are neighbours in `sweep.csv`. Jobs are numbered from 1, the index of their line in
//! `--list`'s output (`sed -n Np`, Slurm's `--array=1-N`, GNU parallel's `{#}` all count from 1).

use serde::{Deserialize, Serialize};

use crate::config::{key_specs, Config};

/// More jobs than this is a typo (`--seeds 0..100000000`), not a sweep.
pub const MAX_JOBS: u64 = 100_000;

/// Keys a `--vary` may not name: `seed` has `--seeds`, and `v` only picks the defaults of the
/// other keys, which the canonical query spells out anyway.
const NOT_VARIED: [(&str, &str); 2] = [
    ("seed", "use --seeds for the seeds"),
    ("v", "the canonical query always has the latest v"),
];

/// The seeds, `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seeds {
    pub first: u64,
    pub last: u64,
}

impl Seeds {
    /// `A..B` (inclusive: `0..9` is ten seeds) or one number.
    pub fn parse(text: &str) -> Result<Seeds, String> {
        let number = |s: &str| {
            s.trim().parse::<u64>().map_err(|_| {
                format!(
                    "bad --seeds {text:?}: {s:?} is not a whole number in [0, {}]",
                    u64::MAX
                )
            })
        };
        let seeds = match text.split_once("..") {
            Some((a, b)) => Seeds {
                first: number(a)?,
                last: number(b)?,
            },
            None => {
                let s = number(text)?;
                Seeds { first: s, last: s }
            }
        };
        if seeds.first > seeds.last {
            return Err(format!(
                "bad --seeds {text:?}: the first seed is above the last (A..B includes both)"
            ));
        }
        Ok(seeds)
    }

    /// How many seeds (saturating: only compared with [`MAX_JOBS`]).
    pub fn count(self) -> u64 {
        (self.last - self.first).saturating_add(1)
    }
}

impl std::fmt::Display for Seeds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}..{}", self.first, self.last)
        }
    }
}

/// One `--vary key=v1,v2,…`: a key and its values (canonical once they are in a [`Plan`]).
///
/// [`Plan`]: super::Plan
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vary {
    pub key: String,
    pub values: Vec<String>,
}

impl Vary {
    /// `key=v1,v2,…`; values that hold commas themselves are separated by `;` instead
    /// (`layers=50,50;100`): once the text has a `;`, only `;` separates.
    pub fn parse(arg: &str) -> Result<Vary, String> {
        let Some((key, list)) = arg.split_once('=') else {
            return Err(format!("bad --vary {arg:?}: expected key=v1,v2,…"));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("bad --vary {arg:?}: the key is missing"));
        }
        let separator = if list.contains(';') { ';' } else { ',' };
        let values: Vec<String> = list
            .split(separator)
            .map(|v| v.trim().to_string())
            .collect();
        if values.iter().any(String::is_empty) {
            return Err(format!("bad --vary {arg:?}: {key} has an empty value"));
        }
        Ok(Vary {
            key: key.to_string(),
            values,
        })
    }

    /// The values as `--vary` takes them back.
    pub fn to_arg(&self) -> String {
        let separator = if self.values.iter().any(|v| v.contains(',')) {
            ";"
        } else {
            ","
        };
        format!("{}={}", self.key, self.values.join(separator))
    }
}

/// One run of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// From 1, in job order: the run goes to `DIR/runs/<index>`.
    pub index: usize,
    pub seed: u64,
    /// The canonical value of each varied key, in `--vary` order.
    pub values: Vec<String>,
    /// The canonical query the run is given.
    pub query: String,
}

impl Job {
    /// `seed=3 lr=0.1`, for progress lines.
    pub fn label(&self, vary: &[Vary]) -> String {
        let mut label = format!("seed={}", self.seed);
        for (v, value) in vary.iter().zip(&self.values) {
            label.push_str(&format!(" {}={value}", v.key));
        }
        label
    }
}

/// `base` with each key of `set` replaced (or added), as a query string.
fn with(base: &str, set: &[(&str, &str)]) -> String {
    let base = base.strip_prefix('?').unwrap_or(base);
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(base.as_bytes()) {
        if !set.iter().any(|(k, _)| *k == key.trim()) {
            out.append_pair(&key, &value);
        }
    }
    for (key, value) in set {
        out.append_pair(key, value);
    }
    out.finish()
}

/// The canonical text of `key` in a canonical query (its default when the query leaves it out).
fn value_in(query: &str, key: &str) -> String {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .or_else(|| {
            key_specs()
                .into_iter()
                .find(|s| s.key == key)
                .map(|s| s.default)
        })
        .unwrap_or_default()
}

/// The varied keys with canonical values, and every job, or every error found (each naming the
/// `--config`, the `--vary` key and value, or the job it is about).
pub fn jobs(config: &str, seeds: Seeds, vary: &[Vary]) -> Result<(Vec<Vary>, Vec<Job>), String> {
    if let Err(e) = Config::parse(config) {
        return Err(format!("bad --config: {e}"));
    }
    let mut errors = Vec::new();
    let mut canonical = Vec::new();
    for (i, v) in vary.iter().enumerate() {
        if let Some((_, why)) = NOT_VARIED.iter().find(|(k, _)| *k == v.key) {
            errors.push(format!("bad --vary {}: {why}", v.to_arg()));
            continue;
        }
        if vary[..i].iter().any(|u| u.key == v.key) {
            errors.push(format!(
                "bad --vary {}: {} is varied twice",
                v.to_arg(),
                v.key
            ));
            continue;
        }
        let mut values: Vec<String> = Vec::new();
        for value in &v.values {
            match Config::parse(&with(config, &[(&v.key, value)])) {
                Err(e) => errors.push(format!("bad --vary {}={value}: {e}", v.key)),
                Ok(c) => {
                    let text = value_in(&c.to_query(), &v.key);
                    if values.contains(&text) {
                        errors.push(format!(
                            "bad --vary {}: {}={text} is given twice",
                            v.to_arg(),
                            v.key
                        ));
                    }
                    values.push(text);
                }
            }
        }
        canonical.push(Vary {
            key: v.key.clone(),
            values,
        });
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let count = canonical.iter().fold(seeds.count(), |n, v| {
        n.saturating_mul(v.values.len() as u64)
    });
    if count > MAX_JOBS {
        return Err(format!(
            "{count} jobs (seeds {seeds} × the varied values) is more than {MAX_JOBS}"
        ));
    }

    let mut jobs = Vec::new();
    // An odometer over the varied values, the last `--vary` turning fastest.
    let mut at = vec![0; canonical.len()];
    loop {
        let values: Vec<String> = canonical
            .iter()
            .zip(&at)
            .map(|(v, &i)| v.values[i].clone())
            .collect();
        for seed in seeds.first..=seeds.last {
            let seed_text = seed.to_string();
            let set: Vec<(&str, &str)> = std::iter::once(("seed", seed_text.as_str()))
                .chain(
                    canonical
                        .iter()
                        .zip(&values)
                        .map(|(v, x)| (v.key.as_str(), x.as_str())),
                )
                .collect();
            let job = Job {
                index: jobs.len() + 1,
                seed,
                values: values.clone(),
                query: String::new(),
            };
            match Config::parse(&with(config, &set)) {
                Ok(c) => jobs.push(Job {
                    query: c.to_query(),
                    ..job
                }),
                Err(e) => {
                    errors.push(format!(
                        "job {} ({}): {e}",
                        job.index,
                        job.label(&canonical)
                    ));
                    jobs.push(job);
                }
            }
        }
        let Some(turn) = (0..at.len())
            .rev()
            .find(|&i| at[i] + 1 < canonical[i].values.len())
        else {
            break;
        };
        at[turn] += 1;
        at[turn + 1..].iter_mut().for_each(|i| *i = 0);
    }
    if errors.is_empty() {
        Ok((canonical, jobs))
    } else {
        Err(errors.join("\n"))
    }
}
