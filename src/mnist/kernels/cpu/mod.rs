//! Faster CPU kernels for the layers that dominate a training step, as burn operations with
//! their own backward passes: [`conv2d`], [`depthwise2d`], [`batch_norm_train`] and
//! [`max_pool2x2`]; and dropout's mask, [`dropout_mask`].
//!
//! burn lets a crate add operations to chosen backends (`#[backend_extension]`): here Flex,
//! and Flex under autodiff, whose backward steps call our gradient kernels. The model's layers
//! go through `mnist::model::layers`, which takes these on Flex.
//!
//! - [`conv`]: convolution as im2col + matrix products.
//! - [`depthwise`]: depthwise convolution (one filter per channel) as direct loops.
//! - [`batch_norm`]: batch statistics read in place, two passes each way.
//! - [`max_pool`]: 2×2 max pooling, four reads a window.
//! - [`dropout`]: the random keep/drop mask, from a fast generator.
//! - `autodiff`: the operations under autodiff, and their backward steps.
//! - `parallel`: how a batch is split over threads (not at all in wasm).
//! - `sum`: sums the compiler can vectorise.
//!
//! All are checked against burn's layers (the convolution also against finite
//! differences) in `tests/cpu.rs`.

mod autodiff;
pub mod batch_norm;
pub mod conv;
pub mod depthwise;
pub mod dropout;
pub mod max_pool;
mod parallel;
mod sum;


use std::borrow::Cow;

use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Backend, Dispatch, Flex};
use burn::tensor::{Distribution, Shape, Tensor, TensorData};

use crate::mnist::kernels::BatchNormOut;
use batch_norm::BatchShape;
use conv::ConvShape;
use max_pool::PoolShape;

/// A mask shaped like `like` of `1 / keep` (probability `keep`) and 0, not differentiated.
/// Its generator's seed is drawn from the device's own seeded stream, so a seeded run
/// draws the same masks again. Only on Flex.
pub fn dropout_mask(like: &Tensor<4>, keep: f64) -> Tensor<4> {
    let seed = Tensor::<1>::random([2], Distribution::Default, &like.device());
    Tensor::from_dispatch(<Dispatch as CpuOps>::cpu_dropout_mask(
        like.clone().into_dispatch(),
        seed.into_dispatch(),
        keep,
    ))
}

/// 2×2 max pooling with stride 2 of `x` `[n, c, h, w]`, `f32`; differentiable. Only on
/// Flex.
pub fn max_pool2x2(x: Tensor<4>) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as CpuOps>::cpu_max_pool2x2(x.into_dispatch()))
}

/// A stride-1 convolution of `x` `[n, c, h, w]` with `weight` `[o, c, k, k]` plus `bias`
/// `[o]`, zero padding `pad`, all `f32`; differentiable. Only on Flex, and only for
/// operands that fit (`mnist::model::layers` checks both).
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, bias: Tensor<1>, pad: usize) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as CpuOps>::cpu_conv2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
        pad,
    ))
}

/// A depthwise convolution (one filter per channel, stride 1, no bias) of `x` `[n, c, h, w]`
/// with `weight` `[c, 1, k, k]`, zero padding `pad`, all `f32`; differentiable. Only on
/// Flex, and only for operands that fit (`mnist::model::layers` checks).
pub fn depthwise2d(x: Tensor<4>, weight: Tensor<4>, pad: usize) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as CpuOps>::cpu_depthwise2d(x.into_dispatch(), weight.into_dispatch(), pad))
}

/// Batch normalisation of `x` `[n, c, h, w]` with the batch's own statistics, differentiable:
/// `(y, per-channel mean, per-channel biased variance)`, the statistics detached (for the
/// running averages). Only on Flex.
pub fn batch_norm_train(
    x: Tensor<4>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    epsilon: f64,
) -> (Tensor<4>, Tensor<1>, Tensor<1>) {
    let out =
        <Dispatch as CpuOps>::cpu_batch_norm(x.into_dispatch(), gamma.into_dispatch(), beta.into_dispatch(), epsilon);
    (
        Tensor::from_dispatch(out.output),
        Tensor::from_dispatch(out.mean),
        Tensor::from_dispatch(out.var),
    )
}

