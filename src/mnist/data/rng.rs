//! A small seeded random number generator (SplitMix64), so a run with the same seed draws the
//! same shuffles and augmentations natively and in the browser.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// From a seed, or from a saved [`Rng::state`]: the same draws follow.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn state(&self) -> u64 {
        self.0
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    /// 0..n in a random order (Fisher–Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            v.swap(i, self.below(i + 1));
        }
        v
    }
}

/// The seed of the device's generator (dropout) before optimizer step `step`: each step's
/// masks depend only on the run's seed and the step, so a resumed run draws the same ones.
/// Step 0 keeps the run's own seed, which also initialises the weights.
pub fn step_seed(seed: u64, step: usize) -> u64 {
    Rng::new(seed ^ (step as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)).next_u64()
}
