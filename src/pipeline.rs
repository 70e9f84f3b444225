//! The pipeline run end to end: a config's data loaded and checked against every stage's limits,
//! trained, its spectrum and analyses computed, held as one [`Run`] that export writes and render draws.
//!
//! The stages are also callable one at a time ([`prepare`], then a [`Trainer`] stepped by the
//! caller, [`compute_spectrum`], [`compute_analyses`]) so the page can report progress between them.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::analysis::{self, Analysis, SnapshotSpectrum};
use crate::config::{self, Config, ConfigError, DatasetName, Regime};
use crate::data::{self, Split};
use crate::spectrum::{self, Spectrum};
use crate::train::{self, FirstPhase, Trained, Trainer};

/// Everything that can stop a run, each with a message meant for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    Config(ConfigError),
    Data(data::DataError),
    Train(train::TrainError),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Config(e) => write!(f, "bad config: {e}"),
            Error::Data(e) => write!(f, "bad data: {e}"),
            Error::Train(e) => write!(f, "training stopped: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}
impl From<data::DataError> for Error {
    fn from(e: data::DataError) -> Self {
        Error::Data(e)
    }
}
impl From<train::TrainError> for Error {
    fn from(e: train::TrainError) -> Self {
        Error::Train(e)
    }
}

/// A run: its config, data, trained model and the later stages' results.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub config: Config,
    pub split: Split,
    pub trained: Trained,
    /// The Hessian spectrum at the final θ (absent until computed).
    pub spectrum: Option<Spectrum>,
    /// The analyses of that spectrum (absent until computed).
    pub analysis: Option<Analysis>,
    /// The top-k spectrum at each training snapshot (empty unless `snap` > 0).
    pub during_training: Vec<SnapshotSpectrum>,
    /// The self-test (empty until computed).
    pub checks: Vec<analysis::checks::Check>,
}

impl Run {
    /// The run as its trainer leaves it, finished or stopped early, before the later stages.
    pub fn from_trainer(trainer: Trainer) -> Run {
        let (config, split, trained) = trainer.into_parts();
        Run {
            config,
            split,
            trained,
            spectrum: None,
            analysis: None,
            during_training: Vec::new(),
            checks: Vec::new(),
        }
    }
}

/// The data of a run: its split, and the training split of its `pretrain` dataset if it has one.
pub struct Prepared {
    pub split: data::Split,
    pub pretrain: Option<data::Dataset>,
}

/// Validates the config, loads its data and checks that the model it implies fits the hard limits
/// (the config's own, and those of the stages that have one, such as the dense solver's).
pub fn prepare(config: &Config, csv: Option<&str>) -> Result<Prepared, Error> {
    config.validate()?;
    let split = data::load(config, csv)?;
    let (dim, classes) = (split.train.dim, split.train.classes);
    let p = config::param_count(dim, &config.layers, classes);
    let errors: Vec<_> = [
        config.check_size(dim, classes, split.train.len()),
        spectrum::dense::check_size(config, p),
    ]
    .into_iter()
    .filter_map(Result::err)
    .flat_map(|e| e.errors)
    .collect();
    if !errors.is_empty() {
        return Err(Error::Config(ConfigError { errors }));
    }
    let pretrain = match config.pretrain {
        None => None,
        Some(name) => {
            let pre = data::load(
                &Config {
                    dataset: name,
                    ..config.clone()
                },
                None,
            )?
            .train;
            if (pre.dim, pre.classes) != (dim, classes) {
                return Err(Error::Config(ConfigError::single(
                    "pretrain",
                    name.name(),
                    format!(
                        "{} has {} features and {} classes, but the run's data has {dim} and {classes}: pretrain on data of the same shape",
                        name.name(),
                        pre.dim,
                        pre.classes
                    ),
                )));
            }
            Some(pre)
        }
    };
    Ok(Prepared { split, pretrain })
}

/// Random-label phases already trained, by [`train::first_phase_query`]: the regimes that start with
/// the same phase (random labels, then adversarial init and large norm from there) train it once
/// per cache, with the same bits as training it again. Not for `dataset=csv`, whose query does not
/// name its data.
#[derive(Default)]
pub struct PhaseCache(Mutex<HashMap<String, FirstPhase>>);

impl PhaseCache {
    /// The queries of the phases held.
    pub fn queries(&self) -> Vec<String> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut queries: Vec<String> = held.keys().cloned().collect();
        queries.sort();
        queries
    }
}

/// The whole pipeline for one config: data, training, spectrum, analyses. `csv` is the data for
/// `dataset=csv`.
pub fn run(config: &Config, csv: Option<&str>) -> Result<Run, Error> {
    run_cached(config, csv, &PhaseCache::default())
}