#[backend_extension(Flex, Autodiff)]
pub trait CpuOps: Backend {
    fn cpu_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self>;
    fn cpu_depthwise2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, pad: usize) -> FloatTensor<Self>;
    fn cpu_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormOut<Self>;
    fn cpu_max_pool2x2(x: FloatTensor<Self>) -> FloatTensor<Self>;
    fn cpu_dropout_mask(like: FloatTensor<Self>, seed: FloatTensor<Self>, keep: f64) -> FloatTensor<Self>;
}

impl CpuOps for Flex {
    fn cpu_conv2d(x: FlexTensor, weight: FlexTensor, bias: FlexTensor, pad: usize) -> FlexTensor {
        let s = conv_shape(&x, &weight, &bias, pad);
        let y = conv::forward(&values(&x), &values(&weight), &values(&bias), &s);
        flex([s.n, s.o, s.out_h(), s.out_w()], y)
    }

    fn cpu_depthwise2d(x: FlexTensor, weight: FlexTensor, pad: usize) -> FlexTensor {
        let s = depthwise_shape(&x, &weight, pad);
        flex([s.n, s.c, s.out_h(), s.out_w()], depthwise::forward(&values(&x), &values(&weight), &s))
    }

    fn cpu_batch_norm(x: FlexTensor, gamma: FlexTensor, beta: FlexTensor, epsilon: f64) -> BatchNormOut<Self> {
        let (shape, s) = batch_shape(&x);
        let (y, mean, var) = batch_norm::forward(&values(&x), &values(&gamma), &values(&beta), epsilon, &s);
        BatchNormOut {
            output: flex(shape, y),
            mean: flex([s.c], mean),
            var: flex([s.c], var),
        }
    }

    fn cpu_max_pool2x2(x: FlexTensor) -> FlexTensor {
        let s = pool_shape(&x);
        flex([s.n, s.c, s.out_h(), s.out_w()], max_pool::forward(&values(&x), &s))
    }

    fn cpu_dropout_mask(like: FlexTensor, seed: FlexTensor, keep: f64) -> FlexTensor {
        // Two uniform draws in [0, 1) of 24 bits each make the generator's 48-bit seed.
        let bits = values(&seed).iter().fold(0u64, |acc, u| (acc << 24) | (u * 16_777_216.0) as u64);
        let shape = dims4(&like);
        flex(shape, dropout::mask(shape.iter().product(), keep, bits))
    }
}

/// The convolution's geometry from its operands' shapes. [`conv_layer`] only sends operands
/// that fit; the checks here guard direct callers (a misfit would index out of bounds below).
fn conv_shape(x: &FlexTensor, weight: &FlexTensor, bias: &FlexTensor, pad: usize) -> ConvShape {
    let [n, c, h, w] = dims4(x);
    let [o, wc, k, k2] = dims4(weight);
    let fits = wc == c && k == k2 && bias.layout().shape().dims() == [o] && h + 2 * pad >= k && w + 2 * pad >= k;
    assert!(
        fits,
        "conv2d: weight {:?} / bias does not fit input {:?} with padding {pad}",
        [o, wc, k, k2],
        [n, c, h, w]
    );
    ConvShape { n, c, h, w, o, k, pad }
}

/// A depthwise convolution's geometry (`o == c`); as [`conv_shape`], the check guards direct
/// callers.
fn depthwise_shape(x: &FlexTensor, weight: &FlexTensor, pad: usize) -> ConvShape {
    let [n, c, h, w] = dims4(x);
    let [o, one, k, k2] = dims4(weight);
    let fits = o == c && one == 1 && k == k2 && h + 2 * pad >= k && w + 2 * pad >= k;
    assert!(fits, "depthwise2d: weight {:?} does not fit input {:?} with padding {pad}", [o, one, k, k2], [n, c, h, w]);
    ConvShape { n, c, h, w, o: c, k, pad }
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
