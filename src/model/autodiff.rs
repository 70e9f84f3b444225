//! Our own autodiff for the MLP: exact gradients and exact Hessian-vector products, in f64.
//!
//! Four passes over a batch of rows, each a short loop over layers:
//!
//! 1. [`Tape::forward`]: `z_l = a_{l−1} W_lᵀ + b_l`, `a_l = σ(z_l)`; keeps `a_l`, `σ′(z_l)`, `σ″(z_l)`.
//! 2. [`Tape::backward`]: the reverse pass. `δ_L = ∂ℓ/∂z_L` from the loss head, then
//!    `∂ℓ/∂a_{l−1} = δ_l W_l` and `δ_{l−1} = ∂ℓ/∂a_{l−1} ⊙ σ′(z_{l−1})`; the parameter gradient is
//!    `∂ℓ/∂W_l = δ_lᵀ a_{l−1}`, `∂ℓ/∂b_l = Σ_rows δ_l`. Rows stay separate, so `δ_l[r]` is sample r's own.
//! 3. [`Tangent::forward`]: forward mode, the directional derivative `R{·}` of every forward value along
//!    a parameter direction `V` and/or an input direction `dx`:
//!    `R{z_l} = R{a_{l−1}} W_lᵀ + a_{l−1} V_lᵀ + c_l`, `R{a_l} = σ′(z_l) ⊙ R{z_l}`.
//! 4. [`Tangent::backward`]: forward mode through the reverse pass (Pearlmutter's R-operator, i.e.
//!    forward-over-reverse): `R{δ_L} = ∇²_z ℓ · R{z_L}`,
//!    `R{∂ℓ/∂a_{l−1}} = R{δ_l} W_l + δ_l V_l`,
//!    `R{δ_{l−1}} = R{∂ℓ/∂a_{l−1}} ⊙ σ′ + ∂ℓ/∂a_{l−1} ⊙ σ″ ⊙ R{z_{l−1}}`, and
//!    `R{∂ℓ/∂W_l} = R{δ_l}ᵀ a_{l−1} + δ_lᵀ R{a_{l−1}}`, `R{∂ℓ/∂b_l} = Σ_rows R{δ_l}`.
//!    With `dx = 0` this is exactly `H·V`; with `V = 0` it is the input derivative of the gradient.
//!
//! No finite differences anywhere: every formula is the exact derivative of the one above it.
//! Whole-dataset functions run over fixed chunks of [`CHUNK`] rows so memory stays bounded; the chunk
//! size is part of the summation order and so of the bit-exact results.

use super::linalg::{axpy, dot, gemm_nn, gemm_tn, transpose};
use super::{activate_all, argmax, loss_head, loss_head_tangent, Mlp};
use crate::config::CurvatureOperator;
use crate::parallel;

/// Rows per chunk in whole-dataset passes.
pub const CHUNK: usize = 256;

/// Which label each row's loss uses.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// The given labels (training loss, true or permuted labels).
    Labels(&'a [u32]),
    /// ŷ = argmax f(x): the per-sample gradient g(x) of the paper.
    Predicted,
}

impl Target<'_> {
    fn label(&self, row: usize, logits: &[f64]) -> usize {
        match self {
            Target::Labels(y) => y[row] as usize,
            Target::Predicted => argmax(logits),
        }
    }
}

/// Forward values and reverse-pass adjoints of one batch, reusable across batches without reallocating.
#[derive(Default)]
pub struct Tape {
    rows: usize,
    /// `acts[0]` = input, `acts[l]` = output of layer l; the last is the logits.
    acts: Vec<Vec<f64>>,
    /// σ′(z_l) and σ″(z_l) for hidden layers (empty for the input and the output).
    d1: Vec<Vec<f64>>,
    d2: Vec<Vec<f64>>,
    /// Transposed weights `W_lᵀ` (in × out), so every product is a row-major axpy kernel.
    wt: Vec<Vec<f64>>,
    /// `deltas[l]` = ∂ℓ/∂z_l per row (index 0 unused).
    deltas: Vec<Vec<f64>>,
    /// `dacts[l]` = ∂ℓ/∂a_l per row for hidden layers.
    dacts: Vec<Vec<f64>>,
    /// The label each row's loss used.
    labels: Vec<usize>,
}

fn resize(bufs: &mut Vec<Vec<f64>>, count: usize) {
    bufs.resize_with(count, Vec::new);
}

fn zeroed(buf: &mut Vec<f64>, len: usize) -> &mut Vec<f64> {
    buf.clear();
    buf.resize(len, 0.0);
    buf
}

/// `W_lᵀ` of every layer of a parameter-shaped vector (θ itself or a direction), into `out[l]`: the
/// products take the weights transposed, so every one is a row-major kernel.
fn transpose_weights(mlp: &Mlp, theta: &[f64], out: &mut Vec<Vec<f64>>) {
    resize(out, mlp.layers.len());
    for (layer, wt) in mlp.layers.iter().zip(out.iter_mut()) {
        let wt = zeroed(wt, layer.inputs * layer.outputs);
        transpose(layer.outputs, layer.inputs, &theta[layer.w..layer.b], wt);
    }
}

