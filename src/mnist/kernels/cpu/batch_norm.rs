//! Batch normalisation in training mode for the CPU, forward and backward, straight on NCHW
//! data.
//!
//! Why: burn's generic batch norm gathers each channel by swapping the batch and channel axes
//! (two full copies forward, two backward) and then runs some ten element-wise passes. Here a
//! channel's statistics are read in place (a channel is `n` contiguous runs of `h·w` values),
//! and each direction is two passes:
//!
//! ```text
//! forward   μ = mean(x),  σ² = mean((x − μ)²),  x̂ = (x − μ)/√(σ² + ε),  y = γ·x̂ + β
//! backward  dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(σ² + ε) · (dy − dβ/M − x̂·dγ/M)
//! ```
//!
//! with the sums over the `M = n·h·w` values of a channel.

use super::{parallel, sum};

/// A batch of `n` maps with `c` channels of `hw` pixels each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchShape {
    pub n: usize,
    pub c: usize,
    pub hw: usize,
}

impl BatchShape {
    /// The values of channel `ch`, image by image.
    fn channel<'a>(&self, data: &'a [f32], ch: usize) -> impl Iterator<Item = &'a [f32]> + 'a {
        let (c, hw) = (self.c, self.hw);
        data.chunks_exact(c * hw).map(move |image| &image[ch * hw..][..hw])
    }
    fn count(&self) -> f32 {
        (self.n * self.hw) as f32
    }
}

/// The forward pass: `(y, per-channel mean, per-channel biased variance)`.
pub fn forward(x: &[f32], gamma: &[f32], beta: &[f32], epsilon: f64, s: &BatchShape) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    // Two passes per channel (mean, then the squared deviations from it): the one-pass
    // E[x²] − E[x]² loses digits when a channel's mean is large against its spread.
    let stats = parallel::map(s.c, |ch| {
        let mean = s.channel(x, ch).map(|run| sum::sum_map(run, |v| v)).sum::<f32>() / s.count();
        let var = s.channel(x, ch).map(|run| sum::sum_map(run, |v| (v - mean) * (v - mean))).sum::<f32>() / s.count();
        (mean, var)
    });
    let (mean, var): (Vec<f32>, Vec<f32>) = stats.into_iter().unzip();
    // y = scale·x + shift per channel, with scale = γ/√(σ²+ε) and shift = β − scale·μ.
    let scale: Vec<f32> = var
        .iter()
        .zip(gamma)
        .map(|(v, g)| g / (v + epsilon as f32).sqrt())
        .collect();
    let shift: Vec<f32> = beta
        .iter()
        .zip(&scale)
        .zip(&mean)
        .map(|((b, k), m)| b - k * m)
        .collect();
    let mut y = vec![0.0; x.len()];
    parallel::for_each_chunk(&mut y, s.c * s.hw, |i, y_i| {
        let x_i = &x[i * s.c * s.hw..][..s.c * s.hw];
        for (ch, (y_c, x_c)) in y_i.chunks_exact_mut(s.hw).zip(x_i.chunks_exact(s.hw)).enumerate() {
            let (k, b) = (scale[ch], shift[ch]);
            y_c.iter_mut().zip(x_c).for_each(|(y, x)| *y = k * x + b);
        }
    });
    (y, mean, var)
}

/// The backward pass from the input `x`, the statistics its forward pass used and the output
/// gradient `dy`: `(dx, dγ, dβ)`.
pub fn backward(
    x: &[f32],
    gamma: &[f32],
    mean: &[f32],
    var: &[f32],
    epsilon: f64,
    dy: &[f32],
    s: &BatchShape,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let inv_std: Vec<f32> = var.iter().map(|v| 1.0 / (v + epsilon as f32).sqrt()).collect();
    let sums = parallel::map(s.c, |ch| {
        let (m, inv) = (mean[ch], inv_std[ch]);
        s.channel(dy, ch).zip(s.channel(x, ch)).fold((0.0f32, 0.0f32), |(db, dg), (dy, x)| {
            (db + sum::sum_map(dy, |d| d), dg + sum::sum_pairs(dy, x, |d, v| d * (v - m)) * inv)
        })
    });
    let (dbeta, dgamma): (Vec<f32>, Vec<f32>) = sums.into_iter().unzip();
    let mut dx = vec![0.0; x.len()];
    parallel::for_each_chunk(&mut dx, s.c * s.hw, |i, dx_i| {
        let at = i * s.c * s.hw;
        let (x_i, dy_i) = (&x[at..][..s.c * s.hw], &dy[at..][..s.c * s.hw]);
        for ch in 0..s.c {
            let (m, inv) = (mean[ch], inv_std[ch]);
            let k = gamma[ch] * inv;
            let (db_mean, dg_mean) = (dbeta[ch] / s.count(), dgamma[ch] / s.count());
            let range = ch * s.hw..(ch + 1) * s.hw;
            for ((dx, d), v) in dx_i[range.clone()]
                .iter_mut()
                .zip(&dy_i[range.clone()])
                .zip(&x_i[range])
            {
                *dx = k * (d - db_mean - (v - m) * inv * dg_mean);
            }
        }
    });
    (dx, dgamma, dbeta)
}
