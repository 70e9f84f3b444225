//! Benchmarks of the core (issues 6 and 15): the same workloads natively (`hessian-boundary bench`) and in the
//! browser (the wasm `bench` export), timed with a clock the caller passes in (seconds, monotonic):
//! `std::time::Instant` natively, `performance.now()` in wasm.
//!
//! Each workload is a [`Config`] query, so the networks, data and kernels are exactly the ones the app
//! runs. A workload is first trained to its trained state with [`Trainer`] (the paper's gaussian setting
//! for its full 2000 epochs), then, at that θ, every metric is timed and reported as a median. Each median is over `repeats` samples after a warm-up call; a call shorter than 20 ms is repeated
//! within a sample (and the sample divided), so the browser's coarse clock still resolves it.
//!
//! | field | what is timed |
//! |---|---|
//! | `threads` | threads the numerics ran on (the CLI's `--threads`; 1 in wasm) |
//! | `forward_s` | the logits of the whole training split |
//! | `grad_s` | loss and gradient of the mean training loss over the whole training split |
//! | `hvp_s` | one exact Hessian-vector product of the mean training loss (a seeded random unit v) |
//! | `epoch_s` | one [`Trainer::step`]: an epoch of minibatch SGD with the config's batch and lr (timed on a fresh trainer whose history is not recorded in those epochs) |
//! | `train_s` | the whole training to the trained state, history recording included (once, not a median) |
//! | `lanczos_top10_s` | [`lanczos`] for the top 10 pairs to `tol` = 1e-8·λ₁, including its residual checks |
//! | `lanczos_hvps` | the HVPs that Lanczos run used (steps + 10 residual checks) |
//! | `field_s` | [`field::fields`]: prediction and the 10 alignment fields on the 128×128 grid |
//! | `dense_s` | the dense route: H from p HVPs ([`dense::matrix`]) plus the symmetric eigensolver ([`symmetric_eigen`]: nalgebra's bits, all p pairs, no residuals); `null` above `dense_max_p`, with `dense_note` and an extrapolated `dense_est_s` |
//! | `dense_eigh_nalgebra_s` | nalgebra's own `SymmetricEigen::new` on the same H, for the ratio (the same bits, checked); native only |
//! | `analysis_s` | the whole analysis stage ([`crate::analysis::analyse`]: alignment matrix, fields, G, margin) at the config's `k`, `grid` and `margin` (once, not a median) |
//! | `margin_s` | its margin step alone ([`margin::margin`] with the config's `margin` method, `margin_method`; once) |
//! | `certified_g` | G's certified count over all p ([`crate::analysis::certificate`]): seconds, HVPs, eigenpairs, basis memory (MB), the count interval and its certificate; `null` in --quick |
//! | `peak_rss_mb` | peak memory as the caller measures it (native: VmHWM of the process; wasm: linear memory size) |
//! | `peak` | this machine's measured peak on one thread ([`Peak`]): the SIMD, GFLOP/s with separate multiply and add, and with FMA |
//! | `roofline` | per kernel (forward, gradient, HVP, fields): the analytic operation count ([`flops`]), the time, GFLOP/s and the fractions of both peaks |
//!
//! `hessian-boundary bench --scaling` instead prints one [`Scaling`] line per network of [`SCALING`]:
//! each stage of one whole run, to show how the cost grows with p at fixed data.

use crate::analysis::{field, margin};
use crate::config::{AlignValue, Config};
use crate::model::autodiff::{hessian_vector_product, logits, loss_and_gradient, Target};
use crate::model::{linalg, Mlp};
use crate::rng::Rng;
use crate::spectrum::symmetric_eigen::symmetric_eigen;
use crate::spectrum::{dense, lanczos, LossCurvature, Options as SolverOptions};
use crate::train::Trainer;
use nalgebra::DMatrix;
use serde::Serialize;

/// One benchmark workload: a name and the config it runs.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    pub name: &'static str,
    /// The configuration (query string); the trained state comes from its `epochs`.
    pub query: &'static str,
}