impl Tape {
    pub fn new() -> Tape {
        Tape::default()
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The logits of the last forward pass (rows × C).
    pub fn logits(&self) -> &[f64] {
        self.acts.last().map_or(&[], |a| a)
    }

    /// Forward pass over `x` (rows × d, row-major).
    pub fn forward(&mut self, mlp: &Mlp, params: &[f64], x: &[f64]) {
        self.load(mlp, params);
        self.run(mlp, params, x);
    }

    /// Transposes θ's weights for [`Tape::run`]: once per θ, however many passes follow.
    pub fn load(&mut self, mlp: &Mlp, params: &[f64]) {
        transpose_weights(mlp, params, &mut self.wt);
    }

    /// Forward pass over `x` (rows × d, row-major) with the weights of the last [`Tape::load`], which
    /// must have been of the same `params`.
    pub fn run(&mut self, mlp: &Mlp, params: &[f64], x: &[f64]) {
        let depth = mlp.layers.len();
        let rows = x.len() / mlp.input_dim();
        self.rows = rows;
        for bufs in [
            &mut self.acts,
            &mut self.d1,
            &mut self.d2,
            &mut self.deltas,
            &mut self.dacts,
        ] {
            resize(bufs, depth + 1);
        }
        self.acts[0].clear();
        self.acts[0].extend_from_slice(x);
        for (l, layer) in mlp.layers.iter().enumerate() {
            let (n_in, n_out) = (layer.inputs, layer.outputs);
            let (before, after) = self.acts.split_at_mut(l + 1);
            let z = zeroed(&mut after[0], rows * n_out);
            for zr in z.chunks_exact_mut(n_out) {
                zr.copy_from_slice(&params[layer.b..layer.b + n_out]);
            }
            gemm_nn(rows, n_in, n_out, &before[l], &self.wt[l], z);
            if l + 1 < depth {
                let d1 = zeroed(&mut self.d1[l + 1], rows * n_out);
                let d2 = zeroed(&mut self.d2[l + 1], rows * n_out);
                activate_all(mlp.activation, z, d1, d2);
            }
        }
    }

    /// Reverse pass from the loss head: fills the per-row adjoints and returns `Σ_rows ℓ_r` (unscaled);
    /// the adjoints are of `scale · Σ_rows ℓ_r` (e.g. `scale = 1/n` for the mean loss).
    pub fn backward(
        &mut self,
        mlp: &Mlp,
        params: &[f64],
        target: Target,
        row_offset: usize,
        scale: f64,
    ) -> f64 {
        let depth = mlp.layers.len();
        let rows = self.rows;
        let c = mlp.classes();
        let mut total = 0.0;
        self.labels.clear();
        let delta = zeroed(&mut self.deltas[depth], rows * c);
        for (r, (dr, zr)) in delta
            .chunks_exact_mut(c)
            .zip(self.acts[depth].chunks_exact(c))
            .enumerate()
        {
            let label = target.label(row_offset + r, zr);
            self.labels.push(label);
            total += loss_head(mlp.loss, zr, label, scale, dr);
        }
        for l in (1..depth).rev() {
            let layer = &mlp.layers[l];
            let da = zeroed(&mut self.dacts[l], rows * layer.inputs);
            gemm_nn(
                rows,
                layer.outputs,
                layer.inputs,
                &self.deltas[l + 1],
                &params[layer.w..layer.b],
                da,
            );
            let d = zeroed(&mut self.deltas[l], rows * layer.inputs);
            for ((di, &dai), &s1) in d
                .iter_mut()
                .zip(self.dacts[l].iter())
                .zip(self.d1[l].iter())
            {
                *di = dai * s1;
            }
        }
        total
    }

    /// Adds the parameter gradient of the last backward pass to `grad`.
    pub fn accumulate_gradient(&self, mlp: &Mlp, grad: &mut [f64]) {
        for (l, layer) in mlp.layers.iter().enumerate() {
            accumulate_layer(self.rows, layer, &self.deltas[l + 1], &self.acts[l], grad);
        }
    }

    /// The labels the last backward pass used (ŷ for [`Target::Predicted`]).
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }
}

/// `grad_W += δᵀ a`, `grad_b += Σ_rows δ` for one layer.
fn accumulate_layer(
    rows: usize,
    layer: &super::Layer,
    delta: &[f64],
    input: &[f64],
    grad: &mut [f64],
) {
    let (n_in, n_out) = (layer.inputs, layer.outputs);
    gemm_tn(rows, n_out, n_in, delta, input, &mut grad[layer.w..layer.b]);
    for dr in delta.chunks_exact(n_out) {
        axpy(1.0, dr, &mut grad[layer.b..layer.b + n_out]);
    }
}

/// Tangents (R-operator values) of one batch along a parameter and/or input direction.
#[derive(Default)]
pub struct Tangent {
    /// `R{a_l}` (index 0 = the input tangent).
    acts: Vec<Vec<f64>>,
    /// `R{z_l}` (index 0 unused).
    zs: Vec<Vec<f64>>,
    /// `R{δ_l}` (index 0 unused).
    deltas: Vec<Vec<f64>>,
    /// Transposed direction weights `V_lᵀ`.
    vt: Vec<Vec<f64>>,
    /// Scratch for `R{∂ℓ/∂a}`.
    scratch: Vec<f64>,
    /// Whether the input had a tangent (else `R{a_0}` = 0 and its products are skipped).
    input_tangent: bool,
    /// Drops every term in the first-order adjoints δ, which turns `H·V` into the Gauss–Newton
    /// `Jᵀ H_out J·V`: what is left is `J·V` forward, the loss head's Hessian, and `Jᵀ` back.
    gauss_newton: bool,
}

