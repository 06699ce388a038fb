//! Dropout's random mask. burn draws each element through a ChaCha generator, one `f32` at a
//! time; for the `seed` model's 200,000-element dropout that was about 5 % of a training step
//! on the CPU, run while the other core waited. SplitMix64 gives two 32-bit draws per step.

use crate::mnist::data::rng::Rng;

/// `n` multipliers: `1 / keep` with probability `keep`, else 0, so that `x · mask` keeps the
/// expected value of `x` (inverted dropout, as burn's layer).
pub fn mask(n: usize, keep: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    // A draw `u` of 32 bits keeps the element when `u < keep · 2³²`.
    let threshold = (keep * 4_294_967_296.0) as u64;
    let scale = (1.0 / keep) as f32;
    let mut bits = 0;
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                bits = rng.next_u64();
            }
            let u = (bits >> (32 * (i % 2))) & 0xffff_ffff;
            if u < threshold {
                scale
            } else {
                0.0
            }
        })
        .collect()
}
