//! Our kernels for the layers that dominate a training step, and whose run on a device.
//!
//! Each layer's operations are described once ([`ops`]): a forward pass for convolution (with
//! groups and an optional bias), batch norm, 2×2 max pooling and dropout's mask, and their
//! gradients, with the same signatures on every device. [`autodiff`] records the forward passes
//! and calls the gradients, for any device. Each device implements only the operations
//! themselves: [`cpu`] on burn's Flex backend, [`gpu`] on its cube backend (wgpu: WebGPU in the
//! page, Vulkan, Metal or DX12 natively). `model::layers` takes these where [`Kernels::covers_conv`]
//! and the layer's settings say they fit, burn's own layers elsewhere.
//!
//! - [`ops`]: the operations (two traits) and the functions the layers call.
//! - [`autodiff`]: the operations under autodiff, and their backward steps.
//! - [`conv_geometry`]: a convolution's sizes, as both devices read them.

pub mod autodiff;
pub mod conv_geometry;
pub mod cpu;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod ops;

use burn::backend::DispatchDevice;
use burn::tensor::Device;

pub use ops::{batch_norm_train, conv2d, dropout_mask, max_pool2x2};

/// Whose kernels run on a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernels {
    /// Ours for the CPU: Flex, with or without autodiff.
    Cpu,
    /// Ours for the GPU: burn's cube backend (wgpu), with or without autodiff.
    #[cfg(feature = "gpu")]
    Gpu,
    /// burn's own layers.
    Burn,
}

impl Kernels {
    /// Whether ours cover a convolution of `c` input and `o` output channels in `groups`
    /// groups: on the CPU full convolutions and depthwise ones (a matrix product and direct
    /// loops), on the GPU any grouping (one kernel).
    pub fn covers_conv(self, c: usize, o: usize, groups: usize) -> bool {
        match self {
            Kernels::Cpu => cpu::covers_conv(c, o, groups),
            #[cfg(feature = "gpu")]
            Kernels::Gpu => groups > 0 && c % groups == 0 && o % groups == 0,
            Kernels::Burn => false,
        }
    }

    /// Whether ours run here at all (batch norm, max pooling and dropout: both devices have
    /// all three).
    pub fn ours(self) -> bool {
        self != Kernels::Burn
    }
}

pub fn kernels(device: &Device) -> Kernels {
    let kind = |device: &DispatchDevice| match device {
        DispatchDevice::Flex(_) => Kernels::Cpu,
        #[cfg(feature = "gpu")]
        DispatchDevice::Cube(_) => Kernels::Gpu,
        #[allow(unreachable_patterns)]
        _ => Kernels::Burn,
    };
    match device.as_dispatch() {
        DispatchDevice::Autodiff(inner) => kind(inner),
        device => kind(device),
    }
}
