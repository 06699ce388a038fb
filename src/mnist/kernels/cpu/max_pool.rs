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

    /// Each output row's two input rows, cut to even length: `f(output row, where the top row
    /// starts in the image, top, bottom)` for every (channel, output row) of one image, `top`
    /// and `bottom` `2·out_w` long.
    fn for_each_row_pair<'a>(&self, x_i: &'a [f32], mut f: impl FnMut(usize, usize, &'a [f32], &'a [f32])) {
        let (ho, wo, w) = (self.out_h(), self.out_w(), self.w);
        for ch in 0..self.c {
            for oy in 0..ho {
                let top = ch * self.h * w + 2 * oy * w;
                f(ch * ho + oy, top, &x_i[top..][..2 * wo], &x_i[top + w..][..2 * wo]);
            }
        }
    }
}

/// Whether `then` beats `first`: it is larger, or a NaN (ties keep `first`).
#[inline]
fn wins(first: f32, then: f32) -> bool {
    (then > first) | then.is_nan()
}

/// One window's maximum as a two-round tournament — the top pair, the bottom pair, then the
/// two winners — which picks what reading the four in order (top left, top right, bottom
/// left, bottom right) picks: the first of equal maxima, or the NaN. With where it is: in the
/// bottom row or not, in the right column or not. Selects, not branches, all the way: after a
/// ReLU which one wins is a coin toss that a branch predictor keeps losing, and a row's
/// windows then run in SIMD lanes.
#[inline]
fn window(a: f32, b: f32, c: f32, d: f32) -> (f32, bool, bool) {
    let right = wins(a, b);
    let top = pick(right, b, a);
    let bottom_right = wins(c, d);
    let bottom = pick(bottom_right, d, c);
    let lower = wins(top, bottom);
    (pick(lower, bottom, top), lower, (lower & bottom_right) | (!lower & right))
}

/// `if yes { then } else { otherwise }`, chosen on the bits: x86 has a conditional move for
/// integers, where a float `if` compiles to a branch.
#[inline]
fn pick(yes: bool, then: f32, otherwise: f32) -> f32 {
    f32::from_bits(if yes { then.to_bits() } else { otherwise.to_bits() })
}

/// `y = max_pool(x)`: `x` `[n, c, h, w]` → `[n, c, h/2, w/2]`.
pub fn forward(x: &[f32], s: &PoolShape) -> Vec<f32> {
    let (in_len, out_len, wo) = (s.c * s.h * s.w, s.c * s.out_h() * s.out_w(), s.out_w());
    let mut y = vec![0.0; s.n * out_len];
    parallel::for_each_chunk(&mut y, out_len, |i, y_i| {
        s.for_each_row_pair(&x[i * in_len..][..in_len], |row, _, top, bottom| {
            for (ox, y) in y_i[row * wo..][..wo].iter_mut().enumerate() {
                *y = window(top[2 * ox], top[2 * ox + 1], bottom[2 * ox], bottom[2 * ox + 1]).0;
            }
        });
    });
    y
}

/// The input gradient `[n, c, h, w]` from the input `x` and the output gradient `dy`: each
/// window's maximum is found again and gets `dy`; the rest of `dx` stays zero.
pub fn backward(x: &[f32], dy: &[f32], s: &PoolShape) -> Vec<f32> {
    let (in_len, out_len, wo, w) = (s.c * s.h * s.w, s.c * s.out_h() * s.out_w(), s.out_w(), s.w);
    let mut dx = vec![0.0; x.len()];
    parallel::for_each_chunk(&mut dx, in_len, |i, dx_i| {
        let dy_i = &dy[i * out_len..][..out_len];
        s.for_each_row_pair(&x[i * in_len..][..in_len], |row, first, top, bottom| {
            for (ox, g) in dy_i[row * wo..][..wo].iter().enumerate() {
                let (_, lower, right) = window(top[2 * ox], top[2 * ox + 1], bottom[2 * ox], bottom[2 * ox + 1]);
                // One store, at an offset worked out rather than chosen.
                dx_i[first + usize::from(lower) * w + 2 * ox + usize::from(right)] = *g;
            }
        });
    });
    dx
}
