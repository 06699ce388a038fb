//! Which burn device the notebook and the CLI compute on.
//!
//! WebGPU/wgpu when it can be had, else Flex, burn's pure-Rust CPU backend. The choice is made
//! once, at run time, and the reason for a fallback is kept so the UI can say why.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// burn's pure-Rust CPU backend.
    Flex,
    /// The GPU through wgpu: WebGPU in a browser, Vulkan/Metal/DX12 natively.
    Wgpu,
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "flex" | "cpu" => Ok(Backend::Flex),
            "wgpu" | "webgpu" | "gpu" => Ok(Backend::Wgpu),
            other => Err(format!("unknown device '{other}' (expected flex or wgpu)")),
        }
    }
}

/// A device ready for tensors, with what the user should be told about it.
#[derive(Clone)]
pub struct Compute {
    pub device: Device,
    pub backend: Backend,
    /// Why the GPU was not used, when it was asked for and is missing.
    pub fallback_reason: Option<String>,
}

impl Compute {
    pub fn flex() -> Self {
        Compute { device: Device::flex(), backend: Backend::Flex, fallback_reason: None }
    }

    /// The wgpu device, initialised asynchronously (the only way in a browser).
    /// Errors carry wgpu's reason, e.g. no adapter.
    pub async fn wgpu() -> Result<Self, String> {
        let device = Device::wgpu_options()
            .init_async()
            .await
            .map_err(|e| format!("WebGPU/wgpu is not available: {e}"))?;
        Ok(Compute { device, backend: Backend::Wgpu, fallback_reason: None })
    }

    /// What `preferred` asks for if it can be had; the CPU otherwise, saying why.
    pub async fn init(preferred: Backend) -> Self {
        match preferred {
            Backend::Flex => Self::flex(),
            Backend::Wgpu => match Self::wgpu().await {
                Ok(c) => c,
                Err(reason) => Compute { fallback_reason: Some(reason), ..Self::flex() },
            },
        }
    }
}
