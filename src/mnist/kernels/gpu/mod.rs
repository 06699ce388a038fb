//! Our GPU kernels: the layer operations of `kernels::ops` on burn's cube backend (wgpu:
//! WebGPU in the page, Vulkan, Metal or DX12 natively), one kernel per pass of each layer.
//!
//! Why: on a GPU a step of a model this small is bound by how many kernels it launches, not by
//! arithmetic. burn's generic layers, fused, still took ~280 kernels per `compact` step: layout
//! copies around every convolution, batch norm as a dozen generic ops and their derivatives.
//! Each pass of each layer here is one kernel (see each file for its formulas).
//!
//! They are cubecl kernels; `Fusion` records each as one opaque step of its lazy stream, and
//! `kernels::autodiff` records them for the backward pass, as it does the CPU's.
//!
//! - [`conv`]: stride-1 convolution for any group count, its bias inside.
//! - [`dropout`]: dropout's mask, from a hash of each element's index.
//! - [`batch_norm`]: batch statistics, one cube per channel each way.
//! - [`max_pool`]: 2×2 max pooling, four reads a window.
//! - [`reduce`]: a cube's sum, which the reducing kernels share.
//!
//! All are checked against our CPU kernels (forward and every gradient) on a real Vulkan
//! driver in `tests/wgpu.rs`.

pub mod batch_norm;
pub mod conv;
pub mod dropout;
pub mod max_pool;
mod reduce;

use burn::tensor::{DType, Shape};
use burn_cubecl::cubecl::prelude::{CubeCount, CubeDim};
use burn_cubecl::cubecl::{calculate_cube_count_elemwise, client::Client};
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_contiguous_dtype;
use burn_cubecl::tensor::CubeTensor;
use burn_cubecl::CubeBackend;

use crate::mnist::kernels::ops::{BatchNormGrads, BatchNormOut, Bias, LayerGrads, LayerKernels};

impl LayerKernels for CubeBackend {
    fn conv_forward(x: CubeTensor, weight: CubeTensor, bias: Bias<Self>, pad: usize, groups: usize) -> CubeTensor {
        let bias = match bias {
            Bias::Some(bias) => Some(bias),
            Bias::None => None,
        };
        conv::forward(x, weight, bias, pad, groups)
    }

    fn batch_norm_forward(x: CubeTensor, gamma: CubeTensor, beta: CubeTensor, epsilon: f64) -> BatchNormOut<Self> {
        let (output, mean, var) = batch_norm::forward(x, gamma, beta, epsilon);
        BatchNormOut { output, mean, var }
    }

    fn max_pool_forward(x: CubeTensor) -> CubeTensor {
        max_pool::forward(x)
    }

    fn dropout_mask(like: CubeTensor, seed: CubeTensor, keep: f64) -> CubeTensor {
        dropout::mask(like, seed, keep)
    }
}

impl LayerGrads for CubeBackend {
    fn conv_grad_x(dy: CubeTensor, weight: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
        conv::backward_x(dy, weight, pad, groups)
    }

    fn conv_grad_weight(x: CubeTensor, dy: CubeTensor, pad: usize, groups: usize) -> CubeTensor {
        conv::backward_weight(x, dy, pad, groups)
    }

    fn conv_grad_bias(dy: CubeTensor) -> CubeTensor {
        conv::backward_bias(dy)
    }

    fn batch_norm_grads(
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

    fn max_pool_grad(x: CubeTensor, dy: CubeTensor) -> CubeTensor {
        max_pool::backward(x, dy)
    }
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
