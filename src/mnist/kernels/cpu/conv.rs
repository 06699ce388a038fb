//! A stride-1 2-D convolution for the CPU, forward and both gradients, as im2col + matrix
//! products, one image at a time.
//!
//! Why: burn's Flex backend computes a convolution's input gradient as a transposed
//! convolution (a direct loop) and its weight gradient as a convolution over batch-swapped
//! copies of the input and the output gradient; on our small maps those two took most of a
//! training step. Written as matrix products on one image's "column" matrix, all three are
//! a few small `gemm`s on data that stays in cache:
//!
//! ```text
//! cols  = im2col(x)            [C·K·K, Ho·Wo]   each row: one input channel seen through one kernel tap
//! y     = W · cols             [O, Ho·Wo]       forward
//! y    += b                                     bias, per output channel
//! dW   += dy · colsᵀ           [O, C·K·K]       weight gradient, summed over the batch
//! db   += Σ dy                                  bias gradient, per output channel
//! dx    = col2im(Wᵀ · dy)                       input gradient: each tap's contribution added back
//! ```
//!
//! Everything is plain `f32` slices in NCHW order; [`super`] connects it to burn.
//! The geometry is `groups == 1`'s; depthwise convolutions have their own (`super::depthwise`).

use super::{parallel, sum};
use crate::mnist::kernels::conv_geometry::ConvGeometry;

/// What the column matrix takes of a full convolution's geometry (`groups == 1`).
impl ConvGeometry {
    /// Output pixels per image (columns of the column matrix).
    fn l(&self) -> usize {
        self.out_h() * self.out_w()
    }
    /// Rows of the column matrix: one per (input channel, kernel tap).
    fn rows(&self) -> usize {
        self.c * self.k * self.k
    }
    fn in_len(&self) -> usize {
        self.c * self.h * self.w
    }
    fn out_len(&self) -> usize {
        self.o * self.l()
    }
    /// The column matrix's size; none needed when the image already is its column matrix.
    fn scratch_len(&self) -> usize {
        if self.is_pointwise() {
            0
        } else {
            self.rows() * self.l()
        }
    }
    /// A 1×1 kernel without padding: the image already is its column matrix.
    fn is_pointwise(&self) -> bool {
        self.k == 1 && self.pad == 0
    }
}

/// For kernel offset `kk` and padding `pad`, the output positions `lo..hi` (of `out` many)
/// whose input position `o + kk - pad` falls inside `0..size`.
fn valid_range(kk: usize, pad: usize, size: usize, out: usize) -> (usize, usize) {
    let lo = pad.saturating_sub(kk).min(out);
    let hi = (size + pad).saturating_sub(kk).min(out).max(lo);
    (lo, hi)
}

/// The runs of one image's column matrix that see real input (the rest is zero padding):
/// `f(row, input offset, offset in the row, length)` for each, where the row is one
/// (channel, kernel tap) and a run is one output line's in-bounds stretch of it.
fn for_each_run(s: &ConvGeometry, mut f: impl FnMut(usize, usize, usize, usize)) {
    let (ho, wo) = (s.out_h(), s.out_w());
    for ch in 0..s.c {
        for ky in 0..s.k {
            let (y0, y1) = valid_range(ky, s.pad, s.h, ho);
            for kx in 0..s.k {
                let (x0, x1) = valid_range(kx, s.pad, s.w, wo);
                let row = (ch * s.k + ky) * s.k + kx;
                for oy in y0..y1 {
                    let input = ch * s.h * s.w + (oy + ky - s.pad) * s.w + x0 + kx - s.pad;
                    f(row, input, oy * wo + x0, x1 - x0);
                }
            }
        }
    }
}

/// One image `x` `[c, h, w]` to its column matrix `[c·k·k, ho·wo]`. Where the kernel hangs
/// over the padding `cols` must already hold zeros: a zeroed buffer that only `im2col` of
/// this shape has written to (it writes the same entries for every image). So each worker's
/// scratch is zeroed once per layer, not once per image (for `seed`, 10 % of a step).
fn im2col(x: &[f32], s: &ConvGeometry, cols: &mut [f32]) {
    let l = s.l();
    for_each_run(s, |row, input, at, len| {
        cols[row * l + at..][..len].copy_from_slice(&x[input..][..len]);
    });
}

/// One image's column matrix: the image itself for a pointwise conv, else [`im2col`] into
/// `scratch` (zeroed when allocated, reused for this shape only).
fn columns<'a>(x_i: &'a [f32], s: &ConvGeometry, scratch: &'a mut [f32]) -> &'a [f32] {
    if s.is_pointwise() {
        x_i
    } else {
        im2col(x_i, s, scratch);
        scratch
    }
}

