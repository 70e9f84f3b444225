//! The paper's exact datasets and splits, regenerated as the authors' code
//! (Shmoo137/Hessian-and-Decision-Boundary, `src/datasets.py` and `run_training.py`; MIT,
//! © 2023 Anna Dawid) draws them, with the ports of numpy and PyTorch in [`super::numpy_rng`].
//!
//! | set | authors' class | generator |
//! |---|---|---|
//! | gaussian | `GaussMixtureDataset` | `RandomState(42)`: per class, per point `rs.normal(mean, std)` (x₁ then x₂) |
//! | hierarchical | `HierachicalGaussMixtureDataset` | the same with `RandomState(34)`, 75 a class |
//! | checker, checker-noisy | `GaussCheckerboard{Linear,Noisy}Close` | the same with `RandomState(41)`, 100 a blob |
//! | circles | `CircleDataset` | scikit-learn `make_circles(200, shuffle=True, noise=0.1, random_state=28, factor=0.5)` |
//! | moons | `HalfMoonDataset` | scikit-learn `make_moons(200, shuffle=True, noise=0.1, random_state=28)` |
//! | line1d | `IntroDataset` | six fixed points |
//!
//! scikit-learn's generators are ported from its `_samples_generator.py` (unchanged in this
//! respect since 0.24): numpy's `linspace`, `cos`/`sin` (here [`cr_math`]'s), then
//! `sklearn.utils.shuffle` — `RandomState(28).shuffle(arange(n))` — and only then the noise,
//! `normal(scale=noise, size=(n, 2))` from the same generator, in C order.
//!
//! The networks saw the points as float32 (`X.astype(np.float32)`), so [`draw`] rounds every
//! coordinate to f32 (and back to f64); [`generate`] gives the float64 values before that cast.
//!
//! The split is `random_split(dataset, [⌊0.5n⌋, ⌊0.2n⌋, rest], torch.Generator().manual_seed(42))`:
//! train, test and validation points in the order of `torch.randperm(n)`. line1d is not split
//! (`test_fraction = 0`): its train, test and validation sets are all six points, in order.
//!
//! Random labels (the "random labels" regime) permute the labels of the whole dataset, in
//! generation order, before the split: `RandomState(28).permutation(y)`, or for hierarchical
//! `RandomState(34)` — "uniform" permutes all labels, "within_hierachy" permutes the labels of
//! classes {0, 1}, then those of {2, 3}, with one generator.

use super::cr_math;
use super::numpy_rng::{torch_randperm, RandomState};
use super::synthetic::{Blob, CHECKER, CHECKER_NOISY, GAUSSIAN, HIERARCHICAL, LINE1D_X, LINE1D_Y};
use super::{Dataset, Split};
use crate::config::DatasetName;
use std::f64::consts::PI;

/// One of the paper's synthetic datasets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorsSet {
    Gaussian,
    Hierarchical,
    Circles,
    Moons,
    CheckerLinear,
    CheckerNoisy,
    Line1d,
}

impl AuthorsSet {
    pub const ALL: [AuthorsSet; 7] = [
        AuthorsSet::Gaussian,
        AuthorsSet::Hierarchical,
        AuthorsSet::Circles,
        AuthorsSet::Moons,
        AuthorsSet::CheckerLinear,
        AuthorsSet::CheckerNoisy,
        AuthorsSet::Line1d,
    ];

    /// The authors' set behind one of our dataset names (`None` where their code defines none;
    /// [`DatasetName::has_paper_draw`] says the same, a test keeps the two in step).
    pub fn of(name: DatasetName) -> Option<AuthorsSet> {
        Some(match name {
            DatasetName::Gaussian => AuthorsSet::Gaussian,
            DatasetName::Hierarchical => AuthorsSet::Hierarchical,
            DatasetName::Circles => AuthorsSet::Circles,
            DatasetName::Moons => AuthorsSet::Moons,
            DatasetName::Checker => AuthorsSet::CheckerLinear,
            DatasetName::CheckerNoisy => AuthorsSet::CheckerNoisy,
            DatasetName::Line1d => AuthorsSet::Line1d,
            _ => return None,
        })
    }
}

/// The authors' data for one set: the points (rounded to f32) of each split and the random labels.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthorsDraw {
    /// Training and test splits, with the training points' random labels ("uniform" for
    /// hierarchical; `None` for line1d, which has no random-label run).
    pub split: Split,
    /// The validation split (the authors' third split).
    pub val: Dataset,
    /// hierarchical only: the training points' "within_hierachy" random labels.
    pub random_labels_within: Option<Vec<u32>>,
}

/// The whole dataset as the authors' generator returns it: float64, in generation order.
pub fn generate(set: AuthorsSet) -> Dataset {
    match set {
        AuthorsSet::Gaussian => blobs(&GAUSSIAN, 100, 42),
        AuthorsSet::Hierarchical => blobs(&HIERARCHICAL, 75, 34),
        AuthorsSet::CheckerLinear => blobs(&CHECKER, 100, 41),
        AuthorsSet::CheckerNoisy => blobs(&CHECKER_NOISY, 100, 41),
        AuthorsSet::Circles => circles(200, 0.1, 28, 0.5),
        AuthorsSet::Moons => moons(200, 0.1, 28),
        AuthorsSet::Line1d => Dataset {
            dim: 1,
            classes: 2,
            x: LINE1D_X.to_vec(),
            y: LINE1D_Y.to_vec(),
        },
    }
}

/// `random_split`'s train, test and validation indices for n points: `torch.randperm(n)` under
/// `manual_seed(42)`, cut after ⌊0.5n⌋ and ⌊0.2n⌋ more.
pub fn split_indices(n: usize) -> [Vec<usize>; 3] {
    let order = torch_randperm(n, 42);
    let (train, test) = (n / 2, n / 5);
    [
        order[..train].to_vec(),
        order[train..train + test].to_vec(),
        order[train + test..].to_vec(),
    ]
}