impl Tangent {
    pub fn new() -> Tangent {
        Tangent::default()
    }

    /// A tangent whose backward pass gives the generalized Gauss–Newton product instead of `H·V`.
    pub fn gauss_newton() -> Tangent {
        Tangent {
            gauss_newton: true,
            ..Tangent::default()
        }
    }

    /// Forward mode along parameter direction `dparams` and/or input direction `dx` (rows × d).
    pub fn forward(&mut self, mlp: &Mlp, tape: &Tape, dparams: Option<&[f64]>, dx: Option<&[f64]>) {
        let depth = mlp.layers.len();
        let rows = tape.rows;
        for bufs in [&mut self.acts, &mut self.zs, &mut self.deltas] {
            resize(bufs, depth + 1);
        }
        if let Some(v) = dparams {
            transpose_weights(mlp, v, &mut self.vt);
        }
        let a0 = zeroed(&mut self.acts[0], rows * mlp.input_dim());
        self.input_tangent = dx.is_some();
        if let Some(dx) = dx {
            a0.copy_from_slice(dx);
        }
        for (l, layer) in mlp.layers.iter().enumerate() {
            let (n_in, n_out) = (layer.inputs, layer.outputs);
            let rz = zeroed(&mut self.zs[l + 1], rows * n_out);
            if let Some(v) = dparams {
                for zr in rz.chunks_exact_mut(n_out) {
                    zr.copy_from_slice(&v[layer.b..layer.b + n_out]);
                }
                gemm_nn(rows, n_in, n_out, &tape.acts[l], &self.vt[l], rz);
            }
            if l > 0 || self.input_tangent {
                gemm_nn(rows, n_in, n_out, &self.acts[l], &tape.wt[l], rz);
            }
            if l + 1 < depth {
                let ra = zeroed(&mut self.acts[l + 1], rows * n_out);
                for ((ai, &zi), &s1) in ra
                    .iter_mut()
                    .zip(self.zs[l + 1].iter())
                    .zip(tape.d1[l + 1].iter())
                {
                    *ai = zi * s1;
                }
            }
        }
    }

    /// Forward mode through the reverse pass of `tape` (same `scale`, same labels as its backward).
    pub fn backward(
        &mut self,
        mlp: &Mlp,
        params: &[f64],
        tape: &Tape,
        dparams: Option<&[f64]>,
        scale: f64,
    ) {
        let depth = mlp.layers.len();
        let rows = tape.rows;
        let c = mlp.classes();
        let rd = zeroed(&mut self.deltas[depth], rows * c);
        for ((out, zr), dz) in rd
            .chunks_exact_mut(c)
            .zip(tape.acts[depth].chunks_exact(c))
            .zip(self.zs[depth].chunks_exact(c))
        {
            loss_head_tangent(mlp.loss, zr, dz, scale, out);
        }
        for l in (1..depth).rev() {
            let layer = &mlp.layers[l];
            let (n_in, n_out) = (layer.inputs, layer.outputs);
            let rda = zeroed(&mut self.scratch, rows * n_in);
            gemm_nn(
                rows,
                n_out,
                n_in,
                &self.deltas[l + 1],
                &params[layer.w..layer.b],
                rda,
            );
            if let Some(v) = dparams.filter(|_| !self.gauss_newton) {
                gemm_nn(
                    rows,
                    n_out,
                    n_in,
                    &tape.deltas[l + 1],
                    &v[layer.w..layer.b],
                    rda,
                );
            }
            let rdl = zeroed(&mut self.deltas[l], rows * n_in);
            if self.gauss_newton {
                for ((r, &a), &s1) in rdl.iter_mut().zip(rda.iter()).zip(&tape.d1[l]) {
                    *r = a * s1;
                }
                continue;
            }
            for ((((r, &a), &s1), (&da, &s2)), &z) in rdl
                .iter_mut()
                .zip(rda.iter())
                .zip(&tape.d1[l])
                .zip(tape.dacts[l].iter().zip(&tape.d2[l]))
                .zip(&self.zs[l])
            {
                *r = a * s1 + da * s2 * z;
            }
        }
    }

    /// Adds `R{∇_θ ℓ}` (e.g. `H·V` when the direction was `V`) to `out`.
    pub fn accumulate_gradient(&self, mlp: &Mlp, tape: &Tape, out: &mut [f64]) {
        for (l, layer) in mlp.layers.iter().enumerate() {
            accumulate_layer(tape.rows, layer, &self.deltas[l + 1], &tape.acts[l], out);
            if (l > 0 || self.input_tangent) && !self.gauss_newton {
                gemm_tn(
                    tape.rows,
                    layer.outputs,
                    layer.inputs,
                    &tape.deltas[l + 1],
                    &self.acts[l],
                    &mut out[layer.w..layer.b],
                );
            }
        }
    }
}