/// The reverse of [`im2col`]: add each column-matrix entry back onto the input pixel it was
/// read from (pixels seen through several taps collect several contributions).
fn col2im_add(cols: &[f32], s: &ConvGeometry, dx: &mut [f32]) {
    let l = s.l();
    for_each_run(s, |row, input, at, len| {
        for (d, v) in dx[input..][..len].iter_mut().zip(&cols[row * l + at..][..len]) {
            *d += v;
        }
    });
}

/// A matrix view for [`matmul`]: `rows × cols`, element (i, j) at
/// `data[i * row_stride + j * col_stride]`. A transpose is the same data with the strides
/// swapped.
#[derive(Clone, Copy)]
struct Mat<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> Mat<'a> {
    /// The first `rows × cols` values of `data`, row-major.
    fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert!(data.len() >= rows * cols, "matrix data too short");
        Mat {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }
    fn t(self) -> Self {
        Mat {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }
}

/// `dst = a · b` (or `dst += a · b` with `accumulate`), `dst` row-major `a.rows × b.cols`.
fn matmul(dst: &mut [f32], a: Mat, b: Mat, accumulate: bool) {
    assert_eq!(a.cols, b.rows, "matmul: inner dimensions differ");
    assert!(dst.len() >= a.rows * b.cols, "matmul: destination too short");
    // SAFETY: `Mat::new` checked each operand's data covers its rows × cols (a transpose
    // covers the same elements), and `dst` is checked above; gemm reads and writes only there.
    unsafe {
        gemm::gemm(
            a.rows,
            b.cols,
            a.cols,
            dst.as_mut_ptr(),
            1,
            b.cols as isize,
            accumulate,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            1.0, // dst's own factor when accumulating
            1.0, // the product's factor
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `y = conv(x, weight) + bias`: `x` `[n, c, h, w]`, `weight` `[o, c, k, k]`, `bias` `[o]`
/// if any; returns `[n, o, ho, wo]`.
pub fn forward(x: &[f32], weight: &[f32], bias: Option<&[f32]>, s: &ConvGeometry) -> Vec<f32> {
    let (l, rows) = (s.l(), s.rows());
    let mut y = vec![0.0; s.n * s.out_len()];
    let w = Mat::new(weight, s.o, rows);
    parallel::for_each_chunk_with_scratch(&mut y, s.out_len(), s.scratch_len(), |i, y_i, cols| {
        let cols = columns(&x[i * s.in_len()..][..s.in_len()], s, cols);
        matmul(y_i, w, Mat::new(cols, rows, l), false);
        if let Some(bias) = bias {
            add_bias(y_i, bias);
        }
    });
    y
}

/// `y += b` per output channel, on one image's planes `[o, ho, wo]`.
pub fn add_bias(y_i: &mut [f32], bias: &[f32]) {
    let l = y_i.len() / bias.len();
    for (plane, b) in y_i.chunks_exact_mut(l).zip(bias) {
        plane.iter_mut().for_each(|v| *v += b);
    }
}

/// The input gradient: `dx = col2im(Wᵀ · dy)` per image; `dy` `[n, o, ho, wo]`.
pub fn backward_x(dy: &[f32], weight: &[f32], s: &ConvGeometry) -> Vec<f32> {
    let (l, rows) = (s.l(), s.rows());
    let mut dx = vec![0.0; s.n * s.in_len()];
    let wt = Mat::new(weight, s.o, rows).t();
    parallel::for_each_chunk_with_scratch(&mut dx, s.in_len(), s.scratch_len(), |i, dx_i, dcols| {
        let dy_i = Mat::new(&dy[i * s.out_len()..][..s.out_len()], s.o, l);
        if s.is_pointwise() {
            matmul(dx_i, wt, dy_i, false);
        } else {
            matmul(dcols, wt, dy_i, false);
            col2im_add(dcols, s, dx_i);
        }
    });
    dx
}

/// The weight gradient, summed over the batch: `dW = Σ dy · colsᵀ` `[o, c, k, k]`.
pub fn backward_weight(x: &[f32], dy: &[f32], s: &ConvGeometry) -> Vec<f32> {
    let (l, rows) = (s.l(), s.rows());
    parallel::sum_over_images(s.n, s.o * rows, s.scratch_len(), |i, dw, cols| {
        let cols = columns(&x[i * s.in_len()..][..s.in_len()], s, cols);
        let dy_i = &dy[i * s.out_len()..][..s.out_len()];
        matmul(dw, Mat::new(dy_i, s.o, l), Mat::new(cols, rows, l).t(), true);
    })
}

/// The bias gradient `db = Σ dy` over images and pixels, `[o]`, from `dy` `[n, o, ho, wo]`.
/// (Any convolution's: it reads only `dy`.)
pub fn backward_bias(dy: &[f32], [n, o, ho, wo]: [usize; 4]) -> Vec<f32> {
    let l = ho * wo;
    parallel::sum_over_images(n, o, 0, |i, db, _| {
        for (b, plane) in db.iter_mut().zip(dy[i * o * l..][..o * l].chunks_exact(l)) {
            *b += sum::sum_map(plane, |v| v);
        }
    })
}
