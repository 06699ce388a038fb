//! Dropout's mask on the GPU, one kernel: each element's keep/drop decision from a hash of its
//! index and the two seed draws, so no unit waits on another's generator state.
//!
//! The CPU draws its mask from a sequential generator (`cpu::dropout`), so the two devices'
//! masks differ for the same seed, as burn's did; each is the same again for the same seed.

use burn_cubecl::cubecl;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::{elementwise, output, ready};

/// `1 / keep` with probability `keep`, else 0, shaped like `like`; `seed` holds two uniform
/// draws in [0, 1).
pub fn mask(like: CubeTensor, seed: CubeTensor, keep: f64) -> CubeTensor {
    let seed = ready(seed);
    let shape = like.meta.shape().dims::<4>();
    let len = shape.iter().product();
    let mask = output(&like, shape);
    let (client, count, dim) = elementwise(&like, len);
    mask_kernel::launch(
        &client,
        count,
        dim,
        seed.into_buffer_arg(),
        mask.clone().into_buffer_arg(),
        len as u32,
        // A 24-bit draw `u` keeps the element when `u < keep · 2²⁴`.
        (keep * 16_777_216.0) as u32,
        (1.0 / keep) as f32,
    );
    mask
}

/// One unit per element.
#[cube(launch)]
fn mask_kernel(seed: &[f32], mask: &mut [f32], len: u32, threshold: u32, scale: f32) {
    let pos = ABSOLUTE_POS;
    if pos >= len as usize {
        terminate!();
    }
    // Each seed draw carries 24 random bits.
    let key = u32::cast_from(seed[0] * 16_777_216.0) ^ (u32::cast_from(seed[1] * 16_777_216.0) << 8);
    let u = hash(hash(pos as u32 ^ key) ^ key) >> 8;
    mask[pos] = select(u < threshold, scale, 0.0);
}

/// A 32-bit integer hash with good avalanche (Chris Wellons' "lowbias32").
#[cube]
fn hash(x: u32) -> u32 {
    let mut h = x;
    h ^= h >> 16;
    h *= 0x7feb_352d;
    h ^= h >> 15;
    h *= 0x846c_a68b;
    h ^= h >> 16;
    h
}
