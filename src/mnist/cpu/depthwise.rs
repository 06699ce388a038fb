//! A depthwise convolution for the CPU (one k×k filter per channel, stride 1, zero padding,
//! no bias), forward and both gradients, as direct loops over each channel's plane.
//!
//! Why: with burn's grouped convolution the separable `compact` model's training step took
//! 2.2× as long as with this kernel. A depthwise filter is 9 numbers per channel, so there
//! is nothing for a matrix product to gain: each kernel tap adds a shifted copy of the plane,
//! scaled, and its gradients are the same walk read the other way round:
//!
//! ```text
//! y[p]         += w[t] · x[p + t]        forward, for every tap t and output pixel p
//! dx[p + t]    += w[t] · dy[p]           input gradient
//! dw[t]        += Σ_p dy[p] · x[p + t]   weight gradient, summed over the batch
//! ```
//!
//! The shifted runs that stay inside the image are [`conv::for_each_run`]'s, on one channel.

use super::conv::{self, ConvShape};
use super::parallel;

/// One channel's plane of a depthwise convolution, as a one-channel convolution.
fn plane(s: &ConvShape) -> ConvShape {
    ConvShape { n: 1, c: 1, o: 1, ..*s }
}

/// `y = depthwise(x, weight)`: `x` `[n, c, h, w]`, `weight` `[c, 1, k, k]`; returns
/// `[n, c, ho, wo]`.
pub fn forward(x: &[f32], weight: &[f32], s: &ConvShape) -> Vec<f32> {
    add_shifted(x, weight, s, false)
}

/// The input gradient, `[n, c, h, w]`, from `dy` `[n, c, ho, wo]`.
pub fn backward_x(dy: &[f32], weight: &[f32], s: &ConvShape) -> Vec<f32> {
    add_shifted(dy, weight, s, true)
}

/// Each plane of `src` times each tap's weight, added at the tap's shift: onto the output
/// from the input (forward), or with the roles swapped (`to_input`: the input gradient).
fn add_shifted(src: &[f32], weight: &[f32], s: &ConvShape, to_input: bool) -> Vec<f32> {
    let (p, taps) = (plane(s), s.k * s.k);
    let (hw, l) = (s.h * s.w, s.out_h() * s.out_w());
    let (src_len, dst_len) = if to_input { (l, hw) } else { (hw, l) };
    let mut dst = vec![0.0; s.n * s.c * dst_len];
    parallel::for_each_chunk(&mut dst, dst_len, |i, dst_plane| {
        let (src_plane, w) = (&src[i * src_len..][..src_len], &weight[(i % s.c) * taps..][..taps]);
        conv::for_each_run(&p, |tap, input, at, len| {
            let (from, to) = if to_input { (at, input) } else { (input, at) };
            for (d, v) in dst_plane[to..][..len].iter_mut().zip(&src_plane[from..][..len]) {
                *d += w[tap] * v;
            }
        });
    });
    dst
}

/// The weight gradient `[c, 1, k, k]`, summed over the batch.
pub fn backward_weight(x: &[f32], dy: &[f32], s: &ConvShape) -> Vec<f32> {
    let (p, taps) = (plane(s), s.k * s.k);
    let (hw, l) = (s.h * s.w, s.out_h() * s.out_w());
    parallel::sum_over_images(s.n, s.c * taps, 0, |i, dw, _| {
        for (ch, dw) in dw.chunks_exact_mut(taps).enumerate() {
            let plane_index = i * s.c + ch;
            let (x_plane, dy_plane) = (&x[plane_index * hw..][..hw], &dy[plane_index * l..][..l]);
            conv::for_each_run(&p, |tap, input, at, len| {
                dw[tap] += dy_plane[at..][..len]
                    .iter()
                    .zip(&x_plane[input..][..len])
                    .map(|(d, x)| d * x)
                    .sum::<f32>();
            });
        }
    })
}
