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
//! The bias is left to burn (a broadcast add that fusion folds into the next elementwise op).

use burn_cubecl::cubecl;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::reduce::{cube_sum, UNITS};
use super::{elementwise, launch_cubes, output, ready};

/// A convolution's sizes: a batch of `n` images `c × h × w`, `o` output channels of `k × k`
/// filters over `c / groups` channels each, zero padding `pad`, stride 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub o: usize,
    pub k: usize,
    pub pad: usize,
    pub groups: usize,
}

impl Geometry {
    /// From the input's shape and the weight's (`[o, c / groups, k, k]`).
    pub fn of_input(x: [usize; 4], weight: [usize; 4], pad: usize, groups: usize) -> Self {
        let [n, c, h, w] = x;
        Geometry { n, c, h, w, o: weight[0], k: weight[2], pad, groups }
    }

    /// From the output gradient's shape and the weight's: the input's size follows.
    pub fn of_output(dy: [usize; 4], weight: [usize; 4], pad: usize, groups: usize) -> Self {
        let [n, o, ho, wo] = dy;
        let k = weight[2];
        Geometry { n, c: weight[1] * groups, h: ho + k - 1 - 2 * pad, w: wo + k - 1 - 2 * pad, o, k, pad, groups }
    }

    /// From the input's shape and the output gradient's: the filter size follows.
    pub fn of_both(x: [usize; 4], dy: [usize; 4], pad: usize, groups: usize) -> Self {
        let [n, c, h, w] = x;
        Geometry { n, c, h, w, o: dy[1], k: h + 2 * pad + 1 - dy[2], pad, groups }
    }

    pub fn out_h(&self) -> usize {
        self.h + 2 * self.pad + 1 - self.k
    }

    pub fn out_w(&self) -> usize {
        self.w + 2 * self.pad + 1 - self.k
    }

    pub fn input(&self) -> [usize; 4] {
        [self.n, self.c, self.h, self.w]
    }

    pub fn output(&self) -> [usize; 4] {
        [self.n, self.o, self.out_h(), self.out_w()]
    }

    pub fn weight(&self) -> [usize; 4] {
        [self.o, self.c / self.groups, self.k, self.k]
    }

    /// What the kernels take of it (the filter size goes as a comptime value, to unroll by).
    fn sizes(&self) -> SizesLaunch {
        let [n, c, h, w, o, pad, groups] = [self.n, self.c, self.h, self.w, self.o, self.pad, self.groups].map(|v| v as u32);
        SizesLaunch::new(n, c, h, w, o, pad, groups)
    }
}

/// A [`Geometry`] as the kernels get it.
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

/// `y = conv(x, weight)`.
pub fn forward(x: CubeTensor, weight: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
    let (x, weight) = (ready(x), ready(weight));
    let g = Geometry::of_input(dims(&x), dims(&weight), pad, groups);
    let y = output(&x, g.output());
    let (client, count, dim) = elementwise(&x, g.output().iter().product());
    forward_kernel::launch(
        &client,
        count,
        dim,
        x.into_buffer_arg(),
        weight.into_buffer_arg(),
        y.clone().into_buffer_arg(),
        g.sizes(),
        g.k,
    );
    y
}

/// The input gradient `[n, c, h, w]` from the output gradient and the weight.
pub fn backward_x(dy: CubeTensor, weight: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
    let (dy, weight) = (ready(dy), ready(weight));
    let g = Geometry::of_output(dims(&dy), dims(&weight), pad, groups);
    let dx = output(&dy, g.input());
    let (client, count, dim) = elementwise(&dy, g.input().iter().product());
    backward_x_kernel::launch(
        &client,
        count,
        dim,
        dy.into_buffer_arg(),
        weight.into_buffer_arg(),
        dx.clone().into_buffer_arg(),
        g.sizes(),
        g.k,
    );
    dx
}

/// The weight gradient `[o, c / groups, k, k]` from the input and the output gradient.
pub fn backward_weight(x: CubeTensor, dy: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
    let (x, dy) = (ready(x), ready(dy));
    let g = Geometry::of_both(dims(&x), dims(&dy), pad, groups);
    let dw = output(&x, g.weight());
    let (client, count, dim) = launch_cubes(&x, g.weight().iter().product());
    backward_weight_kernel::launch(
        &client,
        count,
        dim,
        x.into_buffer_arg(),
        dy.into_buffer_arg(),
        dw.clone().into_buffer_arg(),
        g.sizes(),
        g.k,
        UNITS,
    );
    dw
}

fn dims(t: &CubeTensor) -> [usize; 4] {
    t.meta.shape().dims::<4>()
}

/// One unit per output element `[b, oc, oy, ox]`.
#[cube(launch)]
fn forward_kernel(
    x: &[f32],
    weight: &[f32],
    y: &mut [f32],
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
