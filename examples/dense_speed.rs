//! The dense route's eigensolver against nalgebra's own on the same Hessian, in one process, with
//! the bits compared: the README's ratio. `cargo run --release --example dense_speed [-- QUERY]`
//! (default: iris 4-59-58-3 trained, p = 3,952, just under the dense limit of 4,000).
//! Ours runs before and after nalgebra, so a change of load on a shared machine shows as a spread.

use hessian_boundary::config::Config;
use hessian_boundary::pipeline::{prepare, Prepared};
use hessian_boundary::spectrum::symmetric_eigen::{symmetric_eigen, symmetric_eigenvalues};
use hessian_boundary::spectrum::{dense, LossCurvature};
use hessian_boundary::train::Trainer;
use nalgebra::SymmetricEigen;
use std::time::Instant;

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    let s = t.elapsed().as_secs_f64();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?");
    println!("{what}: {s:.2} s (load {load})");
    (out, s)
}

fn same_bits<'a>(
    a: impl IntoIterator<Item = &'a f64>,
    b: impl IntoIterator<Item = &'a f64>,
) -> bool {
    a.into_iter()
        .map(|x| x.to_bits())
        .eq(b.into_iter().map(|x| x.to_bits()))
}

fn main() {
    let query = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "dataset=iris&layers=59,58".into());
    let config = Config::parse(&query).unwrap_or_else(|e| panic!("{e}"));
    let Prepared { split, pretrain } = prepare(&config, None).unwrap_or_else(|e| panic!("{e}"));
    let (_, _, trained) = Trainer::new(config, split.clone(), pretrain)
        .and_then(|t| t.finish())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_parts();
    let mut op = LossCurvature::hessian(&trained.mlp, &trained.params, &split.train);
    let (h, build) = timed("H from p HVPs", || dense::matrix(&mut op));
    println!("p = {}", h.nrows());

    let (ours, before) = timed("ours, all pairs", || symmetric_eigen(h.clone()));
    let (theirs, nalgebra) = timed("nalgebra, all pairs", || SymmetricEigen::new(h.clone()));
    let (_, after) = timed("ours, all pairs again", || symmetric_eigen(h.clone()));
    let (alone, alone_s) = timed("ours, eigenvalues alone", || {
        symmetric_eigenvalues(h.clone())
    });
    let same = same_bits(&ours.eigenvalues, &theirs.eigenvalues)
        && same_bits(&ours.eigenvectors, &theirs.eigenvectors)
        && same_bits(&alone, &theirs.eigenvalues);
    println!("bit for bit nalgebra's (values, vectors, values alone): {same}");
    let ours_s = 0.5 * (before + after);
    println!(
        "eigensolver: {:.1}× faster (ours {before:.2}–{after:.2} s, nalgebra {nalgebra:.2} s); \
         with H: {:.1}×; the self-test's dense check (H + eigenvalues alone, was H + all pairs): {:.1}×",
        nalgebra / ours_s,
        (build + nalgebra) / (build + ours_s),
        (build + nalgebra) / (build + alone_s),
    );
    assert!(same, "the reordered eigensolver must give nalgebra's bits");
}