impl Tangent {
    /// Adds `scale · Σ_r ⟨g_r, V⟩ g_r` to `out`, the per-sample gradients g_r being those of `tape`'s
    /// backward pass (which must be unscaled): the empirical Fisher's product. `⟨g_r, V⟩` needs no g_r,
    /// since `g_r` restricted to layer l is `δ_l[r] ⊗ (a_{l−1}[r], 1)`: it is
    /// `Σ_l δ_l[r] · (V_l a_{l−1}[r] + c_l)`, and the sum of the g_r weighted by it is one more
    /// gradient accumulation with every row's δ scaled.
    pub fn fisher(&mut self, mlp: &Mlp, tape: &Tape, v: &[f64], scale: f64, out: &mut [f64]) {
        let depth = mlp.layers.len();
        let rows = tape.rows;
        resize(&mut self.deltas, depth + 1);
        resize(&mut self.zs, depth + 1);
        transpose_weights(mlp, v, &mut self.vt);
        let weights = zeroed(&mut self.scratch, rows);
        for (l, layer) in mlp.layers.iter().enumerate() {
            let (n_in, n_out) = (layer.inputs, layer.outputs);
            let u = zeroed(&mut self.zs[l + 1], rows * n_out);
            for ur in u.chunks_exact_mut(n_out) {
                ur.copy_from_slice(&v[layer.b..layer.b + n_out]);
            }
            gemm_nn(rows, n_in, n_out, &tape.acts[l], &self.vt[l], u);
            for ((w, ur), dr) in weights
                .iter_mut()
                .zip(u.chunks_exact(n_out))
                .zip(tape.deltas[l + 1].chunks_exact(n_out))
            {
                *w += dot(ur, dr);
            }
        }
        for (l, layer) in mlp.layers.iter().enumerate() {
            let n_out = layer.outputs;
            let d = zeroed(&mut self.deltas[l + 1], rows * n_out);
            for ((dr, tr), &w) in d
                .chunks_exact_mut(n_out)
                .zip(tape.deltas[l + 1].chunks_exact(n_out))
                .zip(self.scratch.iter())
            {
                axpy(w * scale, tr, dr);
            }
            accumulate_layer(rows, layer, &self.deltas[l + 1], &tape.acts[l], out);
        }
    }
}

/// Splits a dataset into chunks of at most [`CHUNK`] rows: `(row offset, x rows)`.
fn chunks(x: &[f64], dim: usize) -> Vec<(usize, &[f64])> {
    x.chunks(CHUNK * dim)
        .enumerate()
        .map(move |(i, c)| (i * CHUNK, c))
        .collect()
}

/// A tape holding θ's transposed weights, for [`parallel::map_with`]: one per thread, not per chunk.
fn loaded<'a>(mlp: &'a Mlp, params: &'a [f64]) -> impl Fn() -> Tape + Sync + Send + 'a {
    move || {
        let mut tape = Tape::new();
        tape.load(mlp, params);
        tape
    }
}

/// Mean loss over all rows of `x` with `target`, and its gradient written to `grad`.
pub fn loss_and_gradient(
    mlp: &Mlp,
    params: &[f64],
    x: &[f64],
    target: Target,
    grad: &mut [f64],
) -> f64 {
    let n = x.len() / mlp.input_dim();
    let scale = 1.0 / n as f64;
    grad.fill(0.0);
    let mut total = 0.0;
    // The chunks' passes side by side, a thread's worth at a time; their sums in chunk order.
    for group in chunks(x, mlp.input_dim()).chunks(parallel::threads()) {
        let tapes = parallel::map(group, |_, &(offset, xc)| {
            let mut tape = Tape::new();
            tape.forward(mlp, params, xc);
            let sum = tape.backward(mlp, params, target, offset, scale);
            (tape, sum)
        });
        for (tape, sum) in &tapes {
            total += sum;
            tape.accumulate_gradient(mlp, grad);
        }
    }
    total * scale
}

/// Mean loss over all rows of `x` (no gradient).
pub fn loss(mlp: &Mlp, params: &[f64], x: &[f64], target: Target) -> f64 {
    loss_and_predictions(mlp, params, x, target).0
}

/// Mean loss over all rows of `x` and the predicted label of each row, from one forward pass (the
/// training curves need both every few epochs).
pub fn loss_and_predictions(
    mlp: &Mlp,
    params: &[f64],
    x: &[f64],
    target: Target,
) -> (f64, Vec<u32>) {
    let n = x.len() / mlp.input_dim();
    let c = mlp.classes();
    let per_chunk = parallel::map_with(
        &chunks(x, mlp.input_dim()),
        loaded(mlp, params),
        |tape, _, &(offset, xc)| {
            tape.run(mlp, params, xc);
            let mut scratch = vec![0.0; c];
            tape.logits()
                .chunks_exact(c)
                .enumerate()
                .map(|(r, zr)| {
                    let label = target.label(offset + r, zr);
                    let loss = loss_head(mlp.loss, zr, label, 1.0, &mut scratch);
                    (loss, argmax(zr) as u32)
                })
                .collect::<Vec<_>>()
        },
    );
    // Summed in row order, as by one thread.
    let mut total = 0.0;
    let mut predicted = Vec::with_capacity(n);
    for (loss, label) in per_chunk.into_iter().flatten() {
        total += loss;
        predicted.push(label);
    }
    (total / n as f64, predicted)
}

/// The Hessian of the mean loss over the rows of `x`, applied to `v`: `out = H·v`, exactly.
pub fn hessian_vector_product(
    mlp: &Mlp,
    params: &[f64],
    x: &[f64],
    target: Target,
    v: &[f64],
    out: &mut [f64],
) {
    CurvatureProducts::new(CurvatureOperator::Hessian, mlp, params, x, target).apply(v, out);
}

/// Tapes of at most this many f64s are kept between products (64 MiB).
const TAPE_BUDGET: usize = 8 << 20;

