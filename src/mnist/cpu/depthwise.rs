//! A depthwise convolution for the CPU (one k×k filter per channel, stride 1, zero padding,
//! no bias), forward and both gradients, as direct loops over each channel's plane.
//!
//! Why: with burn's grouped convolution the separable `compact` model's training step took
//! 2.2× as long as with this kernel. A depthwise filter is 9 numbers per channel, so there
//! is nothing for a matrix product to gain: each
//! kernel tap adds a shifted copy of the plane, scaled, and its gradients are the same walk
//! read the other way round:
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

/// The geometry of a depthwise convolution, in [`ConvShape`]'s terms: `o == c`.
fn plane(s: &ConvShape) -> ConvShape {
    ConvShape { n: 1, c: 1, o: 1, ..*s }
}

/// `y = depthwise(x, weight)`: `x` `[n, c, h, w]`, `weight` `[c, 1, k, k]`; returns
/// `[n, c, ho, wo]`.
pub fn forward(x: &[f32], weight: &[f32], s: &ConvShape) -> Vec<f32> {
    let (p, taps) = (plane(s), s.k * s.k);
    let (hw, l) = (s.h * s.w, s.out_h() * s.out_w());
    let mut y = vec![0.0; s.n * s.c * l];
    parallel::for_each_chunk(&mut y, l, |i, y_plane| {
        let (x_plane, w) = (&x[i * hw..][..hw], &weight[(i % s.c) * taps..][..taps]);
        conv::for_each_run(&p, |tap, input, at, len| {
            for (y, x) in y_plane[at..][..len].iter_mut().zip(&x_plane[input..][..len]) {
                *y += w[tap] * x;
            }
        });
    });
    y
}

/// The input gradient, `[n, c, h, w]`, from `dy` `[n, c, ho, wo]`.
pub fn backward_x(dy: &[f32], weight: &[f32], s: &ConvShape) -> Vec<f32> {
    let (p, taps) = (plane(s), s.k * s.k);
    let (hw, l) = (s.h * s.w, s.out_h() * s.out_w());
    let mut dx = vec![0.0; s.n * s.c * hw];
    parallel::for_each_chunk(&mut dx, hw, |i, dx_plane| {
        let (dy_plane, w) = (&dy[i * l..][..l], &weight[(i % s.c) * taps..][..taps]);
        conv::for_each_run(&p, |tap, input, at, len| {
            for (dx, dy) in dx_plane[input..][..len].iter_mut().zip(&dy_plane[at..][..len]) {
                *dx += w[tap] * dy;
            }
        });
    });
    dx
}

/// The weight gradient `[c, 1, k, k]`, summed over the batch.
pub fn backward_weight(x: &[f32], dy: &[f32], s: &ConvShape) -> Vec<f32> {
    let (p, taps) = (plane(s), s.k * s.k);
    let (hw, l) = (s.h * s.w, s.out_h() * s.out_w());
    // As in conv::backward_weight: fixed groups of images, their sums added in order, so the
    // result does not depend on the thread count.
    const IMAGES_PER_SUM: usize = 8;
    let partial = parallel::map(s.n.div_ceil(IMAGES_PER_SUM), |group| {
        let mut dw = vec![0.0f32; s.c * taps];
        for i in group * IMAGES_PER_SUM..((group + 1) * IMAGES_PER_SUM).min(s.n) {
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
        }
        dw
    });
    let mut dw = vec![0.0; s.c * taps];
    for part in partial {
        dw.iter_mut().zip(part).for_each(|(a, b)| *a += b);
    }
    dw
}
