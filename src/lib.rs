//! # hessian-boundary
//!
//! How the top eigenvectors of a trained network's loss Hessian encode its decision boundary
//! (Sabanayagam, Behrens, Adomaityte, Dawid, arXiv 2306.07104), as a pure-Rust core that runs natively
//! (the `hessian-boundary` CLI) and in the browser (wasm, in a Web Worker).
//!
//! The modules are the pipeline, in order; each uses only those above it (`tests/layout.rs` fails
//! when an import points down the table), with [`rng`] and [`parallel`] the foundation every stage may
//! use:
//!
//! | stage | module | what it holds |
//! |---|---|---|
//! | config | [`config`] | the one [`Config`] struct; its key table, query codec, limits and errors in one file each |
//! | data | [`data`] | seeded synthetic datasets, iris/digits, the CSV loader, split, standardization |
//! | model | [`model`] | the MLP, its flat parameter layout, and our own autodiff: gradients and exact Hessian-vector products |
//! | train | [`train`] | SGD/Adam, the paper's regimes, snapshots, divergence detection |
//! | spectrum | [`spectrum`] | Lanczos, power iteration, the dense route, trace and spectral density of the Hessian |
//! | analysis | [`analysis`] | alignment matrix and fields, generalization measure G, margin estimation |
//! | pipeline | [`pipeline`] | the stages above run end to end into one [`Run`], and the [`Error`] that can stop them |
//! | export | [`export`] | `run.json` (schema `hessian-boundary/run/v1`) of a [`Run`] |
//! | render | [`render`] | the paper's figures as plotters charts on any backend (PNG natively, canvas in the page) |
//! | experiments | `sweep` (native only) | one configuration over seeds and varied keys, each job a `run` in a child process; median, IQR and range per metric |
//! | | `reproduce` (native only) | the paper's experiments: cases, runs, verdicts, figures, the report and its robustness over seeded draws |
//! | | [`bench`] | the core's kernels timed on fixed workloads, with a clock the caller passes in |
//! | faces | `wasm` (wasm32 only), the CLI (`main.rs`) | the page's worker binding; `run`, `reproduce`, `sweep`, `bench` |
//!
//! Numerics never touch the browser: `wasm` (compiled for wasm32 only) is a thin binding.
//! Determinism: one seeded RNG ([`rng`]), `libm` for every transcendental and a fixed summation order in
//! every kernel, so a config gives bit-identical numbers on every platform; native threads
//! ([`parallel`]) split work only where the pieces' results land in fixed places.
//! `docs/architecture.md` says where to add a dataset, a config key, an analysis or a panel.

pub mod analysis;
pub mod bench;
pub mod config;
pub mod data;
pub mod export;
pub mod model;
pub mod parallel;
pub mod pipeline;
pub mod render;
#[cfg(not(target_arch = "wasm32"))]
pub mod reproduce;
pub mod rng;
pub mod spectrum;
#[cfg(not(target_arch = "wasm32"))]
pub mod sweep;
pub mod train;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use config::Config;
pub use pipeline::{
    compute_analyses, compute_spectrum, prepare, run, run_query, Error, Prepared, Run,
};
