//! Our kernels for the layers that dominate a training step, and whose run on a device:
//! [`cpu`] (burn's Flex backend) and [`gpu`] (burn's cube backend, wgpu), each with its own
//! backward passes; `model::layers` routes each layer's forward pass to them. What both
//! return for a batch norm while training ([`BatchNormOut`]) is defined here, with them, so
//! neither imports from the layers that use them.

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, DispatchDevice, ExtensionType};
use burn::tensor::Device;

pub mod cpu;
#[cfg(feature = "gpu")]
pub mod gpu;

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

/// What a batch norm kernel returns while training: the normalised output and the batch's
/// per-channel statistics (for the running averages).
#[derive(ExtensionType)]
#[cfg_attr(feature = "gpu", extension_type(fusion))]
pub struct BatchNormOut<B: Backend> {
    pub output: FloatTensor<B>,
    pub mean: FloatTensor<B>,
    pub var: FloatTensor<B>,
}
