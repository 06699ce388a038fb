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
/// window's maximum is found again and gets `dy`; the rest of `dx` is zero.
pub fn backward(x: &[f32], dy: &[f32], s: &PoolShape) -> Vec<f32> {
    let (in_len, out_len, wo, w) = (s.c * s.h * s.w, s.c * s.out_h() * s.out_w(), s.out_w(), s.w);
    // Zeroed for an odd last row or column, which no window covers.
    let mut dx = vec![0.0; x.len()];
    parallel::for_each_chunk(&mut dx, in_len, |i, dx_i| {
        let dy_i = &dy[i * out_len..][..out_len];
        s.for_each_row_pair(&x[i * in_len..][..in_len], |row, first, top, bottom| {
            let (dx_top, rest) = dx_i[first..].split_at_mut(w);
            route(top, bottom, &dy_i[row * wo..][..wo], &mut dx_top[..2 * wo], &mut rest[..2 * wo]);
        });
    });
    dx
}

/// One row of windows: each window's gradient `dy` to the pixel that won it, zero to its other
/// three. Every pixel is written, as a select, so a row's windows can run in SIMD lanes (wasm:
/// [`simd::route`], four at a time; where the compiler is left to vectorise the scalar loop, it
/// does not, for the pairs written interleaved).
fn route(top: &[f32], bottom: &[f32], dy: &[f32], dx_top: &mut [f32], dx_bottom: &mut [f32]) {
    #[cfg(target_arch = "wasm32")]
    let done = simd::route(top, bottom, dy, dx_top, dx_bottom);
    #[cfg(not(target_arch = "wasm32"))]
    let done = 0;
    route_from(done, top, bottom, dy, dx_top, dx_bottom);
}

/// [`route`]'s windows from `first` on, one at a time.
fn route_from(first: usize, top: &[f32], bottom: &[f32], dy: &[f32], dx_top: &mut [f32], dx_bottom: &mut [f32]) {
    for ox in first..dy.len() {
        let (_, lower, right) = window(top[2 * ox], top[2 * ox + 1], bottom[2 * ox], bottom[2 * ox + 1]);
        let at = |yes: bool| pick(yes, dy[ox], 0.0);
        dx_top[2 * ox] = at(!lower & !right);
        dx_top[2 * ox + 1] = at(!lower & right);
        dx_bottom[2 * ox] = at(lower & !right);
        dx_bottom[2 * ox + 1] = at(lower & right);
    }
}

/// [`route`] for four windows at a time in wasm's 128-bit vectors: [`window`]'s tournament,
/// lane by lane, on the even (left) and odd (right) pixels of the two rows, and the four
/// gradients woven back into pixel order. The same selects, so the same bits.
#[cfg(target_arch = "wasm32")]
mod simd {
    use core::arch::wasm32::*;

    /// [`super::wins`] in each lane: all ones where `then` beats `first`.
    #[inline]
    fn wins(first: v128, then: v128) -> v128 {
        v128_or(f32x4_gt(then, first), f32x4_ne(then, then))
    }

    /// The first windows of the row, four at a time; returns how many it did.
    pub fn route(top: &[f32], bottom: &[f32], dy: &[f32], dx_top: &mut [f32], dx_bottom: &mut [f32]) -> usize {
        let done = dy.len() / 4 * 4;
        assert!(top.len().min(bottom.len()).min(dx_top.len()).min(dx_bottom.len()) >= 2 * done, "pool: rows too short");
        // Four values from `at` on. SAFETY, for both: every call below stays inside its slice.
        // The rows are read and written at `2q..2q + 8`, which ends by `2 * done` (asserted
        // above), `dy` at `q..q + 4`, which ends by `done <= dy.len()`.
        let load = |s: &[f32], at: usize| unsafe { v128_load(s.as_ptr().add(at).cast()) };
        let store = |s: &mut [f32], at: usize, v: v128| unsafe { v128_store(s.as_mut_ptr().add(at).cast(), v) };
        for q in (0..done).step_by(4) {
            let (t0, t1, b0, b1) = (load(top, 2 * q), load(top, 2 * q + 4), load(bottom, 2 * q), load(bottom, 2 * q + 4));
            // Four windows' pixels: top left, top right, bottom left, bottom right.
            let (a, b) = (i32x4_shuffle::<0, 2, 4, 6>(t0, t1), i32x4_shuffle::<1, 3, 5, 7>(t0, t1));
            let (c, d) = (i32x4_shuffle::<0, 2, 4, 6>(b0, b1), i32x4_shuffle::<1, 3, 5, 7>(b0, b1));
            let right = wins(a, b);
            let bottom_right = wins(c, d);
            let lower = wins(v128_bitselect(b, a, right), v128_bitselect(d, c, bottom_right));
            let right = v128_bitselect(bottom_right, right, lower);
            let g = load(dy, q);
            let (up, down) = (v128_andnot(g, lower), v128_and(g, lower));
            let (tl, tr) = (v128_andnot(up, right), v128_and(up, right));
            let (bl, br) = (v128_andnot(down, right), v128_and(down, right));
            store(dx_top, 2 * q, i32x4_shuffle::<0, 4, 1, 5>(tl, tr));
            store(dx_top, 2 * q + 4, i32x4_shuffle::<2, 6, 3, 7>(tl, tr));
            store(dx_bottom, 2 * q, i32x4_shuffle::<0, 4, 1, 5>(bl, br));
            store(dx_bottom, 2 * q + 4, i32x4_shuffle::<2, 6, 3, 7>(bl, br));
        }
        done
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    // In the browsers `wasm-pack test` drives (scripts/test.sh), where students meet this code;
    // without it the runner would want node, and skip the library's tests there. (It configures
    // the library's whole test binary, which holds no other wasm test.)
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// The page's pooling gradient is wasm's four-lane one: it must route every gradient where
    /// the one-window-at-a-time loop does (which `tests/cpu.rs` holds to burn's), ties and NaN
    /// included, for rows of every length (a tail of 0 to 3 windows).
    #[wasm_bindgen_test]
    fn four_lanes_route_as_one_window_at_a_time() {
        let mut seed = 12_345u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            seed >> 8
        };
        for wo in 1..=17 {
            // Three levels after a ReLU: most windows hold a tie.
            let mut rows: Vec<f32> = (0..4 * wo).map(|_| (next() % 3) as f32).collect();
            rows[next() as usize % (4 * wo)] = f32::NAN;
            let (top, bottom) = rows.split_at(2 * wo);
            let dy: Vec<f32> = (0..wo).map(|_| next() as f32 / 16_777_216.0 - 0.5).collect();
            let mut lanes = vec![f32::NAN; 4 * wo];
            let mut single = vec![f32::NAN; 4 * wo];
            {
                let (t, b) = lanes.split_at_mut(2 * wo);
                super::route(top, bottom, &dy, t, b);
                let (t, b) = single.split_at_mut(2 * wo);
                super::route_from(0, top, bottom, &dy, t, b);
            }
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&lanes), bits(&single), "{wo} windows");
        }
    }
}
