//! Sums over slices that the compiler can vectorise.
//!
//! Why: `iter().sum()` over `f32` adds one value at a time, each waiting for the last (float
//! addition is not associative, so the compiler keeps that order): a few cycles per value.
//! Keeping `LANES` separate partial sums lets it fill SIMD registers and overlap the adds.
//! The result differs from the one-at-a-time sum by rounding only.

/// Partial sums kept apart: two 8-wide AVX registers, four 4-wide wasm SIMD128 ones.
const LANES: usize = 16;

/// `Σ_i f(a[i], b[i])` over the common length of `a` and `b`.
#[inline]
pub fn sum_pairs(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let len = a.len().min(b.len());
    let (a, b) = (a[..len].chunks_exact(LANES), b[..len].chunks_exact(LANES));
    let tail: f32 = a.remainder().iter().zip(b.remainder()).map(|(x, y)| f(*x, *y)).sum();
    let mut acc = [0.0f32; LANES];
    for (x, y) in a.zip(b) {
        for lane in 0..LANES {
            acc[lane] += f(x[lane], y[lane]);
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// `Σ_i f(a[i])`.
#[inline]
pub fn sum_map(a: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    sum_pairs(a, a, |x, _| f(x))
}

/// `Σ_i a[i] · b[i]`.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    sum_pairs(a, b, |x, y| x * y)
}