/// The workloads of issue 6: the paper's gaussian setting (2-100-100-3, n = 150, p = 10,703), iris
/// (4-50-50-3) and digits (64-100-100-10, all 10 classes; 300 epochs rather than 2000 to keep the
/// bench short: its epochs are ~15× the gaussian's).
pub const WORKLOADS: [Workload; 3] = [
    Workload {
        name: "gaussian",
        query: "",
    },
    Workload {
        name: "iris",
        query: "dataset=iris&layers=50,50",
    },
    Workload {
        name: "digits",
        query: "dataset=digits&epochs=300",
    },
];

/// Looks a workload up by name.
pub fn workload(name: &str) -> Option<Workload> {
    WORKLOADS.iter().copied().find(|w| w.name == name)
}

/// Eigenpairs of the Lanczos benchmark, and of the alignment field.
pub const K: usize = 10;
/// Resolution of the field benchmark (grid × grid).
pub const GRID: usize = 128;

#[derive(Clone, Copy, Debug)]
pub struct BenchOptions {
    /// Timings per metric; the median is reported.
    pub repeats: usize,
    /// Smoke run: 10 training epochs, a 16×16 grid, one repeat, no dense route.
    pub quick: bool,
    /// Largest p for which the dense route is measured.
    pub dense_max_p: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            repeats: 5,
            quick: false,
            dense_max_p: dense::MAX_DENSE_PARAMS,
        }
    }
}

/// One workload's numbers (one JSON line).
#[derive(Clone, Debug, Serialize)]
pub struct Measured {
    pub workload: String,
    pub p: usize,
    /// Training points.
    pub n: usize,
    /// Threads the numerics ran on ([`crate::parallel::threads`]: the CLI's `--threads`, 1 in wasm).
    pub threads: usize,
    pub forward_s: f64,
    pub grad_s: f64,
    pub hvp_s: f64,
    pub epoch_s: f64,
    pub lanczos_top10_s: f64,
    pub lanczos_hvps: usize,
    pub field_s: f64,
    pub dense_s: Option<f64>,
    /// The certified G over all p ([`crate::analysis::certificate::timed`]; not in --quick).
    pub certified_g: Option<crate::analysis::certificate::Timing>,
    pub peak_rss_mb: Option<f64>,
    /// This machine's measured peak and each kernel's rate against it (issue 15).
    pub peak: Peak,
    pub roofline: Vec<Kernel>,
    // Beyond the minimum:
    /// Layer sizes `[d, hidden…, C]`.
    pub sizes: Vec<usize>,
    pub epochs: usize,
    pub train_s: f64,
    pub train_accuracy: f64,
    /// λ₁ of the trained state (so a reader can see the spectrum is a trained one).
    pub lambda1: f64,
    pub lanczos_converged: bool,
    /// Grid of the field benchmark (128 unless quick).
    pub grid: usize,
    /// The dense route's parts: building H from p HVPs, and the eigensolver.
    pub dense_build_s: Option<f64>,
    pub dense_eigh_s: Option<f64>,
    pub dense_eigh_nalgebra_s: Option<f64>,
    /// Where the dense route is not measured: p·hvp_s plus the eigensolver's time measured at
    /// `DENSE_PROBE`² scaled by (p / DENSE_PROBE)³ (an estimate, not a measurement).
    pub dense_est_s: Option<f64>,
    pub dense_note: Option<String>,
    /// The analysis stage and its margin step (see the module table).
    pub analysis_s: Option<f64>,
    pub margin_s: Option<f64>,
    pub margin_method: crate::config::MarginMethod,
    pub repeats: usize,
    pub quick: bool,
}

/// The trained state a workload was timed at, for the JAX peer (`bench/jax_peer.py`).
#[derive(Serialize)]
pub struct Exported<'a> {
    pub workload: &'a str,
    pub sizes: &'a [usize],
    pub n: usize,
    pub dim: usize,
    /// Training points, row-major n × d, and their labels.
    pub x: &'a [f64],
    pub y: &'a [u32],
    /// θ at the trained state (the flat layout of `src/model`: per layer W `[out][in]` row-major, then b).
    pub params: &'a [f64],
    pub batch: usize,
    pub lr: f64,
    pub momentum: f64,
    pub optimizer: &'a str,
    pub activation: &'a str,
    pub loss: &'a str,
    pub k: usize,
    /// Lanczos steps and HVPs (steps + k residual checks) our run used.
    pub lanczos_steps: usize,
    pub lanczos_hvps: usize,
    /// Our top-k eigenvectors (the field is dotted with these).
    pub eigenvectors: &'a [Vec<f64>],
    pub eigenvalues: &'a [f64],
    pub grid: GridSpec<'a>,
    pub dense: bool,
}

