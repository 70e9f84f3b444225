//! Training: minibatch SGD (momentum, weight decay) and Adam with PyTorch's update rules, the paper's
//! regimes, snapshots of θ, and divergence detection.
//!
//! A [`Trainer`] advances one epoch per [`Trainer::step`], so the browser can train in slices and report
//! progress; [`train`] runs it to the end. A regime is a list of phases, each a number of epochs on
//! either the true or a seeded permutation of the training labels:
//!
//! | regime | phases |
//! |---|---|
//! | `normal` | `epochs` on true labels |
//! | `random-labels` | `epochs` on permuted labels |
//! | `adversarial` | `pre` on permuted labels, then `epochs` on true labels from there |
//! | `large-norm` | `pre` on permuted labels to measure ‖θ‖; then the initial θ rescaled to that norm, `epochs` on true labels |
//! | `normal` with `pretrain=D` | `pre` on dataset D's training split, then `epochs` on true labels |
//!
//! The optimizer state is fresh at the start of each phase.

use crate::config::{Config, Optimizer, Regime};
use crate::data::{Dataset, Split};
use crate::model::autodiff::{self, Tape, Target};
use crate::model::Mlp;
use crate::rng::Rng;

/// At most this many snapshots of θ are kept (each is p numbers).
pub const MAX_SNAPSHOTS: usize = 1_000;
/// The loss/accuracy history keeps about this many points per phase however long the phase: each
/// phase is sampled on its own, so a phase's history does not depend on what follows it (a
/// resumed run's first phase is the cached run's, see [`FirstPhase`]).
const HISTORY_POINTS: usize = 500;

/// Why training stopped early, with what to change.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainError(pub String);

impl std::fmt::Display for TrainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which labels a phase trains on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    True,
    Permuted,
    /// The true labels of the `pretrain` dataset.
    Pretrain,
}

impl Labels {
    pub fn name(self) -> &'static str {
        match self {
            Labels::True => "true-labels",
            Labels::Permuted => "random-labels",
            Labels::Pretrain => "pretrain",
        }
    }
}

/// One point of the training curves; losses and accuracies are over whole splits with the true labels.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// Epochs completed since the start (counting every phase).
    pub epoch: usize,
    pub labels: Labels,
    pub train_loss: f64,
    pub train_accuracy: f64,
    /// `None` when the test split is empty.
    pub test_accuracy: Option<f64>,
}

/// θ at one epoch of the final phase.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub epoch: usize,
    pub params: Vec<f64>,
}

/// The result of training.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    pub mlp: Mlp,
    pub params: Vec<f64>,
    pub history: Vec<HistoryEntry>,
    pub snapshots: Vec<Snapshot>,
    /// The permuted training labels used by random-label phases (empty if none).
    pub permuted_labels: Vec<u32>,
}

/// Where a run whose first phase is on random labels stands at that phase's end: θ, the minibatch
/// stream and the history. Several regimes start with the same (long) random-label phase; a run
/// that has trained it hands it to the next through this (keyed by [`first_phase_query`]).
#[derive(Clone, Debug)]
pub struct FirstPhase {
    params: Vec<f64>,
    batches: Rng,
    history: Vec<HistoryEntry>,
}

/// The query that determines a config's first phase when it is a random-label phase (`None`
/// otherwise): that phase alone as a `random-labels` run, with every key that only later stages read
/// at its default. Two configs with the same query train the same bits in that phase.
pub fn first_phase_query(config: &Config) -> Option<String> {
    let epochs = match config.regime {
        Regime::RandomLabels => config.epochs,
        Regime::Adversarial | Regime::LargeNorm => config.pre,
        Regime::Normal => return None,
    };
    let defaults = Config::default();
    let phase = Config {
        regime: Regime::RandomLabels,
        epochs,
        pre: defaults.pre,
        snap: defaults.snap,
        k: defaults.k,
        solver: defaults.solver,
        tol: defaults.tol,
        grad_label: defaults.grad_label,
        align_value: defaults.align_value,
        grid: defaults.grid,
        measure: defaults.measure,
        epsilon: defaults.epsilon,
        g_over: defaults.g_over,
        margin: defaults.margin,
        pretrain: None,
        ..config.clone()
    };
    (epochs > 0).then(|| phase.to_query())
}

/// Optimizer state; PyTorch's formulas so the paper's hyperparameters mean the same thing here.
enum OptState {
    Sgd {
        velocity: Vec<f64>,
    },
    Adam {
        m: Vec<f64>,
        v: Vec<f64>,
        beta1_t: f64,
        beta2_t: f64,
    },
}