/// Repeated products `C·v` at one θ with a curvature matrix C of the mean loss (the Hessian, the
/// Gauss–Newton or the empirical Fisher), as the eigensolvers need: the forward and reverse passes do
/// not depend on `v`, so their tapes are computed once and kept (when they fit in [`TAPE_BUDGET`]) and
/// every product runs only the tangent passes, about 3/4 of the work. Same bits either way.
pub struct CurvatureProducts<'a> {
    kind: CurvatureOperator,
    mlp: &'a Mlp,
    params: &'a [f64],
    x: &'a [f64],
    target: Target<'a>,
    /// The tapes' loss scale: 1/n, except for the Fisher, whose per-sample gradients are unscaled.
    tape_scale: f64,
    scale: f64,
    /// One tape per chunk of rows, or empty when they would not fit (then recomputed every time).
    tapes: Vec<Tape>,
    /// Per chunk of a group: its tangent, and its tape when not kept.
    work: Vec<(Tangent, Option<Tape>)>,
}

impl<'a> CurvatureProducts<'a> {
    pub fn new(
        kind: CurvatureOperator,
        mlp: &'a Mlp,
        params: &'a [f64],
        x: &'a [f64],
        target: Target<'a>,
    ) -> Self {
        let n = x.len() / mlp.input_dim();
        let scale = 1.0 / n as f64;
        let tape_scale = if kind == CurvatureOperator::Fisher {
            1.0
        } else {
            scale
        };
        let widths: usize = mlp.layers.iter().map(|l| l.inputs + l.outputs).sum();
        let tapes = if n * widths * 5 <= TAPE_BUDGET {
            parallel::map(&chunks(x, mlp.input_dim()), |_, &(offset, xc)| {
                Self::tape(mlp, params, target, tape_scale, offset, xc)
            })
        } else {
            Vec::new()
        };
        CurvatureProducts {
            kind,
            mlp,
            params,
            x,
            target,
            tape_scale,
            scale,
            tapes,
            work: Vec::new(),
        }
    }

    fn tape(
        mlp: &Mlp,
        params: &[f64],
        target: Target,
        scale: f64,
        offset: usize,
        xc: &[f64],
    ) -> Tape {
        let mut tape = Tape::new();
        tape.forward(mlp, params, xc);
        tape.backward(mlp, params, target, offset, scale);
        tape
    }

    /// `out = C·v`. The chunks' tangent passes run side by side, a thread's worth at a time; their
    /// products are added to `out` in chunk order, as by one thread.
    pub fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        let (mlp, params) = (self.mlp, self.params);
        out.fill(0.0);
        let chunks = chunks(self.x, mlp.input_dim());
        let group = parallel::threads();
        let kind = self.kind;
        let mut work = std::mem::take(&mut self.work);
        work.resize_with(group.min(chunks.len()), || {
            let tangent = match kind {
                CurvatureOperator::Ggn => Tangent::gauss_newton(),
                _ => Tangent::new(),
            };
            (tangent, None)
        });
        let this = &*self;
        for (g, batch) in chunks.chunks(group).enumerate() {
            let first = g * group;
            parallel::for_each_mut(&mut work[..batch.len()], |j, (tangent, fresh)| {
                let (offset, xc) = batch[j];
                if this.tapes.get(first + j).is_none() {
                    *fresh = Some(Self::tape(
                        mlp,
                        params,
                        this.target,
                        this.tape_scale,
                        offset,
                        xc,
                    ));
                }
                let tape = this
                    .tapes
                    .get(first + j)
                    .or(fresh.as_ref())
                    .expect("a tape");
                if kind != CurvatureOperator::Fisher {
                    tangent.forward(mlp, tape, Some(v), None);
                    tangent.backward(mlp, params, tape, Some(v), this.scale);
                }
            });
            for (j, (tangent, fresh)) in work[..batch.len()].iter_mut().enumerate() {
                let tape = this
                    .tapes
                    .get(first + j)
                    .or(fresh.as_ref())
                    .expect("a tape");
                if kind == CurvatureOperator::Fisher {
                    tangent.fisher(mlp, tape, v, this.scale, out);
                } else {
                    tangent.accumulate_gradient(mlp, tape, out);
                }
            }
        }
        self.work = work;
    }
}

/// Logits of every row (n × C).
pub fn logits(mlp: &Mlp, params: &[f64], x: &[f64]) -> Vec<f64> {
    parallel::map_with(
        &chunks(x, mlp.input_dim()),
        loaded(mlp, params),
        |tape, _, &(_, xc)| {
            tape.run(mlp, params, xc);
            tape.logits().to_vec()
        },
    )
    .concat()
}

/// Predicted labels ŷ of every row.
pub fn predict(mlp: &Mlp, params: &[f64], x: &[f64]) -> Vec<u32> {
    logits(mlp, params, x)
        .chunks_exact(mlp.classes())
        .map(|z| argmax(z) as u32)
        .collect()
}

/// The per-sample gradient g(x) = ∇_θ ℓ(θ; x, ŷ) of one point, materialized (length p), and ŷ.
pub fn sample_gradient(mlp: &Mlp, params: &[f64], x: &[f64]) -> (Vec<f64>, usize) {
    let mut g = vec![0.0; mlp.param_count()];
    let mut tape = Tape::new();
    tape.forward(mlp, params, x);
    tape.backward(mlp, params, Target::Predicted, 0, 1.0);
    tape.accumulate_gradient(mlp, &mut g);
    (g, tape.labels[0])
}