/// The field's grid: pixel (row, col) is `origin + u·axes[0] + w·axes[1]`, u from `u_range.0` to `.1`
/// left to right, w from `w_range.1` to `.0` top to bottom (see [`field::Grid`]).
#[derive(Serialize)]
pub struct GridSpec<'a> {
    pub width: usize,
    pub height: usize,
    pub origin: &'a [f64],
    pub axes: [&'a [f64]; 2],
    pub u_range: (f64, f64),
    pub w_range: (f64, f64),
}

/// Size of the eigensolver probe for the dense estimate.
const DENSE_PROBE: usize = 600;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        0.5 * (xs[n / 2 - 1] + xs[n / 2])
    }
}

/// Shortest timed sample: a call shorter than this is repeated within each sample, so a coarse clock
/// (`performance.now()` is 0.1 ms in a page without cross-origin isolation) still resolves it.
const MIN_SAMPLE_S: f64 = 0.02;

/// Median over `repeats` samples of the time of one call of `f`, after one warm-up call; a sample times
/// `MIN_SAMPLE_S / warm-up time` calls (at least one) and divides.
fn timed(clock: &dyn Fn() -> f64, repeats: usize, mut f: impl FnMut()) -> f64 {
    let t = clock();
    f();
    let first = clock() - t;
    let inner = if first >= MIN_SAMPLE_S {
        1
    } else {
        ((MIN_SAMPLE_S / first.max(1e-6)).ceil() as usize).min(10_000)
    };
    median(
        (0..repeats.max(1))
            .map(|_| {
                let t = clock();
                for _ in 0..inner {
                    f();
                }
                (clock() - t) / inner as f64
            })
            .collect(),
    )
}

