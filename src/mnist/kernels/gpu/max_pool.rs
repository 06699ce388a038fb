//! 2×2 max pooling with stride 2 on the GPU, forward and backward, one kernel each.
//!
//! Why: burn's pooling keeps each maximum's position as an index tensor and works in
//! channels-last layout (copies in and out). As on the CPU (`cpu::max_pool`), the backward
//! pass finds each window's maximum again in the input; ties go to the first of the four
//! (top-left, top-right, bottom-left, bottom-right), so the gradient lands where the CPU's
//! does. An odd last row or column is dropped.

use burn_cubecl::cubecl;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::{elementwise, output, ready};

/// `y = max_pool(x)`: `[n, c, h, w]` → `[n, c, h/2, w/2]`.
pub fn forward(x: CubeTensor) -> CubeTensor {
    let x = ready(x);
    let [n, c, h, w] = x.meta.shape().dims::<4>();
    let y = output(&x, [n, c, h / 2, w / 2]);
    let (client, count, dim) = elementwise(&x, n * c * (h / 2) * (w / 2));
    forward_kernel::launch(
        &client,
        count,
        dim,
        x.into_buffer_arg(),
        y.clone().into_buffer_arg(),
        (n * c) as u32,
        h as u32,
        w as u32,
    );
    y
}

/// The input gradient `[n, c, h, w]` from the input and the output gradient.
pub fn backward(x: CubeTensor, dy: CubeTensor) -> CubeTensor {
    let (x, dy) = (ready(x), ready(dy));
    let [n, c, h, w] = x.meta.shape().dims::<4>();
    let dx = output(&x, [n, c, h, w]);
    let (client, count, dim) = elementwise(&x, n * c * h * w);
    backward_kernel::launch(
        &client,
        count,
        dim,
        x.into_buffer_arg(),
        dy.into_buffer_arg(),
        dx.clone().into_buffer_arg(),
        (n * c) as u32,
        h as u32,
        w as u32,
    );
    dx
}

/// The input index of the maximum of the window whose top-left value is at `top_left`.
#[cube]
fn window_max(x: &[f32], top_left: usize, w: usize) -> usize {
    let mut best = top_left;
    let mut max = x[top_left];
    let right = top_left + 1;
    if x[right] > max {
        best = right;
        max = x[right];
    }
    let below = top_left + w;
    if x[below] > max {
        best = below;
        max = x[below];
    }
    let corner = below + 1;
    if x[corner] > max {
        best = corner;
    }
    best
}

/// One unit per output element.
#[cube(launch)]
fn forward_kernel(x: &[f32], y: &mut [f32], planes: u32, h: u32, w: u32) {
    let h = h as usize;
    let w = w as usize;
    let ho = h / 2;
    let wo = w / 2;
    let pos = ABSOLUTE_POS;
    if pos >= planes as usize * ho * wo {
        terminate!();
    }
    let ox = pos % wo;
    let oy = (pos / wo) % ho;
    let plane = pos / (wo * ho);
    y[pos] = x[window_max(x, plane * h * w + 2 * oy * w + 2 * ox, w)];
}

/// One unit per input element: its window's output gradient if it is the window's maximum.
#[cube(launch)]
fn backward_kernel(x: &[f32], dy: &[f32], dx: &mut [f32], planes: u32, h: u32, w: u32) {
    let h = h as usize;
    let w = w as usize;
    let ho = h / 2;
    let wo = w / 2;
    let pos = ABSOLUTE_POS;
    if pos >= planes as usize * h * w {
        terminate!();
    }
    let q = pos % w;
    let p = (pos / w) % h;
    let plane = pos / (w * h);
    let oy = p / 2;
    let ox = q / 2;
    let mut g = 0.0f32;
    if oy < ho && ox < wo && window_max(x, plane * h * w + 2 * oy * w + 2 * ox, w) == pos {
        g = dy[(plane * ho + oy) * wo + ox];
    }
    dx[pos] = g;
}
