//! The operations our kernels provide, with one signature for every device: the forward
//! passes ([`LayerKernels`]) and the gradients that the backward steps call ([`LayerGrads`]).
//! The CPU (`cpu`, on Flex) and the GPU (`gpu`, on burn's cube backend) each implement both
//! traits with their own kernels, and nothing else; the autodiff wrapper that records the
//! forward passes and routes their backward steps to the gradients is written once, for any
//! backend that implements both (`autodiff`).
//!
//! burn's `#[backend_extension]` adds the operations to its backends: it generates the routing
//! from a `Dispatch` tensor to the backend it lives on, and on the GPU the lazy `Fusion`
//! wrapper, which records each operation as one opaque step (the `#[fusion(...)]` lines say
//! what it records of the outputs before running them: their shapes, from the inputs').
//! The functions below take and return burn tensors: what `mnist::model::layers` calls.

use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Backend, Dispatch, ExtensionType};
use burn::tensor::{Distribution, Tensor};
#[cfg(feature = "gpu")]
use burn::tensor::Shape;

#[cfg(feature = "gpu")]
use super::conv_geometry::ConvGeometry;
#[cfg(feature = "gpu")]
use burn::backend::fusion::custom::TensorSpec;

/// A stride-1 convolution of `x` `[n, c, h, w]` with `weight` `[o, c / groups, k, k]`, zero
/// padding `pad`, plus `bias` `[o]` if there is one, all `f32`; differentiable. Only for
/// operands a device's kernels cover (`mnist::model::layers` checks: [`super::Kernels`]).
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, bias: Option<Tensor<1>>, pad: usize, groups: usize) -> Tensor<4> {
    let bias = match bias {
        Some(bias) => Bias::Some(bias.into_dispatch()),
        None => Bias::None,
    };
    Tensor::from_dispatch(<Dispatch as LayerKernels>::conv_forward(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias,
        pad,
        groups,
    ))
}

/// Batch normalisation of `x` `[n, c, h, w]` with the batch's own statistics, differentiable:
/// `(y, per-channel mean, per-channel biased variance)`, the statistics detached (for the
/// running averages).
pub fn batch_norm_train(x: Tensor<4>, gamma: Tensor<1>, beta: Tensor<1>, epsilon: f64) -> (Tensor<4>, Tensor<1>, Tensor<1>) {
    let out = <Dispatch as LayerKernels>::batch_norm_forward(
        x.into_dispatch(),
        gamma.into_dispatch(),
        beta.into_dispatch(),
        epsilon,
    );
    (Tensor::from_dispatch(out.output), Tensor::from_dispatch(out.mean), Tensor::from_dispatch(out.var))
}

/// 2×2 max pooling with stride 2 of `x` `[n, c, h, w]`, `f32`; differentiable.
pub fn max_pool2x2(x: Tensor<4>) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as LayerKernels>::max_pool_forward(x.into_dispatch()))
}

/// Dropout's mask, shaped like `like`: `1 / keep` with probability `keep`, else 0; not
/// differentiated. Its seed is drawn from the device's own seeded stream, so a seeded run
/// draws the same masks again.
pub fn dropout_mask(like: &Tensor<4>, keep: f64) -> Tensor<4> {
    let seed = Tensor::<1>::random([2], Distribution::Default, &like.device());
    Tensor::from_dispatch(<Dispatch as LayerKernels>::dropout_mask(
        like.clone().into_dispatch(),
        seed.into_dispatch(),
        keep,
    ))
}

/// The forward passes, which autodiff records.
#[backend_extension(Flex, Cube: cfg(feature = "gpu"), Fusion: cfg(feature = "gpu"), Autodiff)]
pub trait LayerKernels: Backend {
    /// `y = conv(x, weight) + bias`.
    #[fusion(dtype = x, shape = conv_output(x, weight, pad, groups))]
    fn conv_forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        #[extension_type] bias: Bias<Self>,
        pad: usize,
        groups: usize,
    ) -> FloatTensor<Self>;
    /// The normalised batch and its statistics.
    #[fusion(meta = batch_norm_meta)]
    fn batch_norm_forward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormOut<Self>;
    /// Each 2×2 window's maximum.
    #[fusion(dtype = x, shape = pooled(x))]
    fn max_pool_forward(x: FloatTensor<Self>) -> FloatTensor<Self>;
    /// A mask like `like` from two uniform draws in [0, 1) that seed its generator.
    #[fusion(dtype = like, shape = like)]
    fn dropout_mask(like: FloatTensor<Self>, seed: FloatTensor<Self>, keep: f64) -> FloatTensor<Self>;
}