/// Runs one workload: trains it, then times every metric. `progress` gets a line per phase;
/// `export` (if given) receives the trained state as JSON for the JAX peer.
pub fn run(
    w: Workload,
    opts: &BenchOptions,
    clock: &dyn Fn() -> f64,
    memory_mb: &dyn Fn() -> Option<f64>,
    progress: &mut dyn FnMut(&str),
    export: Option<&mut dyn FnMut(&str)>,
) -> Result<Measured, crate::pipeline::Error> {
    let mut config = Config::parse(w.query)?;
    let repeats = if opts.quick { 1 } else { opts.repeats.max(1) };
    let grid = if opts.quick { 16 } else { GRID };
    if opts.quick {
        config.epochs = 10;
    }
    config.k = K;
    config.grid = grid;
    let crate::pipeline::Prepared { split, pretrain } = crate::pipeline::prepare(&config, None)?;
    let train = split.train.clone();

    // Training to the trained state.
    progress(&format!("{}: training {} epochs", w.name, config.epochs));
    let t = clock();
    let (_, _, trained) = Trainer::new(config.clone(), split.clone(), pretrain.clone())?
        .finish()?
        .into_parts();
    let train_s = clock() - t;
    let (mlp, params) = (&trained.mlp, &trained.params);
    let p = mlp.param_count();
    let train_accuracy = crate::train::accuracy(mlp, params, &train).unwrap_or(f64::NAN);

    // One epoch, on a fresh trainer that records its history only every 2000 epochs.
    progress(&format!("{}: epoch", w.name));
    let mut long = config.clone();
    long.epochs = 1_000_000;
    let mut trainer = Trainer::new(long, split.clone(), pretrain)?;
    let mut step_err = None;
    let epoch_s = timed(clock, repeats, || {
        if let Err(e) = trainer.step() {
            step_err = Some(e);
        }
    });
    if let Some(e) = step_err {
        return Err(e.into());
    }
    drop(trainer);

    progress(&format!("{}: forward, gradient and HVP", w.name));
    let forward_s = timed(clock, repeats, || {
        std::hint::black_box(logits(mlp, params, &train.x));
    });
    let target = Target::Labels(&train.y);
    let mut grad = vec![0.0; p];
    let grad_s = timed(clock, repeats, || {
        loss_and_gradient(mlp, params, &train.x, target, &mut grad);
    });
    let mut rng = Rng::derive(config.seed, "bench");
    let v = crate::spectrum::random_unit(&mut rng, p);
    let mut hv = vec![0.0; p];
    let hvp_s = timed(clock, repeats, || {
        hessian_vector_product(mlp, params, &train.x, target, &v, &mut hv);
    });

    progress(&format!("{}: Lanczos top-{K}", w.name));
    let solver = SolverOptions {
        tol: config.tol,
        ..SolverOptions::new(K, config.seed)
    };
    let mut eigen = None;
    let lanczos_top10_s = timed(clock, repeats, || {
        let mut op = LossCurvature::hessian(mlp, params, &train);
        eigen = Some(lanczos(&mut op, &solver, None));
    });
    let eigen = eigen.expect("at least one repeat");

    progress(&format!("{}: alignment fields {grid}×{grid}", w.name));
    let k = K.min(eigen.vectors.len());
    let field_grid = field::Grid::for_data(&train, grid);
    let field_s = timed(clock, repeats, || {
        let f = field::fields(
            mlp,
            params,
            field_grid.clone(),
            &eigen.values[..k],
            &eigen.vectors[..k],
            AlignValue::Cosine,
        );
        std::hint::black_box(f);
    });

    // The dense route, once (it is long): H from p HVPs, then the eigensolver.
    let (mut dense_s, mut dense_build_s, mut dense_eigh_s, mut dense_est_s, mut dense_note) =
        (None, None, None, None, None);
    #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
    let mut dense_eigh_nalgebra_s = None;
    let do_dense = !opts.quick && p <= opts.dense_max_p;
    if do_dense {
        progress(&format!(
            "{}: dense route (H from {p} HVPs + eigensolver)",
            w.name
        ));
        let t0 = clock();
        let mut op = LossCurvature::hessian(mlp, params, &train);
        let h = dense::matrix(&mut op);
        let t1 = clock();
        let eig = symmetric_eigen(h.clone());
        let t2 = clock();
        // nalgebra's own on the same H, for the ratio; native only (in the page's module it would
        // add 6 KB gzipped).
        #[cfg(not(target_arch = "wasm32"))]
        {
            let old = nalgebra::SymmetricEigen::new(h);
            dense_eigh_nalgebra_s = Some(clock() - t2);
            assert!(
                eig.eigenvalues
                    .iter()
                    .zip(&old.eigenvalues)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "the reordered eigensolver must give nalgebra's bits"
            );
        }
        std::hint::black_box(eig);
        dense_build_s = Some(t1 - t0);
        dense_eigh_s = Some(t2 - t1);
        dense_s = Some(t2 - t0);
    } else if opts.quick {
        dense_note = Some("not measured in --quick".into());
    } else {
        progress(&format!(
            "{}: dense route skipped (p = {p}); eigensolver probe at {DENSE_PROBE}² for the estimate",
            w.name
        ));
        let mut r = Rng::derive(0, "dense-probe");
        let a = DMatrix::from_fn(DENSE_PROBE, DENSE_PROBE, |_, _| r.normal());
        let sym = &a + a.transpose();
        let t = clock();
        std::hint::black_box(symmetric_eigen(sym));
        let probe = clock() - t;
        let scale = (p as f64 / DENSE_PROBE as f64).powi(3);
        dense_est_s = Some(p as f64 * hvp_s + probe * scale);
        dense_note = Some(format!(
            "p = {p} > {} (the dense limit here): H alone is {:.2} GB and the eigensolver is O(p³); \
             dense_est_s = p·hvp_s + ({DENSE_PROBE}² eigensolver: {probe:.3} s)·(p/{DENSE_PROBE})³",
            opts.dense_max_p,
            (p * p * 8) as f64 / 1e9
        ));
    }

    if let Some(export) = export {
        let ex = Exported {
            workload: w.name,
            sizes: &mlp.sizes,
            n: train.len(),
            dim: train.dim,
            x: &train.x,
            y: &train.y,
            params,
            batch: config.batch,
            lr: config.lr,
            momentum: config.momentum,
            optimizer: config.opt.name(),
            activation: config.act.name(),
            loss: config.loss.name(),
            k,
            lanczos_steps: eigen.products - eigen.values.len(),
            lanczos_hvps: eigen.products,
            eigenvectors: &eigen.vectors[..k],
            eigenvalues: &eigen.values[..k],
            grid: GridSpec {
                width: field_grid.width,
                height: field_grid.height,
                origin: &field_grid.origin,
                axes: [&field_grid.axes[0], &field_grid.axes[1]],
                u_range: field_grid.u_range,
                w_range: field_grid.w_range,
            },
            dense: do_dense,
        };
        export(&serde_json::to_string(&ex).expect("serializable"));
    }

    progress(&format!(
        "{}: analysis stage (margin {})",
        w.name,
        config.margin.name()
    ));
    let (mut analysis_s, mut margin_s) = (None, None);
    if let Some(spectrum) = crate::spectrum::compute(&config, mlp, params, &train, None) {
        let t = clock();
        std::hint::black_box(crate::analysis::analyse(
            &config, mlp, params, &train, &spectrum,
        ));
        analysis_s = Some(clock() - t);
        let t = clock();
        std::hint::black_box(margin::margin(
            mlp,
            params,
            &train,
            &spectrum.eigen.vectors[0],
            config.seed,
            config.margin,
        ));
        margin_s = Some(clock() - t);
    }
    let certified_g = (!opts.quick)
        .then(|| crate::analysis::certificate::timed(mlp, params, &train, &config, clock));
    progress(&format!("{}: arithmetic peak", w.name));
    let peak = Peak::measure(clock, repeats);
    let counts = flops(mlp, train.len(), k, grid * grid);
    let roofline = [forward_s, grad_s, hvp_s, field_s]
        .iter()
        .zip(counts)
        .map(|(&seconds, (kernel, flops))| Kernel::new(kernel, flops, seconds, &peak))
        .collect();
    Ok(Measured {
        workload: w.name.into(),
        p,
        n: train.len(),
        threads: crate::parallel::threads(),
        forward_s,
        grad_s,
        hvp_s,
        epoch_s,
        lanczos_top10_s,
        lanczos_hvps: eigen.products,
        field_s,
        dense_s,
        certified_g,
        peak_rss_mb: memory_mb(),
        peak,
        roofline,
        sizes: mlp.sizes.clone(),
        epochs: config.epochs,
        train_s,
        train_accuracy,
        lambda1: eigen.values.first().copied().unwrap_or(f64::NAN),
        lanczos_converged: eigen.converged,
        grid,
        dense_build_s,
        dense_eigh_s,
        dense_eigh_nalgebra_s,
        dense_est_s,
        dense_note,
        analysis_s,
        margin_s,
        margin_method: config.margin,
        repeats,
        quick: opts.quick,
    })
}