/// ⟨g(x_r), v_j⟩ for every row r and direction j, and ‖g(x_r)‖, without materializing any g.
#[derive(Clone, Debug, PartialEq)]
pub struct Projections {
    /// Row-major rows × k.
    pub dots: Vec<f64>,
    pub norms: Vec<f64>,
    /// The label each row's gradient used (ŷ for [`Target::Predicted`]).
    pub labels: Vec<u32>,
}

/// Per-sample gradients (labels from `target`; the paper's g(x) uses [`Target::Predicted`]) projected
/// on the directions `vs`.
///
/// Because `g(x)_{W_l} = δ_l ⊗ a_{l−1}`, `‖g‖² = Σ_l ‖δ_l‖² (‖a_{l−1}‖² + 1)` and
/// `⟨g, v⟩ = Σ_l δ_l · (V_l a_{l−1} + c_l)`: one forward-like product per direction instead of p numbers
/// per point. The directions' `V_lᵀ` sit side by side (up to [`PROJECTION_COLUMNS`] columns), so each
/// layer is one wide product for several directions at once.
pub fn gradient_projections(
    mlp: &Mlp,
    params: &[f64],
    x: &[f64],
    target: Target,
    vs: &[&[f64]],
) -> Projections {
    let n = x.len() / mlp.input_dim();
    let k = vs.len();
    // Per layer, groups of directions: (first direction, count, [V_jᵀ …] side by side, [c_j …]).
    type Group = (usize, usize, Vec<f64>, Vec<f64>);
    let stacks: Vec<Vec<Group>> = mlp
        .layers
        .iter()
        .map(|layer| {
            let (n_in, n_out) = (layer.inputs, layer.outputs);
            let per_group = (PROJECTION_COLUMNS / n_out).max(1);
            let mut vt = vec![0.0; n_in * n_out];
            (0..k)
                .step_by(per_group)
                .map(|j0| {
                    let count = per_group.min(k - j0);
                    let width = count * n_out;
                    let (mut wide, mut bias) = (vec![0.0; n_in * width], Vec::with_capacity(width));
                    for (g, v) in vs[j0..j0 + count].iter().enumerate() {
                        transpose(n_out, n_in, &v[layer.w..layer.b], &mut vt);
                        for (row, src) in wide.chunks_exact_mut(width).zip(vt.chunks_exact(n_out)) {
                            row[g * n_out..(g + 1) * n_out].copy_from_slice(src);
                        }
                        bias.extend_from_slice(&v[layer.b..layer.b + n_out]);
                    }
                    (j0, count, wide, bias)
                })
                .collect()
        })
        .collect();
    // Each chunk's rows are its own: chunks side by side, their rows written in order.
    let per_chunk = parallel::map_with(
        &chunks(x, mlp.input_dim()),
        || (loaded(mlp, params)(), Vec::new()),
        |(tape, ubuf), _, &(offset, xc)| {
            tape.run(mlp, params, xc);
            tape.backward(mlp, params, target, offset, 1.0);
            let rows = tape.rows;
            let mut dots = vec![0.0; rows * k];
            let mut norms = vec![0.0; rows];
            for (l, layer) in mlp.layers.iter().enumerate() {
                let (n_in, n_out) = (layer.inputs, layer.outputs);
                let (a, d) = (&tape.acts[l], &tape.deltas[l + 1]);
                for (r, norm) in norms.iter_mut().enumerate() {
                    let ar = &a[r * n_in..(r + 1) * n_in];
                    let dr = &d[r * n_out..(r + 1) * n_out];
                    *norm += dot(dr, dr) * (dot(ar, ar) + 1.0);
                }
                for (j0, count, wide, bias) in &stacks[l] {
                    let width = count * n_out;
                    let u = zeroed(ubuf, rows * width);
                    for ur in u.chunks_exact_mut(width) {
                        ur.copy_from_slice(bias);
                    }
                    gemm_nn(rows, n_in, width, a, wide, u);
                    let mut sums = vec![0.0; *count];
                    for (r, ur) in u.chunks_exact(width).enumerate() {
                        // The group's dot products side by side: each still sums in ascending o
                        // from 0, but the independent sums overlap instead of waiting on one another.
                        sums.fill(0.0);
                        for (o, &dro) in d[r * n_out..(r + 1) * n_out].iter().enumerate() {
                            for (sum, &ugo) in sums.iter_mut().zip(ur[o..].iter().step_by(n_out)) {
                                *sum += dro * ugo;
                            }
                        }
                        let row = &mut dots[r * k + j0..][..*count];
                        for (total, sum) in row.iter_mut().zip(&sums) {
                            *total += sum;
                        }
                    }
                }
            }
            let labels: Vec<u32> = tape.labels.iter().map(|&l| l as u32).collect();
            (dots, norms, labels)
        },
    );
    let mut out = Projections {
        dots: Vec::with_capacity(n * k),
        norms: Vec::with_capacity(n),
        labels: Vec::with_capacity(n),
    };
    for (dots, norms, labels) in per_chunk {
        out.dots.extend(dots);
        out.norms.extend(norms.into_iter().map(libm::sqrt));
        out.labels.extend(labels);
    }
    out
}

/// Widest product [`gradient_projections`] builds: wide enough for good tiles, small enough that a chunk's
/// products stay in cache.
const PROJECTION_COLUMNS: usize = 1024;