/// The gradients, which only the backward steps call. Each from what the forward pass kept
/// (its input, the weight, the batch statistics) and the output gradient `dy`.
#[backend_extension(Flex, Cube: cfg(feature = "gpu"), Fusion: cfg(feature = "gpu"))]
pub trait LayerGrads: Backend {
    /// The convolution's input gradient `[n, c, h, w]`.
    #[fusion(dtype = dy, shape = conv_input(dy, weight, pad, groups))]
    fn conv_grad_x(dy: FloatTensor<Self>, weight: FloatTensor<Self>, pad: usize, groups: usize) -> FloatTensor<Self>;
    /// The convolution's weight gradient `[o, c / groups, k, k]`, summed over the batch.
    #[fusion(dtype = x, shape = conv_weight(x, dy, pad, groups))]
    fn conv_grad_weight(x: FloatTensor<Self>, dy: FloatTensor<Self>, pad: usize, groups: usize) -> FloatTensor<Self>;
    /// The bias gradient `[o]`: `dy` summed over images and pixels.
    #[fusion(dtype = dy, shape = channels(dy))]
    fn conv_grad_bias(dy: FloatTensor<Self>) -> FloatTensor<Self>;
    /// The batch norm's gradients of the input, γ and β.
    #[fusion(meta = batch_norm_grads_meta)]
    fn batch_norm_grads(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        mean: FloatTensor<Self>,
        var: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormGrads<Self>;
    /// Each output gradient back to its window's maximum.
    #[fusion(dtype = x, shape = x)]
    fn max_pool_grad(x: FloatTensor<Self>, dy: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// A convolution's bias, or none (a convolution before a batch norm needs none: the norm's
/// shift would cancel it).
#[derive(ExtensionType)]
#[cfg_attr(feature = "gpu", extension_type(fusion))]
pub enum Bias<B: Backend> {
    None,
    Some(FloatTensor<B>),
}

/// What a batch norm returns while training: the normalised output and the batch's
/// per-channel statistics (for the running averages).
#[derive(ExtensionType)]
#[cfg_attr(feature = "gpu", extension_type(fusion))]
pub struct BatchNormOut<B: Backend> {
    pub output: FloatTensor<B>,
    pub mean: FloatTensor<B>,
    pub var: FloatTensor<B>,
}

/// A batch norm's gradients: of the input, of γ and of β.
#[derive(ExtensionType)]
#[cfg_attr(feature = "gpu", extension_type(fusion))]
pub struct BatchNormGrads<B: Backend> {
    pub x: FloatTensor<B>,
    pub gamma: FloatTensor<B>,
    pub beta: FloatTensor<B>,
}

// The outputs' shapes from the inputs', which fusion records before running an operation (the
// same geometry the kernels use); only the GPU build has fusion.

#[cfg(feature = "gpu")]
fn conv_output(x: &Shape, weight: &Shape, pad: &usize, groups: &usize) -> Shape {
    Shape::new(ConvGeometry::of_input(x.dims(), weight.dims(), *pad, *groups).output())
}

#[cfg(feature = "gpu")]
fn conv_input(dy: &Shape, weight: &Shape, pad: &usize, groups: &usize) -> Shape {
    Shape::new(ConvGeometry::of_output(dy.dims(), weight.dims(), *pad, *groups).input())
}

#[cfg(feature = "gpu")]
fn conv_weight(x: &Shape, dy: &Shape, pad: &usize, groups: &usize) -> Shape {
    Shape::new(ConvGeometry::of_both(x.dims(), dy.dims(), *pad, *groups).weight())
}

#[cfg(feature = "gpu")]
fn channels(dy: &Shape) -> Shape {
    Shape::new([dy.dims::<4>()[1]])
}

#[cfg(feature = "gpu")]
fn pooled(x: &Shape) -> Shape {
    let [n, c, h, w] = x.dims();
    Shape::new([n, c, h / 2, w / 2])
}

// The batch norm's outputs, which fusion records as the specs of its inputs' (the output like
// `x`, each per-channel tensor like γ).

#[cfg(feature = "gpu")]
fn batch_norm_meta(x: &TensorSpec, gamma: &TensorSpec, _beta: &TensorSpec, _epsilon: &f64) -> BatchNormOutMetadata {
    BatchNormOutMetadata { output: x.clone(), mean: gamma.clone(), var: gamma.clone() }
}

#[cfg(feature = "gpu")]
fn batch_norm_grads_meta(
    x: &TensorSpec,
    gamma: &TensorSpec,
    _mean: &TensorSpec,
    _var: &TensorSpec,
    _dy: &TensorSpec,
    _epsilon: &f64,
) -> BatchNormGradsMetadata {
    BatchNormGradsMetadata { x: x.clone(), gamma: gamma.clone(), beta: gamma.clone() }
}
