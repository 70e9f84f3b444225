//! numpy's legacy `RandomState` and PyTorch's CPU `randperm`, ported bit for bit, so that
//! [`super::authors`] can regenerate the exact points and splits of the paper's code.
//!
//! - [`Mt19937`]: the Mersenne Twister with `init_genrand` seeding — numpy's legacy seeding
//!   (`RandomState(seed)`) and PyTorch's `manual_seed` (`at::mt19937`) alike.
//! - [`RandomState`]: the legacy stream of numpy's `mtrand` (`random_sample`, `uniform`, the
//!   polar-method `standard_normal` with its cached second value, `normal`, `shuffle`,
//!   `permutation`). numpy froze this stream (NEP 19): it is the same in numpy 1.x and 2.x
//!   (reference values from numpy 2.4.6).
//! - [`torch_randperm`]: `torch.randperm(n, generator=torch.Generator().manual_seed(seed))` on the
//!   CPU for n < 2³²/20, the path `torch.utils.data.random_split` takes.
//!
//! The normal draw's `log` is [`cr_math::log`] (correctly rounded, as glibc's nearly always is;
//! `libm::log` differs from glibc in the last bit on about 7 % of draws) and its `sqrt` is
//! `libm::sqrt` (exact), never the platform's, so native and wasm builds give the same bits.

use super::cr_math;

const N: usize = 624;
const M: usize = 397;

/// MT19937 (Matsumoto & Nishimura), 32-bit outputs.
#[derive(Clone)]
pub struct Mt19937 {
    state: [u32; N],
    index: usize,
}

impl Mt19937 {
    /// `init_genrand(seed)`: numpy's `RandomState(seed)` (seed < 2³²) and torch's
    /// `manual_seed(seed)` (which keeps the low 32 bits).
    pub fn new(seed: u32) -> Mt19937 {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, index: N }
    }

    /// The next raw 32-bit output (tempered).
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// Regenerates all 624 words of the state.
    fn twist(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        for i in 0..N {
            let y = (self.state[i] & UPPER) | (self.state[(i + 1) % N] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.state[i] = self.state[(i + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }
}

/// numpy's legacy `RandomState`: MT19937 plus the cached second value of the polar normal draw.
#[derive(Clone)]
pub struct RandomState {
    mt: Mt19937,
    gauss: Option<f64>,
}

impl RandomState {
    /// `np.random.RandomState(seed)`.
    pub fn new(seed: u32) -> RandomState {
        RandomState {
            mt: Mt19937::new(seed),
            gauss: None,
        }
    }

    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// `random_sample()`: uniform in [0, 1) from 27 + 26 bits of two outputs.
    pub fn random_sample(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (a as f64 * 67_108_864.0 + b as f64) / 9_007_199_254_740_992.0
    }

    /// `uniform(lo, hi)`: `lo + (hi − lo) · random_sample()`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.random_sample()
    }

    /// `standard_normal()` (numpy's `legacy_gauss`): the polar method, which makes two values
    /// per accepted pair; it returns `f·x₂` and keeps `f·x₁` for the next call.
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(cached) = self.gauss.take() {
            return cached;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = libm::sqrt(-2.0 * cr_math::log(r2) / r2);
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `normal(loc, scale)`: `loc + scale · standard_normal()`. numpy's array arguments
    /// (`normal([m₁, m₂], [s₁, s₂])`) and `size=` draw one of these per element, in C order.
    pub fn normal(&mut self, loc: f64, scale: f64) -> f64 {
        loc + scale * self.standard_normal()
    }

    /// numpy's `random_interval(max)`: uniform in 0..=max by masking to the next power of two
    /// minus one and rejecting values above `max`.
    pub fn random_interval(&mut self, max: u32) -> u32 {
        if max == 0 {
            return 0;
        }
        let mask = u32::MAX >> max.leading_zeros();
        loop {
            let value = self.next_u32() & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// `shuffle(x)`: Fisher–Yates from the end, `j = random_interval(i)` for i = n−1 down to 1.
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        for i in (1..x.len()).rev() {
            let j = self.random_interval(i as u32) as usize;
            x.swap(i, j);
        }
    }

    /// `permutation(n)`: `arange(n)` shuffled. `permutation(a)` of an array is `a[permutation(n)]`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        self.shuffle(&mut p);
        p
    }
}

/// `torch.randperm(n)` under `manual_seed(seed)` on the CPU: for i in 0..n−1,
/// z = next_u32 mod (n − i), swap r[i] and r[i + z].
pub fn torch_randperm(n: usize, seed: u32) -> Vec<usize> {
    assert!(
        n < (u32::MAX / 20) as usize,
        "torch_randperm: n too large for the 32-bit path"
    );
    let mut mt = Mt19937::new(seed);
    let mut r: Vec<usize> = (0..n).collect();
    for i in 0..n.saturating_sub(1) {
        let z = (mt.next_u32() % (n - i) as u32) as usize;
        r.swap(i, i + z);
    }
    r
}
