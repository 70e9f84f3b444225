//! The analysis stage: what the paper reads off the Hessian's eigenvectors.
//!
//! - [`alignment`]: A_i(x) = cos(g(x), v_i) at training points (the alignment matrix);
//! - [`field`]: the decision boundary, the alignment fields and the reconstructed boundary on a grid;
//! - [`generalization`]: the measure G and its random-direction threshold ε;
//! - [`certificate`]: G's count over all p eigenvectors with a certified interval;
//! - [`margin`]: the narrowest-margin estimate from v_1, checked against the true distance;
//! - [`perturbation`]: the loss along θ + t·v_i and on the plane of v_1, v_2;
//! - [`tracking`]: each snapshot's eigenvectors matched to the previous snapshot's;
//! - [`checks`]: the self-test of the numbers above against independent routes.

pub mod alignment;
pub mod certificate;
pub mod checks;
pub mod field;
pub mod generalization;
pub mod margin;
pub mod perturbation;
pub mod tracking;

use crate::config::Config;
use crate::data::Dataset;
use crate::model::Mlp;
use crate::parallel::join;
use crate::spectrum::Spectrum;

/// Everything the analysis stage computes for one θ and its spectrum.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub matrix: alignment::AlignmentMatrix,
    pub fields: field::Fields,
    pub generalization: generalization::Generalization,
    pub margin: margin::Margin,
    pub perturbation: perturbation::Perturbation,
}

/// The top-k spectrum at one training snapshot, and the alignment of its eigenvectors with the
/// training points there.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotSpectrum {
    pub epoch: usize,
    pub eigen: crate::spectrum::Eigen,
    pub matrix: alignment::AlignmentMatrix,
    /// Each eigenvector's match in the previous snapshot (all `None` at the first).
    pub matches: Vec<Option<tracking::Match>>,
}

/// Top-k eigenpairs at every snapshot of θ, each Lanczos run warm-started from the previous
/// snapshot's top eigenvector (the paper: the alignment with the boundary holds during training).
pub fn during_training(
    config: &Config,
    mlp: &Mlp,
    snapshots: &[crate::train::Snapshot],
    train: &Dataset,
) -> Vec<SnapshotSpectrum> {
    use crate::spectrum::{lanczos, LossCurvature, Options};
    let opts = Options::of(config);
    let mut previous: Vec<Vec<f64>> = Vec::new();
    snapshots
        .iter()
        .map(|s| {
            let mut op = LossCurvature::new(config.operator, mlp, &s.params, train);
            let eigen = lanczos(&mut op, &opts, previous.first().map(|v| &v[..]));
            let matches = tracking::track(&previous, &eigen.vectors);
            previous = eigen.vectors.clone();
            let matrix = alignment::alignment_matrix(
                mlp,
                &s.params,
                train,
                &eigen.vectors,
                config.grad_label,
                config.align_value,
            );
            SnapshotSpectrum {
                epoch: s.epoch,
                eigen,
                matrix,
                matches,
            }
        })
        .collect()
}

/// Training snapshot `index`'s top-k eigenpairs as the timeline shows their fields: slot j holds
/// the eigenvector that becomes the last snapshot's j-th, with the sign that keeps its picture
/// from flipping ([`tracking::slots`]).
pub fn tracked_pairs(
    during: &[SnapshotSpectrum],
    index: usize,
    k: usize,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let matches: Vec<_> = during.iter().map(|s| s.matches.clone()).collect();
    let slots = &tracking::slots(&matches)[index];
    let eigen = &during[index].eigen;
    let mut order: Vec<usize> = (0..k.min(eigen.vectors.len())).collect();
    order.sort_by_key(|&i| slots[i].0);
    let values = order.iter().map(|&i| eigen.values[i]).collect();
    let vectors = order
        .iter()
        .map(|&i| eigen.vectors[i].iter().map(|x| x * slots[i].1).collect())
        .collect();
    (values, vectors)
}

/// Runs every analysis on the top-k eigenpairs (G uses all p when the dense solver computed them).
pub fn analyse(
    config: &Config,
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    spectrum: &Spectrum,
) -> Analysis {
    let (grid, values, vectors) = field_inputs(config, train, spectrum);
    let ((fields, perturbation), rest) = join(
        || {
            join(
                || field::fields(mlp, params, grid, values, vectors, config.align_value),
                || perturbation::perturbation(mlp, params, train, values, vectors),
            )
        },
        || analyse_rest(config, mlp, params, train, spectrum),
    );
    rest.with(fields, perturbation)
}

/// The grid of the fields and the top-k eigenpairs they (and the perturbation) are computed for.
pub fn field_inputs<'a>(
    config: &Config,
    train: &Dataset,
    spectrum: &'a Spectrum,
) -> (field::Grid, &'a [f64], &'a [Vec<f64>]) {
    let eigen = &spectrum.eigen;
    let k = config.k.min(eigen.vectors.len());
    (
        field::Grid::for_data(train, config.grid),
        &eigen.values[..k],
        &eigen.vectors[..k],
    )
}

/// Every analysis but the two that need only θ and the top-k eigenpairs, the fields and the
/// perturbation: the page's pool computes those in other workers meanwhile, and [`Rest::with`]
/// completes the analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Rest {
    pub matrix: alignment::AlignmentMatrix,
    pub generalization: generalization::Generalization,
    pub margin: margin::Margin,
}

impl Rest {
    pub fn with(self, fields: field::Fields, perturbation: perturbation::Perturbation) -> Analysis {
        Analysis {
            matrix: self.matrix,
            fields,
            generalization: self.generalization,
            margin: self.margin,
            perturbation,
        }
    }
}

/// [`analyse`] without the fields and the perturbation: each analysis depends only on its inputs, so
/// they run side by side (on as many threads as there are) and the order does not change a bit.
pub fn analyse_rest(
    config: &Config,
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    spectrum: &Spectrum,
) -> Rest {
    let eigen = &spectrum.eigen;
    let k = config.k.min(eigen.vectors.len());
    let vectors = &eigen.vectors[..k];
    let ((matrix, generalization), margin) = join(
        || {
            join(
                || {
                    alignment::alignment_matrix(
                        mlp,
                        params,
                        train,
                        vectors,
                        config.grad_label,
                        config.align_value,
                    )
                },
                || generalization_of(config, mlp, params, train, spectrum, &mut |_| {}),
            )
        },
        || margin::margin(mlp, params, train, &vectors[0], config.seed, config.margin),
    );
    Rest {
        matrix,
        generalization,
        margin,
    }
}

/// G of the spectrum with the config's keys: over the solver's top k, or all p when the dense solver
/// computed them (or, with `g-over=all`, certified over all p, telling `progress` the HVPs done).
pub fn generalization_of(
    config: &Config,
    mlp: &Mlp,
    params: &[f64],
    train: &Dataset,
    spectrum: &Spectrum,
    progress: &mut dyn FnMut(usize),
) -> generalization::Generalization {
    let eigen = &spectrum.eigen;
    let over_all = eigen.vectors.len() == params.len();
    let counted = if over_all {
        &eigen.vectors[..]
    } else {
        &eigen.vectors[..config.k.min(eigen.vectors.len())]
    };
    generalization::generalization_reporting(
        mlp, params, train, counted, over_all, config, progress,
    )
}
