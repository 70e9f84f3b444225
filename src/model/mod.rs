//! The model: an MLP `[d, hidden…, C]` with its parameters in one flat vector, and our own autodiff.
//!
//! Parameter layout (documented because run.json exports it and every eigenvector uses it): for each
//! layer in order, the weight `W` row-major with shape `[out][in]`, then the bias `b` of length `out`.
//! Hidden layers apply the activation; the last layer outputs the logits.
//!
//! [`autodiff`] gives exact first- and second-order derivatives; [`linalg`] holds its kernels.

pub mod autodiff;
pub mod linalg;

use crate::config::{Activation, LossKind};
use crate::rng::Rng;

/// Where one layer's parameters sit in the flat vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layer {
    pub inputs: usize,
    pub outputs: usize,
    /// Offset of `W` (`outputs × inputs`, row-major); `b` follows at `w + inputs·outputs`.
    pub w: usize,
    pub b: usize,
}

/// The architecture (no parameters: those live in a separate `&[f64]`, so snapshots, eigenvectors and
/// gradients all share one layout).
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    /// `[d, hidden…, C]`.
    pub sizes: Vec<usize>,
    pub activation: Activation,
    pub loss: LossKind,
    pub layers: Vec<Layer>,
}

impl Mlp {
    pub fn new(
        dim: usize,
        hidden: &[usize],
        classes: usize,
        activation: Activation,
        loss: LossKind,
    ) -> Mlp {
        let sizes: Vec<usize> = std::iter::once(dim)
            .chain(hidden.iter().copied())
            .chain(std::iter::once(classes))
            .collect();
        let mut offset = 0;
        let layers = sizes
            .windows(2)
            .map(|io| {
                let layer = Layer {
                    inputs: io[0],
                    outputs: io[1],
                    w: offset,
                    b: offset + io[0] * io[1],
                };
                offset = layer.b + io[1];
                layer
            })
            .collect();
        Mlp {
            sizes,
            activation,
            loss,
            layers,
        }
    }

    /// Number of parameters p.
    pub fn param_count(&self) -> usize {
        self.layers.last().map_or(0, |l| l.b + l.outputs)
    }

    pub fn input_dim(&self) -> usize {
        self.sizes[0]
    }

    pub fn classes(&self) -> usize {
        *self.sizes.last().unwrap()
    }

    /// PyTorch's `nn.Linear` default: weights and biases ~ U(−1/√fan_in, 1/√fan_in), drawn layer by layer,
    /// W then b, so results are comparable with the paper's code.
    pub fn init(&self, rng: &mut Rng) -> Vec<f64> {
        let mut params = vec![0.0; self.param_count()];
        for l in &self.layers {
            let bound = 1.0 / libm::sqrt(l.inputs as f64);
            for p in &mut params[l.w..l.b + l.outputs] {
                *p = rng.uniform_in(-bound, bound);
            }
        }
        params
    }
}

/// σ, σ′ and σ″ of the hidden activation (σ″ is what makes the Hessian of smooth activations differ
/// from the Gauss–Newton part; it is 0 for ReLU and linear).
#[inline]
pub fn activate(act: Activation, z: f64) -> (f64, f64, f64) {
    match act {
        Activation::Relu => {
            if z > 0.0 {
                (z, 1.0, 0.0)
            } else {
                (0.0, 0.0, 0.0)
            }
        }
        Activation::Linear => (z, 1.0, 0.0),
        Activation::Tanh => {
            let t = libm::tanh(z);
            let d = 1.0 - t * t;
            (t, d, -2.0 * t * d)
        }
        Activation::Sigmoid => {
            let s = 1.0 / (1.0 + libm::exp(-z));
            let d = s * (1.0 - s);
            (s, d, d * (1.0 - 2.0 * s))
        }
        Activation::Gelu => {
            // Exact (erf) GELU, PyTorch's default: z·Φ(z).
            const INV_SQRT_2: f64 = std::f64::consts::FRAC_1_SQRT_2;
            const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
            let cdf = 0.5 * (1.0 + libm::erf(z * INV_SQRT_2));
            let pdf = INV_SQRT_2PI * libm::exp(-0.5 * z * z);
            (z * cdf, cdf + z * pdf, pdf * (2.0 - z * z))
        }
    }
}

/// Applies [`activate`] to every element of `z` in place, writing σ′ and σ″ beside it. The match is
/// outside the loop, so each activation gets its own straight (and for ReLU vectorized) loop.
pub fn activate_all(act: Activation, z: &mut [f64], d1: &mut [f64], d2: &mut [f64]) {
    #[inline(always)]
    fn each(z: &mut [f64], d1: &mut [f64], d2: &mut [f64], f: impl Fn(f64) -> (f64, f64, f64)) {
        for ((zi, g1), g2) in z.iter_mut().zip(d1.iter_mut()).zip(d2.iter_mut()) {
            (*zi, *g1, *g2) = f(*zi);
        }
    }
    match act {
        Activation::Relu => each(z, d1, d2, |x| activate(Activation::Relu, x)),
        Activation::Linear => each(z, d1, d2, |x| activate(Activation::Linear, x)),
        Activation::Tanh => each(z, d1, d2, |x| activate(Activation::Tanh, x)),
        Activation::Sigmoid => each(z, d1, d2, |x| activate(Activation::Sigmoid, x)),
        Activation::Gelu => each(z, d1, d2, |x| activate(Activation::Gelu, x)),
    }
}

