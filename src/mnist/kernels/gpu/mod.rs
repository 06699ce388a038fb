//! Our GPU kernels for the layers that dominate a training step on wgpu (WebGPU in the page,
//! Vulkan, Metal or DX12 natively), as burn operations with their own backward passes:
//! [`conv2d`] (full, depthwise and 1×1), [`batch_norm_train`] and [`max_pool2x2`].
//!
//! Why: on a GPU a step of a model this small is bound by how many kernels it launches, not by
//! arithmetic. burn's generic layers, fused, still took ~280 kernels per `compact` step: layout
//! copies around every convolution, batch norm as a dozen generic ops and their derivatives.
//! Each pass of each layer here is one kernel (see each file for its formulas).
//!
//! They are cubecl kernels on burn's cube backend (`#[backend_extension(Cube, …)]`): `Fusion`
//! records each as one opaque step of its lazy stream, `Autodiff` routes the forward passes to
//! `autodiff`, whose backward steps call [`GpuGradOps`]. The layers go through
//! `mnist::model::layers`, which picks these on wgpu and our CPU kernels on Flex.
//!
//! - [`conv`]: stride-1 convolution for any group count.
//! - [`batch_norm`]: batch statistics, one cube per channel each way.
//! - [`max_pool`]: 2×2 max pooling, four reads a window.
//! - [`reduce`]: a cube's sum, which the reducing kernels share.
//!
//! All are checked against our CPU kernels (forward and every gradient) on a real Vulkan
//! driver in `tests/wgpu.rs`.

mod autodiff;
pub mod batch_norm;
pub mod conv;
pub mod max_pool;
mod reduce;

use burn::backend::fusion::custom::TensorSpec;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Backend, Dispatch, ExtensionType};
use burn::tensor::{DType, Shape, Tensor};
use burn_cubecl::cubecl::prelude::{CubeCount, CubeDim};
use burn_cubecl::cubecl::{calculate_cube_count_elemwise, client::Client};
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_contiguous_dtype;
use burn_cubecl::tensor::CubeTensor;
use burn_cubecl::CubeBackend;

use crate::mnist::kernels::{BatchNormOut, BatchNormOutMetadata};

/// A stride-1 convolution of `x` `[n, c, h, w]` with `weight` `[o, c / groups, k, k]`, zero
/// padding `pad`, no bias, all `f32`; differentiable. Only on the cube backend (wgpu), for
/// operands that fit (`mnist::model::layers` checks both).
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, pad: usize, groups: usize) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as GpuOps>::gpu_conv2d(x.into_dispatch(), weight.into_dispatch(), pad, groups))
}

/// Batch normalisation of `x` `[n, c, h, w]` with the batch's own statistics, differentiable:
/// `(y, per-channel mean, per-channel biased variance)`, the statistics detached (for the
/// running averages). Only on the cube backend.
pub fn batch_norm_train(x: Tensor<4>, gamma: Tensor<1>, beta: Tensor<1>, epsilon: f64) -> (Tensor<4>, Tensor<1>, Tensor<1>) {
    let out =
        <Dispatch as GpuOps>::gpu_batch_norm(x.into_dispatch(), gamma.into_dispatch(), beta.into_dispatch(), epsilon);
    (Tensor::from_dispatch(out.output), Tensor::from_dispatch(out.mean), Tensor::from_dispatch(out.var))
}

/// 2×2 max pooling with stride 2 of `x` `[n, c, h, w]`, `f32`; differentiable. Only on the
/// cube backend.
pub fn max_pool2x2(x: Tensor<4>) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as GpuOps>::gpu_max_pool2x2(x.into_dispatch()))
}