/// This machine's peak f64 rate at the widest SIMD the products use ([`linalg::arithmetic_probe`]),
/// measured rather than taken from a data sheet: a VM's clock and a core's pipes are not on the label.
#[derive(Clone, Debug, Serialize)]
pub struct Peak {
    pub simd: linalg::Simd,
    /// Independent multiply and add chains: the instruction mix of our products (no FMA).
    pub mul_add_gflops: f64,
    /// Fused multiply-add chains (what XLA's kernels use); `None` where the machine has none.
    pub fma_gflops: Option<f64>,
}

/// Rounds per probe call: about a millisecond at 100 GFLOP/s with 8 lanes.
const PROBE_ROUNDS: usize = 500_000;

impl Peak {
    pub fn measure(clock: &dyn Fn() -> f64, repeats: usize) -> Peak {
        let rate = |fused: bool| {
            let (ops, _) = linalg::arithmetic_probe(1, fused)?;
            let mut checksum = 0.0;
            let s = timed(clock, repeats, || {
                checksum += linalg::arithmetic_probe(PROBE_ROUNDS, fused).map_or(0.0, |r| r.1);
            });
            std::hint::black_box(checksum);
            Some(ops * PROBE_ROUNDS as f64 / s / 1e9)
        };
        Peak {
            simd: linalg::simd(),
            mul_add_gflops: rate(false).unwrap_or(f64::NAN),
            fma_gflops: rate(true),
        }
    }
}

