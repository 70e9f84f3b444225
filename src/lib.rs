//! # hessian-boundary
//!
//! How the top eigenvectors of a trained network's loss Hessian encode its decision boundary
//! (Sabanayagam, Behrens, Adomaityte, Dawid, arXiv 2306.07104), as a pure-Rust core that runs natively
//! (the `hessian-boundary` CLI) and in the browser (wasm, in a Web Worker).
//!
//! The modules are the pipeline, in order:
//!
//! | stage | module | what it holds |
//! |---|---|---|
//! | config | [`config`] | the one [`Config`] struct, its query-string form, validation and hard limits |
//! | data | [`data`] | seeded synthetic datasets, iris/digits, the CSV loader, split, standardization |
//! | model | [`model`] | the MLP, its flat parameter layout, and our own autodiff: gradients and exact Hessian-vector products |
//! | train | [`train`] | SGD/Adam, the paper's regimes, snapshots, divergence detection |
//! | spectrum | [`spectrum`] | Lanczos, power iteration, the dense route, trace and spectral density of the Hessian |
//! | analysis | [`analysis`] | alignment matrix and fields, generalization measure G, margin estimation |
//! | export | [`export`] | `run.json` (schema `hessian-boundary/run/v1`) |
//! | render | [`render`] | the paper's figures as plotters charts on any backend (PNG natively, canvas in the page) |
//!
//! [`bench`] times the core's kernels on fixed workloads (natively with `hessian-boundary bench`, in the
//! browser through the wasm binding), with a clock the caller passes in.
//!
//! Numerics never touch the browser: `wasm` (compiled for wasm32 only) is a thin binding.
//! Determinism: one seeded RNG ([`rng`]), `libm` for every transcendental and a fixed summation order in
//! every kernel, so a config gives bit-identical numbers on every platform.

pub mod analysis;
pub mod bench;
pub mod config;
pub mod data;
pub mod export;
pub mod model;
pub mod render;
pub mod rng;
pub mod spectrum;
pub mod train;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use config::Config;

/// Everything that can stop a run, each with a message meant for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    Config(config::ConfigError),
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

impl From<config::ConfigError> for Error {
    fn from(e: config::ConfigError) -> Self {
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

/// The data of a run: its split, and the training split of its `pretrain` dataset if it has one.
pub struct Prepared {
    pub split: data::Split,
    pub pretrain: Option<data::Dataset>,
}

/// Validates the config, loads its data and checks that the model it implies fits the hard limits.
pub fn prepare(config: &Config, csv: Option<&str>) -> Result<Prepared, Error> {
    config.validate()?;
    let split = data::load(config, csv)?;
    let (dim, classes) = (split.train.dim, split.train.classes);
    config.check_size(dim, classes, split.train.len())?;
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
                return Err(Error::Config(config::ConfigError::single(
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

/// The whole pipeline for one config: data, training, spectrum, analyses. `csv` is the data for
/// `dataset=csv`.
pub fn run(config: &Config, csv: Option<&str>) -> Result<export::Run, Error> {
    let Prepared { split, pretrain } = prepare(config, csv)?;
    let mut run = train::Trainer::new(config.clone(), split, pretrain)?.finish()?;
    compute_spectrum(&mut run);
    compute_analyses(&mut run);
    Ok(run)
}

/// The spectrum stage of a trained run: the Hessian's spectrum at its final θ. (The page runs the
/// stages one at a time to report progress between them.)
pub fn compute_spectrum(run: &mut export::Run) {
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    run.spectrum = spectrum::compute(&run.config, mlp, params, train, None);
}

/// The analysis stage: the analyses of the spectrum and, with `snap` > 0, the snapshots' spectra.
pub fn compute_analyses(run: &mut export::Run) {
    let config = &run.config;
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    run.analysis = run
        .spectrum
        .as_ref()
        .map(|s| analysis::analyse(config, mlp, params, train, s));
    if config.snap > 0 {
        run.during_training = analysis::during_training(config, mlp, &run.trained.snapshots, train);
    }
}

/// [`run`] from a query string to the text of `run.json`.
pub fn run_query(query: &str, csv: Option<&str>) -> Result<String, Error> {
    let config = Config::parse(query)?;
    Ok(run(&config, csv)?.to_json())
}