const ADAM_BETA1: f64 = 0.9;
const ADAM_BETA2: f64 = 0.999;
const ADAM_EPS: f64 = 1e-8;

impl OptState {
    fn new(opt: Optimizer, p: usize) -> OptState {
        match opt {
            Optimizer::Sgd => OptState::Sgd {
                velocity: vec![0.0; p],
            },
            Optimizer::Adam => OptState::Adam {
                m: vec![0.0; p],
                v: vec![0.0; p],
                beta1_t: 1.0,
                beta2_t: 1.0,
            },
        }
    }

    /// One update of `params` from `grad` (weight decay added to the gradient, like `weight_decay`).
    fn update(&mut self, config: &Config, params: &mut [f64], grad: &[f64]) {
        let (lr, wd) = (config.lr, config.wd);
        match self {
            OptState::Sgd { velocity } => {
                for ((p, &g), b) in params.iter_mut().zip(grad).zip(velocity.iter_mut()) {
                    let g = g + wd * *p;
                    // momentum = 0 makes this plain SGD: b = g.
                    *b = config.momentum * *b + g;
                    *p -= lr * *b;
                }
            }
            OptState::Adam {
                m,
                v,
                beta1_t,
                beta2_t,
            } => {
                *beta1_t *= ADAM_BETA1;
                *beta2_t *= ADAM_BETA2;
                let step = lr / (1.0 - *beta1_t);
                let root_bc2 = libm::sqrt(1.0 - *beta2_t);
                for (((p, &g), mi), vi) in params
                    .iter_mut()
                    .zip(grad)
                    .zip(m.iter_mut())
                    .zip(v.iter_mut())
                {
                    let g = g + wd * *p;
                    *mi = ADAM_BETA1 * *mi + (1.0 - ADAM_BETA1) * g;
                    *vi = ADAM_BETA2 * *vi + (1.0 - ADAM_BETA2) * g * g;
                    *p -= step * *mi / (libm::sqrt(*vi) / root_bc2 + ADAM_EPS);
                }
            }
        }
    }
}

/// A training run advanced one epoch at a time.
pub struct Trainer {
    config: Config,
    split: Split,
    pretrain: Option<Dataset>,
    mlp: Mlp,
    params: Vec<f64>,
    initial: Vec<f64>,
    phases: Vec<(Labels, usize)>,
    phase: usize,
    epoch_in_phase: usize,
    epoch: usize,
    total_epochs: usize,
    opt: OptState,
    batches: Rng,
    permuted: Vec<u32>,
    history: Vec<HistoryEntry>,
    snapshots: Vec<Snapshot>,
    first_phase: Option<FirstPhase>,
    // Reused buffers of the hot loop.
    tape: Tape,
    grad: Vec<f64>,
    batch_x: Vec<f64>,
    batch_y: Vec<u32>,
}

impl Trainer {
    /// Owns its config and data so the browser binding can keep one between slices of epochs.
    /// `pretrain` is the training split of `config.pretrain`'s dataset, when there is one.
    pub fn new(
        config: Config,
        split: Split,
        pretrain: Option<Dataset>,
    ) -> Result<Trainer, TrainError> {
        let train = &split.train;
        let mlp = Mlp::new(
            train.dim,
            &config.layers,
            train.classes,
            config.act,
            config.loss,
        );
        let params = mlp.init(&mut Rng::derive(config.seed, "init"));
        let phases = match config.regime {
            Regime::Normal if pretrain.is_some() => vec![
                (Labels::Pretrain, config.pre),
                (Labels::True, config.epochs),
            ],
            Regime::Normal => vec![(Labels::True, config.epochs)],
            Regime::RandomLabels => vec![(Labels::Permuted, config.epochs)],
            Regime::Adversarial | Regime::LargeNorm => vec![
                (Labels::Permuted, config.pre),
                (Labels::True, config.epochs),
            ],
        };
        let total_epochs: usize = phases.iter().map(|p| p.1).sum();
        let final_epochs = phases.last().map_or(0, |p| p.1);
        if config.snap > 0 && final_epochs / config.snap > MAX_SNAPSHOTS {
            return Err(TrainError(format!(
                "snap={} would keep {} snapshots of θ (at most {MAX_SNAPSHOTS}): raise snap to at least {}",
                config.snap,
                final_epochs / config.snap,
                final_epochs.div_ceil(MAX_SNAPSHOTS)
            )));
        }
        // The data's own random labels where it fixes them (the authors' permutation), else ours.
        let permuted = if phases.iter().any(|p| p.0 == Labels::Permuted) {
            split.random_labels.clone().unwrap_or_else(|| {
                let mut permuted = train.y.clone();
                Rng::derive(config.seed, "labels").shuffle(&mut permuted);
                permuted
            })
        } else {
            Vec::new()
        };
        let p = mlp.param_count();
        let mut trainer = Trainer {
            opt: OptState::new(config.opt, p),
            initial: params.clone(),
            params,
            mlp,
            phase: 0,
            epoch_in_phase: 0,
            epoch: 0,
            total_epochs,
            batches: Rng::derive(config.seed, "batches"),
            permuted,
            history: Vec::new(),
            snapshots: Vec::new(),
            first_phase: None,
            tape: Tape::new(),
            grad: vec![0.0; p],
            batch_x: Vec::new(),
            batch_y: Vec::new(),
            phases,
            config,
            split,
            pretrain,
        };
        trainer.skip_empty_phases();
        trainer.record(trainer.phases[0].0);
        trainer.maybe_snapshot();
        Ok(trainer)
    }