/// The forward passes, which autodiff records.
#[backend_extension(Cube, Fusion, Autodiff)]
pub trait GpuOps: Backend {
    #[fusion(dtype = x, shape = conv_output(x, weight, pad, groups))]
    fn gpu_conv2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, pad: usize, groups: usize) -> FloatTensor<Self>;
    #[fusion(meta = batch_norm_meta)]
    fn gpu_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormOut<Self>;
    #[fusion(dtype = x, shape = pooled(x))]
    fn gpu_max_pool2x2(x: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// The backward passes, which only autodiff's backward steps call.
#[backend_extension(Cube, Fusion)]
pub trait GpuGradOps: Backend {
    #[fusion(dtype = dy, shape = conv_input(dy, weight, pad, groups))]
    fn gpu_conv2d_backward_x(dy: FloatTensor<Self>, weight: FloatTensor<Self>, pad: usize, groups: usize)
        -> FloatTensor<Self>;
    #[fusion(dtype = x, shape = conv_weight(x, dy, pad, groups))]
    fn gpu_conv2d_backward_weight(x: FloatTensor<Self>, dy: FloatTensor<Self>, pad: usize, groups: usize)
        -> FloatTensor<Self>;
    #[fusion(meta = batch_norm_grads_meta)]
    fn gpu_batch_norm_backward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        mean: FloatTensor<Self>,
        var: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormGrads<Self>;
    #[fusion(dtype = x, shape = x)]
    fn gpu_max_pool2x2_backward(x: FloatTensor<Self>, dy: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// What [`GpuGradOps::gpu_batch_norm_backward`] returns: the gradients of the input, of γ and
/// of β.
#[derive(ExtensionType)]
#[extension_type(fusion)]
pub struct BatchNormGrads<B: Backend> {
    pub x: FloatTensor<B>,
    pub gamma: FloatTensor<B>,
    pub beta: FloatTensor<B>,
}

impl GpuOps for CubeBackend {
    fn gpu_conv2d(x: CubeTensor, weight: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
        conv::forward(x, weight, pad, groups)
    }

    fn gpu_batch_norm(x: CubeTensor, gamma: CubeTensor, beta: CubeTensor, epsilon: f64) -> BatchNormOut<Self> {
        let (output, mean, var) = batch_norm::forward(x, gamma, beta, epsilon);
        BatchNormOut { output, mean, var }
    }

    fn gpu_max_pool2x2(x: CubeTensor) -> CubeTensor {
        max_pool::forward(x)
    }
}

impl GpuGradOps for CubeBackend {
    fn gpu_conv2d_backward_x(dy: CubeTensor, weight: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
        conv::backward_x(dy, weight, pad, groups)
    }

    fn gpu_conv2d_backward_weight(x: CubeTensor, dy: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
        conv::backward_weight(x, dy, pad, groups)
    }

    fn gpu_batch_norm_backward(
        x: CubeTensor,
        gamma: CubeTensor,
        mean: CubeTensor,
        var: CubeTensor,
        dy: CubeTensor,
        epsilon: f64,
    ) -> BatchNormGrads<Self> {
        let (x, gamma, beta) = batch_norm::backward(x, gamma, mean, var, dy, epsilon);
        BatchNormGrads { x, gamma, beta }
    }

    fn gpu_max_pool2x2_backward(x: CubeTensor, dy: CubeTensor) -> CubeTensor {
        max_pool::backward(x, dy)
    }
}

// What fusion records of each operation's outputs before running it: their shapes, from the
// inputs' (the same geometry the kernels use).

fn conv_output(x: &Shape, weight: &Shape, pad: &usize, groups: &usize) -> Shape {
    Shape::new(conv::Geometry::of_input(x.dims(), weight.dims(), *pad, *groups).output())
}

fn conv_input(dy: &Shape, weight: &Shape, pad: &usize, groups: &usize) -> Shape {
    Shape::new(conv::Geometry::of_output(dy.dims(), weight.dims(), *pad, *groups).input())
}

fn conv_weight(x: &Shape, dy: &Shape, pad: &usize, groups: &usize) -> Shape {
    Shape::new(conv::Geometry::of_both(x.dims(), dy.dims(), *pad, *groups).weight())
}

fn pooled(x: &Shape) -> Shape {
    let [n, c, h, w] = x.dims();
    Shape::new([n, c, h / 2, w / 2])
}

fn batch_norm_meta(x: &TensorSpec, gamma: &TensorSpec, _beta: &TensorSpec, _epsilon: &f64) -> BatchNormOutMetadata {
    BatchNormOutMetadata { output: x.clone(), mean: gamma.clone(), var: gamma.clone() }
}

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

// What every kernel launch here shares.

/// The kernels index rows directly: a view (a transposed or sliced tensor) is laid out first.
fn ready(t: CubeTensor) -> CubeTensor {
    into_contiguous(t)
}

/// A new row-major `f32` tensor beside `like`, for a kernel to write.
fn output<const D: usize>(like: &CubeTensor, shape: [usize; D]) -> CubeTensor {
    empty_device_contiguous_dtype(like.client.clone(), like.device.clone(), Shape::new(shape), DType::F32)
}

/// A launch with one unit per element, for `len` elements.
fn elementwise(like: &CubeTensor, len: usize) -> (Client, CubeCount, CubeDim) {
    let dim = CubeDim::new(&like.client, len);
    (like.client.clone(), calculate_cube_count_elemwise(&like.client, len, dim), dim)
}

/// A launch with `cubes` cubes of [`reduce::UNITS`] units.
fn launch_cubes(like: &CubeTensor, cubes: usize) -> (Client, CubeCount, CubeDim) {
    let dim = CubeDim::new_1d(reduce::UNITS as u32);
    (like.client.clone(), calculate_cube_count_elemwise(&like.client, cubes * reduce::UNITS, dim), dim)
}
