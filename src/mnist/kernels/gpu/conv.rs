//! Stride-1 convolution on the GPU, forward and backward, for any group count: one kernel
//! covers the full convolutions (`groups == 1`), the depthwise ones (`groups == channels`) and
//! the 1×1 ones of a separable conv.
//!
//! Why: burn's generic convolution works in channels-last layout, so each of our NCHW layers
//! paid a layout copy on the way in and out, and its weight gradient went through a transposed
//! convolution and more copies: 24 of `compact`'s ~280 kernels per step were convolutions, 73
//! were copies. Here each pass is one kernel on NCHW tensors, as the CPU's (`cpu::conv`):
//!
//! ```text
//! y[n, o, i, j]  = Σ_{c ∈ group(o)} Σ_{a, b} x[n, c, i+a-pad, j+b-pad] · w[o, c, a, b]
//! dx[n, c, p, q] = Σ_{o ∈ group(c)} Σ_{a, b} dy[n, o, p+pad-a, q+pad-b] · w[o, c, a, b]
//! dw[o, c, a, b] = Σ_{n, i, j} dy[n, o, i, j] · x[n, c, i+a-pad, j+b-pad]
//! ```
//!
//! (reading outside the image as zero). The first two give each output element a unit; the
//! weight gradient is a sum over the whole batch, so each weight gets a cube ([`cube_sum`]).
//! The bias starts each output's sum, and its gradient is `dy` summed per channel, a cube
//! each ([`backward_bias`]).

use burn_cubecl::cubecl;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::reduce::{cube_sum, UNITS};
use super::{elementwise, launch_cubes, output, ready};
use crate::mnist::kernels::conv_geometry::ConvGeometry;

/// What the kernels take of a geometry (the filter size goes as a comptime value, to unroll
/// by).
fn sizes(g: &ConvGeometry) -> SizesLaunch {
    let [n, c, h, w, o, pad, groups] = [g.n, g.c, g.h, g.w, g.o, g.pad, g.groups].map(|v| v as u32);
    SizesLaunch::new(n, c, h, w, o, pad, groups)
}

/// A [`ConvGeometry`] as the kernels get it.
#[derive(CubeLaunch, CubeType)]
struct Sizes {
    n: u32,
    c: u32,
    h: u32,
    w: u32,
    o: u32,
    pad: u32,
    groups: u32,
}

/// `y = conv(x, weight) + bias`.
pub fn forward(x: CubeTensor, weight: CubeTensor, bias: Option<CubeTensor>, pad: usize, groups: usize) -> CubeTensor {
    let (x, weight) = (ready(x), ready(weight));
    let g = ConvGeometry::of_input(dims(&x), dims(&weight), pad, groups);
    let y = output(&x, g.output());
    let (client, count, dim) = elementwise(&x, g.output().iter().product());
    let has_bias = bias.is_some();
    // Without a bias the kernel never reads its bias buffer; the weight stands in for it.
    let bias = bias.map(ready).unwrap_or_else(|| weight.clone());
    forward_kernel::launch(
        &client,
        count,
        dim,
        x.into_buffer_arg(),
        weight.into_buffer_arg(),
        bias.into_buffer_arg(),
        y.clone().into_buffer_arg(),
        sizes(&g),
        g.k,
        has_bias,
    );
    y
}

/// The input gradient `[n, c, h, w]` from the output gradient and the weight.
pub fn backward_x(dy: CubeTensor, weight: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
    let (dy, weight) = (ready(dy), ready(weight));
    let g = ConvGeometry::of_output(dims(&dy), dims(&weight), pad, groups);
    let dx = output(&dy, g.input());
    let (client, count, dim) = elementwise(&dy, g.input().iter().product());
    backward_x_kernel::launch(
        &client,
        count,
        dim,
        dy.into_buffer_arg(),
        weight.into_buffer_arg(),
        dx.clone().into_buffer_arg(),
        sizes(&g),
        g.k,
    );
    dx
}

/// The weight gradient `[o, c / groups, k, k]` from the input and the output gradient.
pub fn backward_weight(x: CubeTensor, dy: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
    let (x, dy) = (ready(x), ready(dy));
    let g = ConvGeometry::of_both(dims(&x), dims(&dy), pad, groups);
    let dw = output(&x, g.weight());
    let (client, count, dim) = launch_cubes(&x, g.weight().iter().product());
    backward_weight_kernel::launch(
        &client,
        count,
        dim,
        x.into_buffer_arg(),
        dy.into_buffer_arg(),
        dw.clone().into_buffer_arg(),
        sizes(&g),
        g.k,
        UNITS,
    );
    dw
}

/// The bias gradient `[o]`: the output gradient summed over images and pixels, a cube per
/// channel.
pub fn backward_bias(dy: CubeTensor) -> CubeTensor {
    let dy = ready(dy);
    let [n, o, ho, wo] = dims(&dy);
    let db = output(&dy, [o]);
    let (client, count, dim) = launch_cubes(&dy, o);
    backward_bias_kernel::launch(
        &client,
        count,
        dim,
        dy.into_buffer_arg(),
        db.clone().into_buffer_arg(),
        n as u32,
        o as u32,
        (ho * wo) as u32,
        UNITS,
    );
    db
}

fn dims(t: &CubeTensor) -> [usize; 4] {
    t.meta.shape().dims::<4>()
}