/// [`run`], resuming from a random-label phase in `cache` where one fits and leaving its own there.
pub fn run_cached(config: &Config, csv: Option<&str>, cache: &PhaseCache) -> Result<Run, Error> {
    let Prepared { split, pretrain } = prepare(config, csv)?;
    let key = train::first_phase_query(config).filter(|_| config.dataset != DatasetName::Csv);
    let lock = || cache.0.lock().unwrap_or_else(|e| e.into_inner());
    let cached = key.as_ref().and_then(|k| lock().get(k).cloned());
    let trainer = match cached {
        Some(first) if config.regime != Regime::RandomLabels => {
            Trainer::resume(config.clone(), split, pretrain, &first)?
        }
        _ => Trainer::new(config.clone(), split, pretrain)?,
    }
    .finish()?;
    if let (Some(key), Some(first)) = (key, trainer.first_phase()) {
        lock().entry(key).or_insert_with(|| first.clone());
    }
    let mut run = Run::from_trainer(trainer);
    compute_spectrum(&mut run);
    compute_analyses(&mut run);
    compute_checks(&mut run);
    Ok(run)
}

/// The spectrum stage of a trained run: the Hessian's spectrum at its final θ.
pub fn compute_spectrum(run: &mut Run) {
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    run.spectrum = spectrum::compute(&run.config, mlp, params, train, None);
}

/// The analysis stage: the analyses of the spectrum and, with `snap` > 0, the snapshots' spectra.
pub fn compute_analyses(run: &mut Run) {
    let config = run.config.clone();
    analyses_with(run, &config);
}

/// The analysis stage of `run` with `config` in place of its own (which only G may differ in).
fn analyses_with(run: &mut Run, config: &Config) {
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    run.analysis = run
        .spectrum
        .as_ref()
        .map(|s| analysis::analyse(config, mlp, params, train, s));
    snapshot_spectra(run, config);
}

/// With `snap` > 0, the snapshots' spectra.
fn snapshot_spectra(run: &mut Run, config: &Config) {
    if config.snap > 0 {
        let (mlp, train) = (&run.trained.mlp, &run.split.train);
        run.during_training = analysis::during_training(config, mlp, &run.trained.snapshots, train);
    }
}

/// The config of [`compute_analyses_before_g`]: G over the solver's eigenvectors.
fn before_g(run: &Run) -> Config {
    Config {
        g_over: config::GOver::Solver,
        ..run.config.clone()
    }
}

/// [`compute_analyses`] in two steps, for the page: everything but a certified G first (G over the
/// solver's eigenvectors stands in, never exported), then [`compute_generalization`], the longest
/// step, once the rest is on screen. Together they give the same bits as [`compute_analyses`].
pub fn compute_analyses_before_g(run: &mut Run) {
    let quick = before_g(run);
    analyses_with(run, &quick);
}

/// [`compute_analyses_before_g`] but the fields, which the page's pool of workers computes meanwhile
/// ([`analysis::field::rows`] on bands of the grid): the snapshots' spectra, and the other analyses,
/// which [`analysis::Rest::with`] the assembled fields and the perturbation complete (None before the
/// spectrum).
pub fn compute_analyses_before_g_rest(run: &mut Run) -> Option<analysis::Rest> {
    let quick = before_g(run);
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    let but = run
        .spectrum
        .as_ref()
        .map(|s| analysis::analyse_rest(&quick, mlp, params, train, s));
    snapshot_spectra(run, &quick);
    but
}

/// Whether [`compute_analyses_before_g`] left G to [`compute_generalization`]: only a certified count
/// over all p that the solver did not already provide differs from G over the solver's eigenvectors.
pub fn generalization_pending(run: &Run) -> bool {
    let all = run
        .spectrum
        .as_ref()
        .is_some_and(|s| s.eigen.vectors.len() == run.trained.params.len());
    run.config.g_over == config::GOver::All && !all
}

/// G with the run's own config, replacing what [`compute_analyses_before_g`] put there; `progress`
/// hears the HVPs done so far.
pub fn compute_generalization(run: &mut Run, progress: &mut dyn FnMut(usize)) {
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    if let (Some(a), Some(s)) = (&mut run.analysis, &run.spectrum) {
        a.generalization =
            analysis::generalization_of(&run.config, mlp, params, train, s, progress);
    }
}

/// The self-test of the spectrum and the analyses, last because for p up to the dense limit it builds
/// the whole matrix.
pub fn compute_checks(run: &mut Run) {
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    if let Some(s) = &run.spectrum {
        let curvature = run
            .analysis
            .as_ref()
            .and_then(|a| a.perturbation.lines.first())
            .map(|l| l.curvature);
        run.checks = analysis::checks::checks(&run.config, mlp, params, train, s, curvature);
    }
}

/// [`run`] from a query string to the text of `run.json`.
pub fn run_query(query: &str, csv: Option<&str>) -> Result<String, Error> {
    let config = Config::parse(query)?;
    Ok(run(&config, csv)?.to_json())
}