    pub fn mlp(&self) -> &Mlp {
        &self.mlp
    }

    pub fn params(&self) -> &[f64] {
        &self.params
    }

    pub fn split(&self) -> &Split {
        &self.split
    }

    /// Epochs done and in total (over all phases).
    pub fn progress(&self) -> (usize, usize) {
        (self.epoch, self.total_epochs)
    }

    pub fn is_done(&self) -> bool {
        self.phase >= self.phases.len()
    }

    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }

    /// Trains one epoch. Stops with an error (and leaves θ as it was before the bad step) on divergence.
    pub fn step(&mut self) -> Result<(), TrainError> {
        if self.is_done() {
            return Ok(());
        }
        let labels = self.phases[self.phase].0;
        let data = match (labels, &self.pretrain) {
            (Labels::Pretrain, Some(pre)) => pre,
            _ => &self.split.train,
        };
        let n = data.len();
        let batch = self.config.batch.min(n);
        let order = self.batches.permutation(n);
        for idx in order.chunks(batch) {
            self.batch_x.clear();
            self.batch_y.clear();
            for &i in idx {
                self.batch_x.extend_from_slice(data.row(i));
                self.batch_y.push(match labels {
                    Labels::True | Labels::Pretrain => data.y[i],
                    Labels::Permuted => self.permuted[i],
                });
            }
            let scale = 1.0 / idx.len() as f64;
            self.grad.fill(0.0);
            self.tape.forward(&self.mlp, &self.params, &self.batch_x);
            let loss = self.tape.backward(
                &self.mlp,
                &self.params,
                Target::Labels(&self.batch_y),
                0,
                scale,
            ) * scale;
            self.tape.accumulate_gradient(&self.mlp, &mut self.grad);
            if !loss.is_finite() || self.grad.iter().any(|g| !g.is_finite()) {
                return Err(self.diverged(loss));
            }
            self.opt.update(&self.config, &mut self.params, &self.grad);
        }
        if self.params.iter().any(|p| !p.is_finite()) {
            return Err(self.diverged(f64::NAN));
        }
        self.epoch += 1;
        self.epoch_in_phase += 1;
        let length = self.phases[self.phase].1;
        let ended = self.epoch_in_phase == length;
        if ended
            || self
                .epoch_in_phase
                .is_multiple_of(length.div_ceil(HISTORY_POINTS).max(1))
        {
            self.record(labels);
        }
        if ended {
            self.end_phase();
        }
        self.maybe_snapshot();
        Ok(())
    }

    /// The state at the end of the first phase, when that was a random-label phase.
    pub fn first_phase(&self) -> Option<&FirstPhase> {
        self.first_phase.as_ref()
    }

    /// A trainer for `config` whose first phase is `first` (trained earlier by a run with the same
    /// [`first_phase_query`]): the same bits as training it again.
    pub fn resume(
        config: Config,
        split: Split,
        pretrain: Option<Dataset>,
        first: &FirstPhase,
    ) -> Result<Trainer, TrainError> {
        let mut trainer = Trainer::new(config, split, pretrain)?;
        let length = trainer.phases[0].1;
        debug_assert_eq!(trainer.phases[0].0, Labels::Permuted);
        debug_assert_eq!(first.history.last().map(|h| h.epoch), Some(length));
        trainer.params = first.params.clone();
        trainer.batches = first.batches.clone();
        trainer.history = first.history.clone();
        trainer.epoch = length;
        trainer.epoch_in_phase = length;
        trainer.end_phase();
        trainer.maybe_snapshot();
        Ok(trainer)
    }

    fn diverged(&self, loss: f64) -> TrainError {
        let c = &self.config;
        TrainError(format!(
            "training diverged in epoch {} (minibatch loss {loss}): the parameters left the finite range. \
             Lower the learning rate (lr={}, try {}){}.",
            self.epoch + 1,
            c.lr,
            c.lr / 10.0,
            match c.opt {
                Optimizer::Sgd if c.momentum > 0.0 => format!(", lower momentum (momentum={})", c.momentum),
                _ => String::new(),
            }
        ))
    }

    /// Moves to the next phase: fresh optimizer; for large-norm, the initial θ rescaled to ‖θ‖.
    fn end_phase(&mut self) {
        if self.phase == 0 && self.phases[0].0 == Labels::Permuted && self.phases[0].1 > 0 {
            self.first_phase = Some(FirstPhase {
                params: self.params.clone(),
                batches: self.batches.clone(),
                history: self.history.clone(),
            });
        }
        if self.config.regime == Regime::LargeNorm && self.phases[self.phase].0 == Labels::Permuted
        {
            let norm = |v: &[f64]| libm::sqrt(crate::model::linalg::dot(v, v));
            let factor = norm(&self.params) / norm(&self.initial);
            self.params = self.initial.iter().map(|w| w * factor).collect();
        }
        self.phase += 1;
        self.epoch_in_phase = 0;
        self.opt = OptState::new(self.config.opt, self.params.len());
        self.skip_empty_phases();
    }

    /// Phases of 0 epochs end at once.
    fn skip_empty_phases(&mut self) {
        if self.phase < self.phases.len() && self.phases[self.phase].1 == 0 {
            self.end_phase();
        }
    }

    /// Snapshots are taken in the final phase, at its start, every `snap` epochs, and at the end.
    fn maybe_snapshot(&mut self) {
        let final_start = self.total_epochs - self.phases.last().map_or(0, |p| p.1);
        let since = match self.epoch.checked_sub(final_start) {
            Some(since) => since,
            None => return,
        };
        let snap = self.config.snap;
        if (snap > 0 && since % snap == 0) || self.is_done() {
            self.snapshots.push(Snapshot {
                epoch: self.epoch,
                params: self.params.clone(),
            });
        }
    }

    /// Appends a point to the training curves (the labels are those of the epoch just trained).
    fn record(&mut self, labels: Labels) {
        let train = &self.split.train;
        let (train_loss, predicted) = autodiff::loss_and_predictions(
            &self.mlp,
            &self.params,
            &train.x,
            Target::Labels(&train.y),
        );
        self.history.push(HistoryEntry {
            epoch: self.epoch,
            labels,
            train_loss,
            train_accuracy: share_correct(&predicted, &train.y).unwrap_or(f64::NAN),
            test_accuracy: accuracy(&self.mlp, &self.params, &self.split.test),
        });
    }

    /// Trains to the end.
    pub fn finish(mut self) -> Result<Trainer, TrainError> {
        while !self.is_done() {
            self.step()?;
        }
        Ok(self)
    }

    /// The config and split trained on, and the model as it stands (the page may stop early and
    /// still analyse and export it).
    pub fn into_parts(self) -> (Config, Split, Trained) {
        let trained = Trained {
            mlp: self.mlp,
            params: self.params,
            history: self.history,
            snapshots: self.snapshots,
            permuted_labels: self.permuted,
        };
        (self.config, self.split, trained)
    }
}

/// Fraction of points whose predicted label is the true one; `None` for an empty set.
pub fn accuracy(mlp: &Mlp, params: &[f64], data: &Dataset) -> Option<f64> {
    share_correct(&autodiff::predict(mlp, params, &data.x), &data.y)
}

fn share_correct(predicted: &[u32], labels: &[u32]) -> Option<f64> {
    if labels.is_empty() {
        return None;
    }
    let correct = predicted.iter().zip(labels).filter(|(p, y)| p == y).count();
    Some(correct as f64 / labels.len() as f64)
}

/// Trains a model for `config` on `split` to the end.
pub fn train(config: &Config, split: &Split) -> Result<Trained, TrainError> {
    Ok(Trainer::new(config.clone(), split.clone(), None)?
        .finish()?
        .into_parts()
        .2)
}
