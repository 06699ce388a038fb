//! A depthwise convolution for the CPU (one k×k filter per channel, stride 1, zero padding,
//! no bias), forward and both gradients, as direct loops over each channel's plane.
//!
//! Why: with burn's grouped convolution the separable `compact` model's training step took
//! 2.2× as long as with this kernel. A depthwise filter is 9 numbers per channel, so there
//! is nothing for a matrix product to gain: each kernel tap adds a shifted copy of the plane,
//! scaled, and its gradients are the same sums read the other way round:
//!
//! ```text
//! y[p]         += w[t] · x[p + t]        forward, for every tap t and output pixel p
//! dx[p + t]    += w[t] · dy[p]           input gradient
//! dw[t]        += Σ_p dy[p] · x[p + t]   weight gradient, summed over the batch
//! ```
//!
//! Each plane is first copied into a zero border of the padding's width. Then a tap's shift
//! is one fixed offset into it, and a tap is one long pass over the whole plane (rows
//! included: the output is computed `padded width` pixels to a row, and the extra columns
//! dropped), rather than a short pass per row; at 7×7 a row is only 7 pixels long. The input
//! gradient is the forward pass of `dy` with the kernel turned 180° and the padding `k-1-pad`.

use crate::mnist::kernels::conv_geometry::ConvGeometry;
use super::{parallel, sum};

/// One plane with a zero border, and its output computed a padded row at a time.
#[derive(Clone, Copy)]
struct Padded {
    /// The source plane's rows and columns, before padding.
    h: usize,
    w: usize,
    pad: usize,
    k: usize,
}

impl Padded {
    /// A plane of the convolution's input, padded as the convolution pads it.
    fn input(s: &ConvGeometry) -> Self {
        Padded {
            h: s.h,
            w: s.w,
            pad: s.pad,
            k: s.k,
        }
    }
    /// Padded row length: also the output's row stride while it is computed.
    fn row(&self) -> usize {
        self.w + 2 * self.pad
    }
    fn out_h(&self) -> usize {
        self.h + 2 * self.pad + 1 - self.k
    }
    fn out_w(&self) -> usize {
        self.row() + 1 - self.k
    }
    /// The padded plane, plus `k-1` zeros so the last tap's pass stays inside.
    fn padded_len(&self) -> usize {
        (self.h + 2 * self.pad) * self.row() + self.k - 1
    }
    /// The output at the padded row stride.
    fn strided_len(&self) -> usize {
        self.out_h() * self.row()
    }
    /// Where tap `t` (row-major in the kernel) reads, relative to the output pixel.
    fn offset(&self, t: usize) -> usize {
        (t / self.k) * self.row() + t % self.k
    }

    /// Copy `src` (`h × w`) into the interior of `padded`; its border stays as it was (zero).
    fn fill(&self, src: &[f32], padded: &mut [f32]) {
        let row = self.row();
        for (y, line) in src.chunks_exact(self.w).enumerate() {
            padded[(y + self.pad) * row + self.pad..][..self.w].copy_from_slice(line);
        }
    }

    /// `strided[j] = Σ_t taps(t) · padded[j + offset(t)]`, then the valid columns of each
    /// strided row into `dst` (`out_h × out_w`).
    fn correlate(&self, padded: &[f32], taps: impl Fn(usize) -> f32, strided: &mut [f32], dst: &mut [f32]) {
        let len = self.strided_len();
        let strided = &mut strided[..len];
        for t in 0..self.k * self.k {
            let (w, src) = (taps(t), &padded[self.offset(t)..][..len]);
            if t == 0 {
                strided.iter_mut().zip(src).for_each(|(s, v)| *s = w * v);
            } else {
                strided.iter_mut().zip(src).for_each(|(s, v)| *s += w * v);
            }
        }
        for (line, out) in strided.chunks_exact(self.row()).zip(dst.chunks_exact_mut(self.out_w())) {
            out.copy_from_slice(&line[..self.out_w()]);
        }
    }
}

/// `y = depthwise(x, weight)`: `x` `[n, c, h, w]`, `weight` `[c, 1, k, k]`; returns
/// `[n, c, ho, wo]`.
pub fn forward(x: &[f32], weight: &[f32], s: &ConvGeometry) -> Vec<f32> {
    correlate_planes(x, weight, Padded::input(s), false)
}

/// The input gradient, `[n, c, h, w]`, from `dy` `[n, c, ho, wo]`.
pub fn backward_x(dy: &[f32], weight: &[f32], s: &ConvGeometry) -> Vec<f32> {
    let p = Padded {
        h: s.out_h(),
        w: s.out_w(),
        pad: s.k - 1 - s.pad,
        k: s.k,
    };
    correlate_planes(dy, weight, p, true)
}

/// Every plane of `src` correlated with its channel's filter (turned 180° if `flip`).
fn correlate_planes(src: &[f32], weight: &[f32], p: Padded, flip: bool) -> Vec<f32> {
    let (taps, c) = (p.k * p.k, weight.len() / (p.k * p.k));
    let (src_len, dst_len) = (p.h * p.w, p.out_h() * p.out_w());
    let mut dst = vec![0.0; src.len() / src_len * dst_len];
    let scratch = p.padded_len() + p.strided_len();
    parallel::for_each_chunk_with_scratch(&mut dst, dst_len, scratch, |i, dst_plane, scratch| {
        let (padded, strided) = scratch.split_at_mut(p.padded_len());
        p.fill(&src[i * src_len..][..src_len], padded);
        let w = &weight[(i % c) * taps..][..taps];
        let tap = |t: usize| if flip { w[taps - 1 - t] } else { w[t] };
        p.correlate(padded, tap, strided, dst_plane);
    });
    dst
}

/// The weight gradient `[c, 1, k, k]`, summed over the batch.
pub fn backward_weight(x: &[f32], dy: &[f32], s: &ConvGeometry) -> Vec<f32> {
    let p = Padded::input(s);
    let (taps, hw, l, row) = (s.k * s.k, s.h * s.w, s.out_h() * s.out_w(), p.row());
    let len = p.strided_len();
    parallel::sum_over_images(s.n, s.c * taps, p.padded_len() + len, |i, dw, scratch| {
        // `dy` at the padded row stride, its extra columns zero: then each tap is one dot
        // product with the padded input over the whole plane.
        let (padded, dy_strided) = scratch.split_at_mut(p.padded_len());
        for (ch, dw) in dw.chunks_exact_mut(taps).enumerate() {
            let plane = i * s.c + ch;
            p.fill(&x[plane * hw..][..hw], padded);
            for (line, out) in dy[plane * l..][..l]
                .chunks_exact(s.out_w())
                .zip(dy_strided.chunks_exact_mut(row))
            {
                out[..s.out_w()].copy_from_slice(line);
            }
            for (t, dw) in dw.iter_mut().enumerate() {
                *dw += sum::dot(dy_strided, &padded[p.offset(t)..][..len]);
            }
        }
    })
}
