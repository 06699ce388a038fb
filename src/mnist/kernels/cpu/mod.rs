//! Our CPU kernels: the layer operations of [`LayerKernels`] and [`LayerGrads`] on burn's Flex
//! backend, as plain loops and matrix products over `f32` slices. Recording them for autodiff
//! is `kernels::autodiff`'s, for both devices.
//!
//! - [`conv`]: full convolution as im2col + matrix products.
//! - [`depthwise`]: depthwise convolution (one filter per channel) as direct loops.
//! - [`batch_norm`]: batch statistics read in place, two passes each way.
//! - [`max_pool`]: 2×2 max pooling, four reads a window.
//! - [`dropout`]: the random keep/drop mask, from a fast generator.
//! - `parallel`: how a batch is split over threads (not at all in wasm).
//! - `sum`: sums the compiler can vectorise.
//!
//! All are checked against burn's layers (the convolution also against finite
//! differences) in `tests/cpu.rs`.

pub mod batch_norm;
pub mod conv;
pub mod depthwise;
pub mod dropout;
pub mod max_pool;
mod parallel;
mod sum;

use std::borrow::Cow;

use burn::backend::flex::FlexTensor;
use burn::backend::Flex;
use burn::tensor::{Shape, TensorData};

use crate::mnist::kernels::conv_geometry::ConvGeometry;
use crate::mnist::kernels::ops::{BatchNormGrads, BatchNormOut, Bias, LayerGrads, LayerKernels};
use batch_norm::BatchShape;
use max_pool::PoolShape;

impl LayerKernels for Flex {
    fn conv_forward(x: FlexTensor, weight: FlexTensor, bias: Bias<Self>, pad: usize, groups: usize) -> FlexTensor {
        let s = geometry(dims4(&x), dims4(&weight), pad, groups);
        let bias = match &bias {
            Bias::Some(b) => Some(values(b)),
            Bias::None => None,
        };
        assert!(bias.as_ref().is_none_or(|b| b.len() == s.o), "conv: the bias is not one value per output channel");
        let y = if groups == 1 {
            conv::forward(&values(&x), &values(&weight), bias.as_deref(), &s)
        } else {
            let mut y = depthwise::forward(&values(&x), &values(&weight), &s);
            if let Some(bias) = bias.as_deref() {
                parallel::for_each_chunk(&mut y, s.o * s.out_h() * s.out_w(), |_, y_i| conv::add_bias(y_i, bias));
            }
            y
        };
        flex(s.output(), y)
    }

    fn batch_norm_forward(x: FlexTensor, gamma: FlexTensor, beta: FlexTensor, epsilon: f64) -> BatchNormOut<Self> {
        let (shape, s) = batch_shape(&x);
        let (y, mean, var) = batch_norm::forward(&values(&x), &values(&gamma), &values(&beta), epsilon, &s);
        BatchNormOut { output: flex(shape, y), mean: flex([s.c], mean), var: flex([s.c], var) }
    }

    fn max_pool_forward(x: FlexTensor) -> FlexTensor {
        let s = pool_shape(&x);
        flex([s.n, s.c, s.out_h(), s.out_w()], max_pool::forward(&values(&x), &s))
    }

    fn dropout_mask(like: FlexTensor, seed: FlexTensor, keep: f64) -> FlexTensor {
        // Two uniform draws in [0, 1) of 24 bits each make the generator's 48-bit seed.
        let bits = values(&seed).iter().fold(0u64, |acc, u| (acc << 24) | (u * 16_777_216.0) as u64);
        let shape = dims4(&like);
        flex(shape, dropout::mask(shape.iter().product(), keep, bits))
    }
}

impl LayerGrads for Flex {
    fn conv_grad_x(dy: FlexTensor, weight: FlexTensor, pad: usize, groups: usize) -> FlexTensor {
        let s = ConvGeometry::of_output(dims4(&dy), dims4(&weight), pad, groups);
        let (dy, weight) = (values(&dy), values(&weight));
        let dx = if groups == 1 { conv::backward_x(&dy, &weight, &s) } else { depthwise::backward_x(&dy, &weight, &s) };
        flex(s.input(), dx)
    }

    fn conv_grad_weight(x: FlexTensor, dy: FlexTensor, pad: usize, groups: usize) -> FlexTensor {
        let s = ConvGeometry::of_both(dims4(&x), dims4(&dy), pad, groups);
        let (x, dy) = (values(&x), values(&dy));
        let dw = if groups == 1 { conv::backward_weight(&x, &dy, &s) } else { depthwise::backward_weight(&x, &dy, &s) };
        flex(s.weight(), dw)
    }

    fn conv_grad_bias(dy: FlexTensor) -> FlexTensor {
        let shape = dims4(&dy);
        flex([shape[1]], conv::backward_bias(&values(&dy), shape))
    }

    fn batch_norm_grads(
        x: FlexTensor,
        gamma: FlexTensor,
        mean: FlexTensor,
        var: FlexTensor,
        dy: FlexTensor,
        epsilon: f64,
    ) -> BatchNormGrads<Self> {
        let (shape, s) = batch_shape(&x);
        let (dx, dgamma, dbeta) = batch_norm::backward(
            &values(&x),
            &values(&gamma),
            &values(&mean),
            &values(&var),
            epsilon,
            &values(&dy),
            &s,
        );
        BatchNormGrads { x: flex(shape, dx), gamma: flex([s.c], dgamma), beta: flex([s.c], dbeta) }
    }

    fn max_pool_grad(x: FlexTensor, dy: FlexTensor) -> FlexTensor {
        let s = pool_shape(&x);
        flex([s.n, s.c, s.h, s.w], max_pool::backward(&values(&x), &values(&dy), &s))
    }
}

/// The convolution's geometry from its operands' shapes. The layers only send operands that
/// fit (`Kernels::covers_conv`); the check here guards direct callers (a misfit would index
/// out of bounds below).
fn geometry(x: [usize; 4], weight: [usize; 4], pad: usize, groups: usize) -> ConvGeometry {
    let s = ConvGeometry::of_input(x, weight, pad, groups);
    assert!(
        covers_conv(s.c, s.o, groups) && ConvGeometry::fits(x, weight, pad, groups),
        "conv: weight {weight:?} in {groups} groups does not fit input {x:?} with padding {pad}"
    );
    s
}

/// The convolutions these kernels compute: full ones (a matrix product) and depthwise ones
/// (direct loops), nothing in between.
pub fn covers_conv(c: usize, o: usize, groups: usize) -> bool {
    groups == 1 || (groups == c && o == c)
}

fn pool_shape(x: &FlexTensor) -> PoolShape {
    let [n, c, h, w] = dims4(x);
    PoolShape { n, c, h, w }
}

fn batch_shape(x: &FlexTensor) -> ([usize; 4], BatchShape) {
    let [n, c, h, w] = dims4(x);
    ([n, c, h, w], BatchShape { n, c, hw: h * w })
}

/// A 4-d tensor's shape (the public wrappers take `Tensor<4>`, so it always is one).
fn dims4(t: &FlexTensor) -> [usize; 4] {
    t.layout().shape().dims::<4>()
}

/// A tensor's values in row-major order: borrowed when it is stored that way already, else
/// laid out afresh. (The layer functions only route `f32` tensors here.)
fn values(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(v) => v.into(),
        None => Cow::Owned(t.to_contiguous().storage::<f32>().to_vec()),
    }
}

fn flex<const D: usize>(shape: [usize; D], values: Vec<f32>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, Shape::new(shape)))
}