/// cos(g(x), v) at one point and its gradient with respect to the input x (ŷ held fixed, as it is
/// almost everywhere). Returns `(cos, ∂cos/∂x)`; `(0, 0)` where ‖g‖ < 1e-20. For many points with one
/// θ and v (the margin search), [`InputAlignment`] does the per-θ work once.
pub fn alignment_input_gradient(
    mlp: &Mlp,
    params: &[f64],
    x: &[f64],
    v: &[f64],
) -> (f64, Vec<f64>) {
    InputAlignment::new(mlp, params, v).at(x)
}

/// [`alignment_input_gradient`] at one θ and v for point after point: θ's and v's weights are
/// transposed once, not at every point.
pub struct InputAlignment<'a> {
    mlp: &'a Mlp,
    params: &'a [f64],
    /// `V_lᵀ` per layer, and `c_l` (v's biases) by the layout.
    vt: Vec<Vec<f64>>,
    v: &'a [f64],
    vnorm: f64,
    tape: Tape,
    tangent: Tangent,
}

impl<'a> InputAlignment<'a> {
    pub fn new(mlp: &'a Mlp, params: &'a [f64], v: &'a [f64]) -> Self {
        let mut tape = Tape::new();
        tape.load(mlp, params);
        let mut vt = Vec::new();
        transpose_weights(mlp, v, &mut vt);
        InputAlignment {
            mlp,
            params,
            vt,
            v,
            vnorm: libm::sqrt(dot(v, v)),
            tape,
            tangent: Tangent::new(),
        }
    }

    /// `(cos(g(x), v), ∂cos/∂x)`. Forward mode over the d input directions at once: the point is
    /// repeated d times with tangent rows e_1…e_d, then `∂⟨g,v⟩` and `∂‖g‖²` follow from the R-values of
    /// δ_l and a_l.
    pub fn at(&mut self, x: &[f64]) -> (f64, Vec<f64>) {
        let (mlp, params) = (self.mlp, self.params);
        let d = mlp.input_dim();
        let mut xs = Vec::with_capacity(d * d);
        for _ in 0..d {
            xs.extend_from_slice(x);
        }
        let mut eye = vec![0.0; d * d];
        for i in 0..d {
            eye[i * d + i] = 1.0;
        }
        let (tape, tangent) = (&mut self.tape, &mut self.tangent);
        tape.run(mlp, params, &xs);
        tape.backward(mlp, params, Target::Predicted, 0, 1.0);
        tangent.forward(mlp, tape, None, Some(&eye));
        tangent.backward(mlp, params, tape, None, 1.0);

        // Value (row 0) and derivatives (row j = ∂/∂x_j) of ⟨g,v⟩ and ‖g‖².
        let (mut dotv, mut norm2) = (0.0, 0.0);
        let (mut d_dot, mut d_norm2) = (vec![0.0; d], vec![0.0; d]);
        let (mut ubuf, mut rubuf) = (Vec::new(), Vec::new());
        for (l, layer) in mlp.layers.iter().enumerate() {
            let (n_in, n_out) = (layer.inputs, layer.outputs);
            // u = a V_lᵀ + c_l and its tangent R{u} = R{a} V_lᵀ, for all d rows.
            let u = zeroed(&mut ubuf, d * n_out);
            for ur in u.chunks_exact_mut(n_out) {
                ur.copy_from_slice(&self.v[layer.b..layer.b + n_out]);
            }
            gemm_nn(d, n_in, n_out, &tape.acts[l], &self.vt[l], u);
            let ru = zeroed(&mut rubuf, d * n_out);
            gemm_nn(d, n_in, n_out, &tangent.acts[l], &self.vt[l], ru);
            let a0 = &tape.acts[l][..n_in];
            let d0 = &tape.deltas[l + 1][..n_out];
            let (aa, dd) = (dot(a0, a0), dot(d0, d0));
            dotv += dot(d0, &u[..n_out]);
            norm2 += dd * (aa + 1.0);
            for j in 0..d {
                let rd = &tangent.deltas[l + 1][j * n_out..(j + 1) * n_out];
                let ra = &tangent.acts[l][j * n_in..(j + 1) * n_in];
                d_dot[j] += dot(rd, &u[..n_out]) + dot(d0, &ru[j * n_out..(j + 1) * n_out]);
                d_norm2[j] += 2.0 * dot(d0, rd) * (aa + 1.0) + dd * 2.0 * dot(a0, ra);
            }
        }
        let norm = libm::sqrt(norm2);
        if norm < 1e-20 {
            return (0.0, vec![0.0; d]);
        }
        let vnorm = self.vnorm;
        let cos = dotv / (norm * vnorm);
        let grad = (0..d)
            .map(|j| (d_dot[j] / norm - dotv * d_norm2[j] / (2.0 * norm * norm2)) / vnorm)
            .collect();
        (cos, grad)
    }
}

/// cos(g(x), v) and its exact input gradient by reverse mode: cost independent of the input dimension
/// (a forward, a reverse and one R-operator pass over a single row), where [`InputAlignment`] runs
/// forward mode over d rows. Since `∂⟨g(x), w⟩/∂x = R_w{∇_x ℓ}` (mixed partials commute),
/// `∂cos/∂x = (∂g/∂x)ᵀ w` with `w = (v/‖v‖ − cos·g/‖g‖)/‖g‖` is the input adjoint
/// `R{δ_1} W_1 + δ_1 W_1^w` of one Pearlmutter pass along the parameter direction w (ŷ held fixed).
/// Not the same bits as [`InputAlignment`] (another summation order): used by the margin methods
/// `paper` and `boundary-slide`, never by `search`.
pub struct AlignmentGradient<'a> {
    mlp: &'a Mlp,
    params: &'a [f64],
    v: &'a [f64],
    vnorm: f64,
    tape: Tape,
    tangent: Tangent,
    g: Vec<f64>,
    w: Vec<f64>,
}