/// The set's splits as the authors' networks saw them; see the module docs.
pub fn draw(set: AuthorsSet) -> AuthorsDraw {
    let mut data = generate(set);
    for v in &mut data.x {
        *v = *v as f32 as f64;
    }
    if set == AuthorsSet::Line1d {
        return AuthorsDraw {
            split: Split {
                train: data.clone(),
                test: data.clone(),
                class_names: None,
                random_labels: None,
            },
            val: data,
            random_labels_within: None,
        };
    }
    let [train, test, val] = split_indices(data.len());
    let in_training_order = |labels: Vec<u32>| train.iter().map(|&i| labels[i]).collect();
    let seed = if set == AuthorsSet::Hierarchical {
        34
    } else {
        28
    };
    let uniform = permuted(&data.y, &mut RandomState::new(seed));
    let within = (set == AuthorsSet::Hierarchical).then(|| within_pairs(&data.y));
    AuthorsDraw {
        split: Split {
            train: data.subset(&train),
            test: data.subset(&test),
            class_names: None,
            random_labels: Some(in_training_order(uniform)),
        },
        val: data.subset(&val),
        random_labels_within: within.map(in_training_order),
    }
}

/// `rs.permutation(labels)`.
fn permuted(labels: &[u32], rs: &mut RandomState) -> Vec<u32> {
    rs.permutation(labels.len())
        .into_iter()
        .map(|i| labels[i])
        .collect()
}

/// hierarchical's "within_hierachy": for the pairs {0, 1} then {2, 3}, the labels of the pair's
/// points (in order) replaced by their `permutation`, one `RandomState(34)` throughout.
fn within_pairs(labels: &[u32]) -> Vec<u32> {
    let mut rs = RandomState::new(34);
    let mut out = labels.to_vec();
    for pair in [[0, 1], [2, 3]] {
        let idxs: Vec<usize> = (0..labels.len())
            .filter(|&i| pair.contains(&labels[i]))
            .collect();
        let pair_labels: Vec<u32> = idxs.iter().map(|&i| labels[i]).collect();
        for (&i, label) in idxs.iter().zip(permuted(&pair_labels, &mut rs)) {
            out[i] = label;
        }
    }
    out
}

/// The authors' `sample_Gausses` (and the checkerboards' loop): blob by blob, `per_blob` points
/// each drawn as `rs.normal(mean, std)`, x₁ then x₂.
fn blobs(blobs: &[Blob], per_blob: usize, seed: u32) -> Dataset {
    let mut rs = RandomState::new(seed);
    let mut x = Vec::with_capacity(2 * per_blob * blobs.len());
    let mut y = Vec::with_capacity(per_blob * blobs.len());
    for blob in blobs {
        for _ in 0..per_blob {
            for k in 0..2 {
                x.push(rs.normal(blob.mean[k], blob.std[k]));
            }
            y.push(blob.class);
        }
    }
    let classes = blobs
        .iter()
        .map(|b| b.class as usize + 1)
        .max()
        .unwrap_or(0);
    Dataset {
        dim: 2,
        classes,
        x,
        y,
    }
}

/// `np.linspace(0, stop, num, endpoint)`: `i · (stop / div)`, the last point `stop` exactly
/// with an endpoint.
fn linspace(stop: f64, num: usize, endpoint: bool) -> Vec<f64> {
    let div = if endpoint { num - 1 } else { num };
    let step = stop / div as f64;
    let mut y: Vec<f64> = (0..num).map(|i| i as f64 * step + 0.0).collect();
    if endpoint && num > 1 {
        y[num - 1] = stop;
    }
    y
}

/// scikit-learn's `make_circles(n, shuffle=True, noise, random_state=seed, factor)`.
fn circles(n: usize, noise: f64, seed: u32, factor: f64) -> Dataset {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = linspace(2.0 * PI, n_out, false);
    let inner = linspace(2.0 * PI, n_in, false);
    let points = outer
        .iter()
        .map(|&t| [cr_math::cos(t), cr_math::sin(t)])
        .chain(
            inner
                .iter()
                .map(|&t| [cr_math::cos(t) * factor, cr_math::sin(t) * factor]),
        );
    shuffled_with_noise(points.collect(), n_out, noise, seed)
}

/// scikit-learn's `make_moons(n, shuffle=True, noise, random_state=seed)`.
fn moons(n: usize, noise: f64, seed: u32) -> Dataset {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = linspace(PI, n_out, true);
    let inner = linspace(PI, n_in, true);
    let points = outer
        .iter()
        .map(|&t| [cr_math::cos(t), cr_math::sin(t)])
        .chain(
            inner
                .iter()
                .map(|&t| [1.0 - cr_math::cos(t), 1.0 - cr_math::sin(t) - 0.5]),
        );
    shuffled_with_noise(points.collect(), n_out, noise, seed)
}

/// The end of make_circles/make_moons: the first `n_out` points are class 0, the rest class 1;
/// `util_shuffle` (a `shuffle` of the indices), then `X += normal(scale=noise, size=X.shape)`.
fn shuffled_with_noise(points: Vec<[f64; 2]>, n_out: usize, noise: f64, seed: u32) -> Dataset {
    let mut rs = RandomState::new(seed);
    let order = rs.permutation(points.len());
    let mut x = Vec::with_capacity(2 * points.len());
    for &i in &order {
        for v in points[i] {
            x.push(v + rs.normal(0.0, noise));
        }
    }
    let y = order.iter().map(|&i| u32::from(i >= n_out)).collect();
    Dataset {
        dim: 2,
        classes: 2,
        x,
        y,
    }
}
