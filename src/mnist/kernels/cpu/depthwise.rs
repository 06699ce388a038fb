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
//! is one fixed offset into it, and the taps are summed in one long pass over the whole plane
//! (rows included: the output is computed `padded width` pixels to a row, and the extra
//! columns dropped), rather than a short pass per row; at 7×7 a row is only 7 pixels long. The
//! input gradient is the forward pass of `dy` with the kernel turned 180° and the padding
//! `k-1-pad`.

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
        let strided = &mut strided[..self.strided_len()];
        match self.k {
            3 => self.all_taps::<9>(padded, &taps, strided),
            5 => self.all_taps::<25>(padded, &taps, strided),
            _ => self.tap_by_tap(padded, &taps, strided),
        }
        for (line, out) in strided.chunks_exact(self.row()).zip(dst.chunks_exact_mut(self.out_w())) {
            out.copy_from_slice(&line[..self.out_w()]);
        }
    }

    /// The sum one tap at a time: a pass over the whole plane per tap, for any kernel size.
    fn tap_by_tap(&self, padded: &[f32], taps: impl Fn(usize) -> f32, strided: &mut [f32]) {
        for t in 0..self.k * self.k {
            let (w, src) = (taps(t), &padded[self.offset(t)..][..strided.len()]);
            if t == 0 {
                strided.iter_mut().zip(src).for_each(|(s, v)| *s = w * v);
            } else {
                strided.iter_mut().zip(src).for_each(|(s, v)| *s += w * v);
            }
        }
    }

    /// The same sum for a kernel of `N` taps known when compiling: all taps in one pass, the
    /// sum kept in a register, where [`Padded::tap_by_tap`] reads and writes `strided` `N`
    /// times (in wasm that was a sixth of a `quick` step). Each pixel's sum is added in the
    /// same order, tap by tap, so the result is the same to the bit.
    fn all_taps<const N: usize>(&self, padded: &[f32], taps: impl Fn(usize) -> f32, strided: &mut [f32]) {
        let len = strided.len();
        let w: [f32; N] = std::array::from_fn(&taps);
        let src: [&[f32]; N] = std::array::from_fn(|t| &padded[self.offset(t)..][..len]);
        for (j, s) in strided.iter_mut().enumerate() {
            let mut sum = w[0] * src[0][j];
            for t in 1..N {
                sum += w[t] * src[t][j];
            }
            *s = sum;
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

#[cfg(test)]
mod tests {
    use super::Padded;

    fn noise(len: usize, mut seed: u32) -> Vec<f32> {
        (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / 16_777_216.0 - 0.5
            })
            .collect()
    }

    /// Training runs recorded before the one-pass sum must replay exactly: both sums agree to
    /// the bit for the kernel sizes that have one.
    #[test]
    fn all_taps_sums_as_tap_by_tap_does() {
        for (k, pad) in [(3, 1), (3, 0), (5, 2)] {
            let p = Padded { h: 9, w: 7, pad, k };
            let padded = noise(p.padded_len(), 7);
            let taps = |t: usize| 0.3 - 0.07 * t as f32;
            let (mut one, mut each) = (vec![0.0; p.strided_len()], vec![0.0; p.strided_len()]);
            match k {
                3 => p.all_taps::<9>(&padded, taps, &mut one),
                _ => p.all_taps::<25>(&padded, taps, &mut one),
            }
            p.tap_by_tap(&padded, taps, &mut each);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&one), bits(&each), "k = {k}, pad = {pad}");
        }
    }
}