impl<'a> AlignmentGradient<'a> {
    pub fn new(mlp: &'a Mlp, params: &'a [f64], v: &'a [f64]) -> Self {
        let mut tape = Tape::new();
        tape.load(mlp, params);
        AlignmentGradient {
            mlp,
            params,
            v,
            vnorm: libm::sqrt(dot(v, v)),
            tape,
            tangent: Tangent::new(),
            g: vec![0.0; params.len()],
            w: vec![0.0; params.len()],
        }
    }

    /// `(cos(g(x), v), ∂cos/∂x)` at one point x; `(0, 0)` where ‖g‖ < 1e-20.
    pub fn at(&mut self, x: &[f64]) -> (f64, Vec<f64>) {
        let (mlp, params) = (self.mlp, self.params);
        let d = mlp.input_dim();
        let tape = &mut self.tape;
        tape.run(mlp, params, x);
        tape.backward(mlp, params, Target::Predicted, 0, 1.0);
        self.g.fill(0.0);
        tape.accumulate_gradient(mlp, &mut self.g);
        let norm2 = dot(&self.g, &self.g);
        let norm = libm::sqrt(norm2);
        if norm < 1e-20 {
            return (0.0, vec![0.0; d]);
        }
        let dotv = dot(&self.g, self.v);
        let cos = dotv / (norm * self.vnorm);
        let (a, b) = (1.0 / (norm * self.vnorm), cos / norm2);
        for ((w, &v), &g) in self.w.iter_mut().zip(self.v).zip(&self.g) {
            *w = a * v - b * g;
        }
        let w = &self.w[..];
        self.tangent.forward(mlp, tape, Some(w), None);
        self.tangent.backward(mlp, params, tape, Some(w), 1.0);
        let first = &mlp.layers[0];
        let mut grad = vec![0.0; d];
        gemm_nn(
            1,
            first.outputs,
            d,
            &self.tangent.deltas[1],
            &params[first.w..first.b],
            &mut grad,
        );
        gemm_nn(
            1,
            first.outputs,
            d,
            &tape.deltas[1],
            &w[first.w..first.b],
            &mut grad,
        );
        (cos, grad)
    }
}

/// The gap `z_own(x) − max_{c≠own} z_c(x)` between the logit of class `own` and the largest other one
/// (positive where `own` is predicted, zero on its decision boundary), and its exact input gradient
/// (reverse mode through the logits, the competing class held fixed): the boundary's normal at x.
pub fn logit_gap_gradient(mlp: &Mlp, params: &[f64], x: &[f64], own: usize) -> (f64, Vec<f64>) {
    let mut tape = Tape::new();
    tape.forward(mlp, params, x);
    let z = tape.logits();
    let other = (0..z.len())
        .filter(|&c| c != own)
        .max_by(|&i, &j| z[i].total_cmp(&z[j]))
        .unwrap_or(own);
    let gap = z[own] - z[other];
    let depth = mlp.layers.len();
    let mut delta = vec![0.0; mlp.classes()];
    delta[own] += 1.0;
    delta[other] -= 1.0;
    for l in (0..depth).rev() {
        let layer = &mlp.layers[l];
        let mut da = vec![0.0; layer.inputs];
        gemm_nn(
            1,
            layer.outputs,
            layer.inputs,
            &delta,
            &params[layer.w..layer.b],
            &mut da,
        );
        if l == 0 {
            return (gap, da);
        }
        delta = da.iter().zip(&tape.d1[l]).map(|(a, s)| a * s).collect();
    }
    unreachable!("a model has at least one layer")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Activation, LossKind};
    use crate::rng::Rng;

    /// Kept tapes and tapes recomputed for every product (the path past the memory budget) give the
    /// same bits, over several chunks.
    #[test]
    fn kept_and_recomputed_tapes_agree_bit_for_bit() {
        let mlp = Mlp::new(3, &[7, 5], 4, Activation::Tanh, LossKind::Ce);
        let mut rng = Rng::new(3);
        let params = mlp.init(&mut rng);
        let n = 2 * CHUNK + 17;
        let x: Vec<f64> = (0..n * 3).map(|_| rng.normal()).collect();
        let y: Vec<u32> = (0..n as u32).map(|i| i % 4).collect();
        let v: Vec<f64> = (0..params.len()).map(|_| rng.normal()).collect();
        let mut kept = CurvatureProducts::new(
            CurvatureOperator::Hessian,
            &mlp,
            &params,
            &x,
            Target::Labels(&y),
        );
        assert_eq!(kept.tapes.len(), 3);
        let mut recomputed = CurvatureProducts::new(
            CurvatureOperator::Hessian,
            &mlp,
            &params,
            &x,
            Target::Labels(&y),
        );
        recomputed.tapes.clear();
        let (mut a, mut b) = (vec![0.0; params.len()], vec![0.0; params.len()]);
        for _ in 0..2 {
            kept.apply(&v, &mut a);
            recomputed.apply(&v, &mut b);
            assert_eq!(a, b);
        }
    }
}
