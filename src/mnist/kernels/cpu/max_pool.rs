//! 2×2 max pooling with stride 2 for the CPU, forward and backward.
//!
//! Why: burn's Flex backend pools through one general routine (any window, stride, padding,
//! dilation, in up to three dimensions) that works out each output pixel's window bounds and
//! records its position as an index tensor; that took a tenth of the separable `compact`
//! model's training step. A 2×2 window is four reads:
//!
//! ```text
//! y[oy, ox]  = max of x[2oy, 2ox], x[2oy, 2ox+1], x[2oy+1, 2ox], x[2oy+1, 2ox+1]
//! dx         = dy at each window's maximum, zero elsewhere
//! ```
//!
//! The backward pass finds each maximum again in the input instead of keeping its position.
//! Ties go to the first of the four in that order and a NaN always wins, as in burn and
//! PyTorch, so the gradient lands where theirs does. An odd last row or column is dropped.

use super::parallel;

/// A batch of `n` images of `c × h × w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolShape {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
}

impl PoolShape {
    pub fn out_h(&self) -> usize {
        self.h / 2
    }
    pub fn out_w(&self) -> usize {
        self.w / 2
    }

    /// For each window of image `x_i` (`c` planes), in output order: `f(output index, input
    /// index of the window's maximum)`.
    fn for_each_max(&self, x_i: &[f32], mut f: impl FnMut(usize, usize)) {
        let (ho, wo, w) = (self.out_h(), self.out_w(), self.w);
        for ch in 0..self.c {
            for oy in 0..ho {
                for ox in 0..wo {
                    let top_left = ch * self.h * w + 2 * oy * w + 2 * ox;
                    let (mut best, mut max) = (top_left, x_i[top_left]);
                    for at in [top_left + 1, top_left + w, top_left + w + 1] {
                        // Selects, not branches: after a ReLU which one wins is a coin toss
                        // that a branch predictor keeps losing.
                        let v = x_i[at];
                        let wins = (v > max) | v.is_nan();
                        best = if wins { at } else { best };
                        max = if wins { v } else { max };
                    }
                    f((ch * ho + oy) * wo + ox, best);
                }
            }
        }
    }
}

/// `y = max_pool(x)`: `x` `[n, c, h, w]` → `[n, c, h/2, w/2]`.
pub fn forward(x: &[f32], s: &PoolShape) -> Vec<f32> {
    let (in_len, out_len) = (s.c * s.h * s.w, s.c * s.out_h() * s.out_w());
    let mut y = vec![0.0; s.n * out_len];
    parallel::for_each_chunk(&mut y, out_len, |i, y_i| {
        let x_i = &x[i * in_len..][..in_len];
        s.for_each_max(x_i, |out, at| y_i[out] = x_i[at]);
    });
    y
}

/// The input gradient `[n, c, h, w]` from the input `x` and the output gradient `dy`.
pub fn backward(x: &[f32], dy: &[f32], s: &PoolShape) -> Vec<f32> {
    let (in_len, out_len) = (s.c * s.h * s.w, s.c * s.out_h() * s.out_w());
    let mut dx = vec![0.0; x.len()];
    parallel::for_each_chunk(&mut dx, in_len, |i, dx_i| {
        let dy_i = &dy[i * out_len..][..out_len];
        s.for_each_max(&x[i * in_len..][..in_len], |out, at| dx_i[at] = dy_i[out]);
    });
    dx
}