/// One kernel's analytic operation count, its measured time, and the rate against the peaks.
#[derive(Clone, Debug, Serialize)]
pub struct Kernel {
    pub kernel: &'static str,
    pub flops: f64,
    pub seconds: f64,
    pub gflops: f64,
    /// Fraction of [`Peak::mul_add_gflops`].
    pub of_peak: f64,
    /// Fraction of [`Peak::fma_gflops`].
    pub of_fma_peak: Option<f64>,
}

impl Kernel {
    fn new(kernel: &'static str, flops: f64, seconds: f64, peak: &Peak) -> Kernel {
        let gflops = flops / seconds / 1e9;
        Kernel {
            kernel,
            flops,
            seconds,
            gflops,
            of_peak: gflops / peak.mul_add_gflops,
            of_fma_peak: peak.fma_gflops.map(|p| gflops / p),
        }
    }
}

/// The multiplies and adds of the products in each timed kernel, counted from the layer sizes (each
/// multiply and each add is one operation; the element-wise work — activations, the loss head, bias
/// sums — is O(n·Σ out), a few per cent, and left out). With `M = n·Σ_l in_l·out_l` (one product per
/// layer over n rows) and `M′` the same sum without the first layer (whose input, the data, has no
/// adjoint or tangent):
///
/// | kernel | operations |
/// |---|---|
/// | forward (logits of n rows) | `2M` |
/// | gradient (forward, reverse, `δᵀa`) | `2M + 2M′ + 2M` |
/// | HVP from scratch | `6M + 10M′`: forward `2M`, reverse `2M′`, tangent forward `2M + 2M′` (`a·Vᵀ`, `R{a}·Wᵀ`), tangent reverse `4M′` (`R{δ}W`, `δV`), accumulation `2M + 2M′` (`R{δ}ᵀa`, `δᵀR{a}`) |
/// | fields (N grid points, k vectors) | per point `2S + 2S′` (forward, reverse), `2kS` (`a·[V_1ᵀ … V_kᵀ]`), `2k·Σ out` (`δ·u`), `2Σ(in + out)` (norms); S, S′ as M, M′ for one row |
pub fn flops(mlp: &Mlp, n: usize, k: usize, points: usize) -> [(&'static str, f64); 4] {
    let sum = |skip: usize| -> f64 {
        mlp.layers
            .iter()
            .skip(skip)
            .map(|l| (l.inputs * l.outputs) as f64)
            .sum()
    };
    let (s, s1) = (sum(0), sum(1));
    let outs: f64 = mlp.layers.iter().map(|l| l.outputs as f64).sum();
    let ins: f64 = mlp.layers.iter().map(|l| l.inputs as f64).sum();
    let (m, m1, k) = (n as f64 * s, n as f64 * s1, k as f64);
    let field = 2.0 * s + 2.0 * s1 + 2.0 * k * s + 2.0 * k * outs + 2.0 * (ins + outs);
    [
        ("forward", 2.0 * m),
        ("gradient", 4.0 * m + 2.0 * m1),
        ("HVP", 6.0 * m + 10.0 * m1),
        ("fields", points as f64 * field),
    ]
}

/// The scaling table's networks: digits (n = 899, d = 64, C = 10) with two hidden layers of h, so
/// p = h² + 76h + 10 ≈ 10k, 30k, 100k and 288k at fixed data; a few epochs, since only the per-epoch
/// cost is reported for training.
pub const SCALING: [(usize, &str); 4] = [
    (70, "dataset=digits&layers=70,70&epochs=20"),
    (140, "dataset=digits&layers=140,140&epochs=20"),
    (280, "dataset=digits&layers=280,280&epochs=20"),
    (500, "dataset=digits&layers=500,500&epochs=20"),
];

/// One row of the scaling table: each stage of the whole run (`pipeline::run`'s stages, timed in one
/// run), and the HVP, fields and margin again on their own.
#[derive(Clone, Debug, Serialize)]
pub struct Scaling {
    pub query: String,
    pub p: usize,
    pub n: usize,
    pub threads: usize,
    pub epoch_s: f64,
    pub hvp_s: f64,
    /// The spectrum stage (the config's solver, top k).
    pub spectrum_s: f64,
    pub spectrum_hvps: usize,
    pub analyses_s: f64,
    pub fields_s: f64,
    pub margin_s: f64,
    pub checks_s: f64,
    /// Data, training, spectrum, analyses and checks: what `hessian-boundary run` computes.
    pub run_s: f64,
}

/// Times the stages of one run of `query` (see [`Scaling`]).
pub fn scaling(
    query: &str,
    repeats: usize,
    clock: &dyn Fn() -> f64,
) -> Result<Scaling, crate::pipeline::Error> {
    use crate::pipeline;
    let config = Config::parse(query)?;
    let t0 = clock();
    let pipeline::Prepared { split, pretrain } = pipeline::prepare(&config, None)?;
    let trainer = Trainer::new(config.clone(), split, pretrain)?.finish()?;
    let t1 = clock();
    let mut run = pipeline::Run::from_trainer(trainer);
    pipeline::compute_spectrum(&mut run);
    let t2 = clock();
    pipeline::compute_analyses(&mut run);
    let t3 = clock();
    pipeline::compute_checks(&mut run);
    let t4 = clock();
    let (mlp, params, train) = (&run.trained.mlp, &run.trained.params, &run.split.train);
    let p = mlp.param_count();
    let v = crate::spectrum::random_unit(&mut Rng::derive(config.seed, "bench"), p);
    let mut hv = vec![0.0; p];
    let hvp_s = timed(clock, repeats, || {
        hessian_vector_product(mlp, params, &train.x, Target::Labels(&train.y), &v, &mut hv);
    });
    let spectrum = run.spectrum.as_ref().expect("a trained run has a spectrum");
    let k = config.k.min(spectrum.eigen.vectors.len());
    let t = clock();
    std::hint::black_box(field::fields(
        mlp,
        params,
        field::Grid::for_data(train, config.grid),
        &spectrum.eigen.values[..k],
        &spectrum.eigen.vectors[..k],
        config.align_value,
    ));
    let fields_s = clock() - t;
    let t = clock();
    std::hint::black_box(margin::margin(
        mlp,
        params,
        train,
        &spectrum.eigen.vectors[0],
        config.seed,
        config.margin,
    ));
    let margin_s = clock() - t;
    Ok(Scaling {
        query: query.into(),
        p,
        n: train.len(),
        threads: crate::parallel::threads(),
        epoch_s: (t1 - t0) / config.epochs.max(1) as f64,
        hvp_s,
        spectrum_s: t2 - t1,
        spectrum_hvps: spectrum.eigen.products,
        analyses_s: t3 - t2,
        fields_s,
        margin_s,
        checks_s: t4 - t3,
        run_s: t4 - t0,
    })
}

impl Scaling {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serializable")
    }
}

impl Measured {
    /// One JSON object on one line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serializable")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Activation, LossKind};

    /// 2-3-4-2 over 5 rows, counted by hand: products of 6, 12 and 8 multiply-adds per row, so
    /// M = 130 and M′ = 100 (without the first layer).
    #[test]
    fn operation_counts_match_a_hand_count() {
        let mlp = Mlp::new(2, &[3, 4], 2, Activation::Relu, LossKind::Ce);
        let [forward, gradient, hvp, fields] = flops(&mlp, 5, 2, 7);
        assert_eq!(forward, ("forward", 260.0));
        assert_eq!(gradient, ("gradient", 4.0 * 130.0 + 2.0 * 100.0));
        assert_eq!(hvp, ("HVP", 6.0 * 130.0 + 10.0 * 100.0));
        // Per point: 2·26 + 2·20 + 2·2·26 + 2·2·9 + 2·(9 + 9).
        assert_eq!(
            fields,
            ("fields", 7.0 * (52.0 + 40.0 + 104.0 + 36.0 + 36.0))
        );
    }
}