/// One unit per output element `[b, oc, oy, ox]`.
#[cube(launch)]
fn forward_kernel(
    x: &[f32],
    weight: &[f32],
    bias: &[f32],
    y: &mut [f32],
    sizes: Sizes,
    #[comptime] k: usize,
    #[comptime] has_bias: bool,
) {
    let n = sizes.n as usize;
    let c = sizes.c as usize;
    let h = sizes.h as usize;
    let w = sizes.w as usize;
    let o = sizes.o as usize;
    let pad = sizes.pad as usize;
    let groups = sizes.groups as usize;
    let ho = h + 2 * pad + 1 - k;
    let wo = w + 2 * pad + 1 - k;
    let pos = ABSOLUTE_POS;
    if pos >= n * o * ho * wo {
        terminate!();
    }
    let ox = pos % wo;
    let oy = (pos / wo) % ho;
    let oc = (pos / (wo * ho)) % o;
    let b = pos / (wo * ho * o);
    let cg = c / groups;
    let first = (oc / (o / groups)) * cg;
    let mut acc = 0.0f32;
    if has_bias {
        acc = bias[oc];
    }
    for ci in 0..cg {
        let x_plane = (b * c + first + ci) * h * w;
        let w_base = (oc * cg + ci) * k * k;
        #[unroll]
        for a in 0..k {
            let row = oy + a;
            if row >= pad && row < h + pad {
                #[unroll]
                for bb in 0..k {
                    let col = ox + bb;
                    if col >= pad && col < w + pad {
                        acc += x[x_plane + (row - pad) * w + col - pad] * weight[w_base + a * k + bb];
                    }
                }
            }
        }
    }
    y[pos] = acc;
}

/// One unit per input element `[b, cc, p, q]`.
#[cube(launch)]
fn backward_x_kernel(
    dy: &[f32],
    weight: &[f32],
    dx: &mut [f32],
    sizes: Sizes,
    #[comptime] k: usize,
) {
    let n = sizes.n as usize;
    let c = sizes.c as usize;
    let h = sizes.h as usize;
    let w = sizes.w as usize;
    let o = sizes.o as usize;
    let pad = sizes.pad as usize;
    let groups = sizes.groups as usize;
    let ho = h + 2 * pad + 1 - k;
    let wo = w + 2 * pad + 1 - k;
    let pos = ABSOLUTE_POS;
    if pos >= n * c * h * w {
        terminate!();
    }
    let q = pos % w;
    let p = (pos / w) % h;
    let cc = (pos / (w * h)) % c;
    let b = pos / (w * h * c);
    let cg = c / groups;
    let og = o / groups;
    let first = (cc / cg) * og;
    let local = cc % cg;
    // In padded coordinates, so that every difference below stays non-negative.
    let rp = p + pad;
    let rq = q + pad;
    let mut acc = 0.0f32;
    for oo in 0..og {
        let oc = first + oo;
        let dy_plane = (b * o + oc) * ho * wo;
        let w_base = (oc * cg + local) * k * k;
        #[unroll]
        for a in 0..k {
            if rp >= a && rp - a < ho {
                #[unroll]
                for bb in 0..k {
                    if rq >= bb && rq - bb < wo {
                        acc += dy[dy_plane + (rp - a) * wo + rq - bb] * weight[w_base + a * k + bb];
                    }
                }
            }
        }
    }
    dx[pos] = acc;
}

/// One cube per weight element `[oc, local, a, bb]`, summing over the batch's output pixels.
#[cube(launch)]
fn backward_weight_kernel(
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    sizes: Sizes,
    #[comptime] k: usize,
    #[comptime] units: usize,
) {
    let n = sizes.n as usize;
    let c = sizes.c as usize;
    let h = sizes.h as usize;
    let w = sizes.w as usize;
    let o = sizes.o as usize;
    let pad = sizes.pad as usize;
    let groups = sizes.groups as usize;
    let ho = h + 2 * pad + 1 - k;
    let wo = w + 2 * pad + 1 - k;
    let cg = c / groups;
    let e = CUBE_POS;
    // The whole cube leaves together, so the sum's barriers stay uniform.
    if e >= o * cg * k * k {
        terminate!();
    }
    let bb = e % k;
    let a = (e / k) % k;
    let local = (e / (k * k)) % cg;
    let oc = e / (k * k * cg);
    let cc = (oc / (o / groups)) * cg + local;
    // Each unit takes whole output rows (image b, row oy), so the index arithmetic is paid
    // once a row; of a row, the tap reads only the columns ox in [lo, hi) inside the image.
    let lo = select(bb < pad, pad - bb, 0);
    let hi = select(w + pad - bb < wo, w + pad - bb, wo);
    let rows = n * ho;
    let mut acc = 0.0f32;
    let mut r = UNIT_POS as usize;
    while r < rows {
        let b = r / ho;
        let row = r % ho + a;
        if row >= pad && row < h + pad {
            let dy_row = ((b * o + oc) * ho + r % ho) * wo;
            let x_row = ((b * c + cc) * h + row - pad) * w;
            for ox in lo..hi {
                acc += dy[dy_row + ox] * x[x_row + ox + bb - pad];
            }
        }
        r += units;
    }
    let total = cube_sum(acc, units);
    if UNIT_POS == 0 {
        dw[e] = total;
    }
}

/// One cube per output channel `oc`, summing `dy` over the batch's pixels.
#[cube(launch)]
fn backward_bias_kernel(dy: &[f32], db: &mut [f32], n: u32, o: u32, hw: u32, #[comptime] units: usize) {
    let (n, o, hw) = (n as usize, o as usize, hw as usize);
    let oc = CUBE_POS;
    // The whole cube leaves together, so the sum's barriers stay uniform.
    if oc >= o {
        terminate!();
    }
    let mut acc = 0.0f32;
    let mut i = UNIT_POS as usize;
    while i < n * hw {
        acc += dy[((i / hw) * o + oc) * hw + i % hw];
        i += units;
    }
    let total = cube_sum(acc, units);
    if UNIT_POS == 0 {
        db[oc] = total;
    }
}