/// Index of the largest logit (the first on ties): the predicted label ŷ.
pub fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (j, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = j;
        }
    }
    best
}

/// `out = exp(z − max z)` (softmax before normalizing, safe from overflow); returns `(max z, Σ out)`.
fn shifted_exp(logits: &[f64], out: &mut [f64]) -> (f64, f64) {
    let max = logits.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0.0;
    for (o, &z) in out.iter_mut().zip(logits) {
        *o = libm::exp(z - max);
        sum += *o;
    }
    (max, sum)
}

/// Loss of one sample from its logits, and ∂loss/∂logits written into `grad` (times `scale`).
/// Cross-entropy uses log-softmax; MSE is the mean over the C outputs of (z − one-hot)², like PyTorch.
pub fn loss_head(
    loss: LossKind,
    logits: &[f64],
    label: usize,
    scale: f64,
    grad: &mut [f64],
) -> f64 {
    match loss {
        LossKind::Ce => {
            let (max, sum) = shifted_exp(logits, grad);
            for g in grad.iter_mut() {
                *g *= scale / sum;
            }
            grad[label] -= scale;
            max + libm::log(sum) - logits[label]
        }
        LossKind::Mse => {
            let c = logits.len() as f64;
            let mut total = 0.0;
            for (j, (g, &z)) in grad.iter_mut().zip(logits).enumerate() {
                let r = z - if j == label { 1.0 } else { 0.0 };
                total += r * r;
                *g = scale * 2.0 * r / c;
            }
            total / c
        }
    }
}

/// The tangent of [`loss_head`]'s gradient: `out = scale · ∇²_z loss · dz` (the Hessian of the loss with
/// respect to the logits, applied to a logit tangent). For cross-entropy that is `diag(s) − s sᵀ`.
pub fn loss_head_tangent(loss: LossKind, logits: &[f64], dz: &[f64], scale: f64, out: &mut [f64]) {
    match loss {
        LossKind::Ce => {
            let (_, sum) = shifted_exp(logits, out);
            let mut s_dot_dz = 0.0;
            for (o, &d) in out.iter_mut().zip(dz) {
                *o /= sum;
                s_dot_dz += *o * d;
            }
            for (o, &d) in out.iter_mut().zip(dz) {
                *o = scale * *o * (d - s_dot_dz);
            }
        }
        LossKind::Mse => {
            let c = logits.len() as f64;
            for (o, &d) in out.iter_mut().zip(dz) {
                *o = scale * 2.0 * d / c;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_param_count_match_the_paper() {
        let m = Mlp::new(2, &[100, 100], 3, Activation::Relu, LossKind::Ce);
        assert_eq!(m.param_count(), 10_703);
        assert_eq!(
            m.layers[1],
            Layer {
                inputs: 100,
                outputs: 100,
                w: 300,
                b: 10_300
            }
        );
        assert_eq!(
            Mlp::new(1, &[10], 2, Activation::Relu, LossKind::Ce).param_count(),
            42
        );
        assert_eq!(
            Mlp::new(4, &[50, 50], 3, Activation::Relu, LossKind::Ce).param_count(),
            2_953
        );
    }

    #[test]
    fn init_is_bounded_by_fan_in() {
        let m = Mlp::new(4, &[50], 3, Activation::Relu, LossKind::Ce);
        let p = m.init(&mut Rng::new(1));
        assert!(p[..250].iter().all(|w| w.abs() <= 0.5) && p[..250].iter().any(|w| w.abs() > 0.45));
        let b2 = 1.0 / 50f64.sqrt();
        assert!(p[250..].iter().all(|w| w.abs() <= b2));
    }

    #[test]
    fn activation_derivatives_match_finite_differences() {
        let h = 1e-5;
        for act in [
            Activation::Relu,
            Activation::Tanh,
            Activation::Sigmoid,
            Activation::Gelu,
            Activation::Linear,
        ] {
            for z in [-2.3, -0.4, 0.3, 1.7] {
                let (_, d1, d2) = activate(act, z);
                let fd1 = (activate(act, z + h).0 - activate(act, z - h).0) / (2.0 * h);
                let fd2 = (activate(act, z + h).1 - activate(act, z - h).1) / (2.0 * h);
                assert!((d1 - fd1).abs() < 1e-8, "{act:?} σ' at {z}");
                assert!((d2 - fd2).abs() < 1e-8, "{act:?} σ'' at {z}");
            }
        }
    }
}
