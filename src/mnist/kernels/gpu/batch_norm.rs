//! Batch normalisation while training, on the GPU: one kernel forward, one backward, each a
//! cube per channel that reads the channel's values in place (no layout copy).
//!
//! Why: burn's layer computes it from generic ops (a reshape, a mean, a variance, the
//! normalisation), and autodiff differentiates each of them: about 15 kernels per layer per
//! step, most of `compact`'s reductions. With `m = n·h·w` values per channel:
//!
//! ```text
//! forward:  μ = Σx / m,  σ² = Σ(x-μ)² / m,  x̂ = (x-μ)/√(σ²+ε),  y = γ·x̂ + β
//! backward: ∂β = Σdy,  ∂γ = Σdy·x̂,  dx = γ/(m·√(σ²+ε)) · (m·dy - ∂β - x̂·∂γ)
//! ```
//!
//! as the CPU's (`cpu::batch_norm`), the variance in a second pass for its accuracy.

use burn_cubecl::cubecl;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::reduce::{cube_sum, UNITS};
use super::{launch_cubes, output, ready};

/// `(y, μ, σ²)` for `x` `[n, c, h, w]`; σ² is the biased variance (over `m`, not `m - 1`).
pub fn forward(x: CubeTensor, gamma: CubeTensor, beta: CubeTensor, epsilon: f64) -> (CubeTensor, CubeTensor, CubeTensor) {
    let (x, gamma, beta) = (ready(x), ready(gamma), ready(beta));
    let [n, c, h, w] = x.meta.shape().dims::<4>();
    let (y, mean, var) = (output(&x, [n, c, h, w]), output(&x, [c]), output(&x, [c]));
    let (client, count, dim) = launch_cubes(&x, c);
    forward_kernel::launch(
        &client,
        count,
        dim,
        x.into_buffer_arg(),
        gamma.into_buffer_arg(),
        beta.into_buffer_arg(),
        y.clone().into_buffer_arg(),
        mean.clone().into_buffer_arg(),
        var.clone().into_buffer_arg(),
        n as u32,
        c as u32,
        (h * w) as u32,
        epsilon as f32,
        UNITS,
    );
    (y, mean, var)
}

/// `(dx, ∂γ, ∂β)` from the forward pass's input and statistics and the output gradient.
pub fn backward(
    x: CubeTensor,
    gamma: CubeTensor,
    mean: CubeTensor,
    var: CubeTensor,
    dy: CubeTensor,
    epsilon: f64,
) -> (CubeTensor, CubeTensor, CubeTensor) {
    let (x, gamma, mean, var, dy) = (ready(x), ready(gamma), ready(mean), ready(var), ready(dy));
    let [n, c, h, w] = x.meta.shape().dims::<4>();
    let (dx, dgamma, dbeta) = (output(&x, [n, c, h, w]), output(&x, [c]), output(&x, [c]));
    let (client, count, dim) = launch_cubes(&x, c);
    backward_kernel::launch(
        &client,
        count,
        dim,
        x.into_buffer_arg(),
        gamma.into_buffer_arg(),
        mean.into_buffer_arg(),
        var.into_buffer_arg(),
        dy.into_buffer_arg(),
        dx.clone().into_buffer_arg(),
        dgamma.clone().into_buffer_arg(),
        dbeta.clone().into_buffer_arg(),
        n as u32,
        c as u32,
        (h * w) as u32,
        epsilon as f32,
        UNITS,
    );
    (dx, dgamma, dbeta)
}

/// Where the `i`-th value of channel `ch` lies in an `[n, c, hw]` tensor.
#[cube]
fn at(i: usize, ch: usize, c: usize, hw: usize) -> usize {
    ((i / hw) * c + ch) * hw + i % hw
}

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn forward_kernel(
    x: &[f32],
    gamma: &[f32],
    beta: &[f32],
    y: &mut [f32],
    mean_out: &mut [f32],
    var_out: &mut [f32],
    n: u32,
    c: u32,
    hw: u32,
    epsilon: f32,
    #[comptime] units: usize,
) {
    let c = c as usize;
    let hw = hw as usize;
    let ch = CUBE_POS;
    if ch >= c {
        terminate!();
    }
    let count = n as usize * hw;
    let m = count as f32;
    let mut sum = 0.0f32;
    let mut i = UNIT_POS as usize;
    while i < count {
        sum += x[at(i, ch, c, hw)];
        i += units;
    }
    let mean = cube_sum(sum, units) / m;
    let mut squares = 0.0f32;
    let mut i = UNIT_POS as usize;
    while i < count {
        let d = x[at(i, ch, c, hw)] - mean;
        squares += d * d;
        i += units;
    }
    let var = cube_sum(squares, units) / m;
    let scale = gamma[ch] / f32::sqrt(var + epsilon);
    let shift = beta[ch] - mean * scale;
    let mut i = UNIT_POS as usize;
    while i < count {
        let idx = at(i, ch, c, hw);
        y[idx] = x[idx] * scale + shift;
        i += units;
    }
    if UNIT_POS == 0 {
        mean_out[ch] = mean;
        var_out[ch] = var;
    }
}

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn backward_kernel(
    x: &[f32],
    gamma: &[f32],
    mean: &[f32],
    var: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    dgamma: &mut [f32],
    dbeta: &mut [f32],
    n: u32,
    c: u32,
    hw: u32,
    epsilon: f32,
    #[comptime] units: usize,
) {
    let c = c as usize;
    let hw = hw as usize;
    let ch = CUBE_POS;
    if ch >= c {
        terminate!();
    }
    let count = n as usize * hw;
    let m = count as f32;
    let mu = mean[ch];
    let inv_std = 1.0f32 / f32::sqrt(var[ch] + epsilon);
    let mut sum_dy = 0.0f32;
    let mut sum_dy_xhat = 0.0f32;
    let mut i = UNIT_POS as usize;
    while i < count {
        let idx = at(i, ch, c, hw);
        let g = dy[idx];
        sum_dy += g;
        sum_dy_xhat += g * (x[idx] - mu) * inv_std;
        i += units;
    }
    let sum_dy = cube_sum(sum_dy, units);
    let sum_dy_xhat = cube_sum(sum_dy_xhat, units);
    let scale = gamma[ch] * inv_std / m;
    let mut i = UNIT_POS as usize;
    while i < count {
        let idx = at(i, ch, c, hw);
        let xhat = (x[idx] - mu) * inv_std;
        dx[idx] = scale * (m * dy[idx] - sum_dy - xhat * sum_dy_xhat);
        i += units;
    }
    if UNIT_POS == 0 {
        dgamma[ch] = sum_dy_xhat;
        dbeta[ch] = sum_dy;
    }
}
