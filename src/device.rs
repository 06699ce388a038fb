//! Which burn device the notebook and the CLI compute on.
//!
//! WebGPU/wgpu when it can be had, else Flex, burn's pure-Rust CPU backend. The GPU is set up
//! once per process (a second wgpu init fails), with what its adapter says about itself, so
//! that a software adapter (SwiftShader, lavapipe) is never presented as "your GPU". Which of
//! the two a run uses under "auto" is decided by timing both: [`crate::mnist::run::bench::choose`].

use std::sync::Mutex;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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

/// What the user asked for: one backend, or whichever trains faster here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Preference {
    Auto,
    Flex,
    Wgpu,
}

impl Preference {
    /// Every choice, as the page's device menu and its address offer them.
    pub const ALL: [Preference; 3] = [Preference::Auto, Preference::Flex, Preference::Wgpu];
}

impl std::str::FromStr for Preference {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Preference::Auto),
            other => match other.parse::<Backend>() {
                Ok(Backend::Flex) => Ok(Preference::Flex),
                Ok(Backend::Wgpu) => Ok(Preference::Wgpu),
                Err(_) => Err(format!("unknown device '{other}' (expected auto, flex or wgpu)")),
            },
        }
    }
}

/// The GPU adapter wgpu got, as it describes itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Adapter {
    /// The driver's name for it, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)" or "NVIDIA H200"; in a
    /// browser the adapter's description, which may be empty.
    pub name: String,
    /// The graphics API under wgpu: Vulkan, Metal, Dx12, Gl, or BrowserWebGpu.
    pub api: String,
    /// A CPU emulating a GPU: the driver says so (a CPU device type, or the browser's
    /// fallback adapter), or the name is a known software renderer.
    pub software: bool,
}

/// Software renderers that do not always admit to being one (lowercase).
#[cfg_attr(not(feature = "gpu"), allow(dead_code))]
const SOFTWARE_NAMES: [&str; 6] = ["llvmpipe", "lavapipe", "swiftshader", "softpipe", "microsoft basic render", "warp"];

impl Adapter {
    #[cfg_attr(not(feature = "gpu"), allow(dead_code))]
    fn new(name: String, api: String, cpu_device_type: bool) -> Self {
        let lower = name.to_lowercase();
        let software = cpu_device_type || SOFTWARE_NAMES.iter().any(|s| lower.contains(s));
        Adapter { name, api, software }
    }

    /// e.g. "llvmpipe (LLVM 15.0.6, 256 bits), software" or "NVIDIA H200".
    pub fn describe(&self) -> String {
        let name = if self.name.is_empty() { "unnamed adapter" } else { &self.name };
        if self.software {
            format!("{name}, software")
        } else {
            name.to_string()
        }
    }
}

/// A device ready for tensors, with what the user should be told about it.
#[derive(Clone, Debug)]
pub struct Compute {
    pub device: Device,
    pub backend: Backend,
    /// On wgpu: the adapter.
    pub adapter: Option<Adapter>,
    /// Why the GPU was not used, when it was asked for and is missing.
    pub fallback_reason: Option<String>,
}

/// The process's wgpu device, or why there is none: set up on first use, then shared.
static WGPU: Mutex<Option<Result<(Device, Adapter), String>>> = Mutex::new(None);

fn wgpu_cached() -> Option<Result<(Device, Adapter), String>> {
    WGPU.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

impl Compute {
    pub fn flex() -> Self {
        Compute { device: Device::flex(), backend: Backend::Flex, adapter: None, fallback_reason: None }
    }

    /// The wgpu device, initialised asynchronously (the only way in a browser) on first use.
    /// Errors carry wgpu's reason, e.g. no adapter.
    pub async fn wgpu() -> Result<Self, String> {
        let got = match wgpu_cached() {
            Some(got) => got,
            None => {
                let got = match browser_adapter().await {
                    None => Err("this browser offers no WebGPU adapter".to_string()),
                    Some(browser_name) => init_wgpu(browser_name).await,
                };
                // Two callers may have raced through the await: the first result stays.
                WGPU.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(got).clone()
            }
        };
        let (device, adapter) = got?;
        Ok(Compute { device, backend: Backend::Wgpu, adapter: Some(adapter), fallback_reason: None })
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

    /// Where inference runs: nothing to time there, so "auto" takes a hardware GPU if there is
    /// one and the CPU otherwise.
    pub async fn for_inference(preference: Preference) -> Self {
        match preference {
            Preference::Flex => Self::flex(),
            Preference::Wgpu => Self::init(Backend::Wgpu).await,
            Preference::Auto => match Self::wgpu().await {
                Ok(c) if c.adapter.as_ref().is_some_and(|a| !a.software) => c,
                _ => Self::flex(),
            },
        }
    }

    /// e.g. "the CPU" or "wgpu on llvmpipe (LLVM 15.0.6, 256 bits), software".
    pub fn describe(&self) -> String {
        match (&self.backend, &self.adapter) {
            (Backend::Wgpu, Some(a)) => format!("{} on {}", gpu_api_name(), a.describe()),
            (Backend::Wgpu, None) => gpu_api_name().to_string(),
            (Backend::Flex, _) => "the CPU".to_string(),
        }
    }
}

/// Sets up wgpu's device on the adapter the browser named `browser_name` (natively: empty).
#[cfg(feature = "gpu")]
async fn init_wgpu(browser_name: String) -> Result<(Device, Adapter), String> {
    Device::wgpu_options()
        .init_with_setup_async()
        .await
        .map(|(device, setup)| {
            keep_handle(&setup.device);
            let info = setup.adapter.get_info();
            let cpu = info.device_type == burn::tensor::wgpu::wgpu::DeviceType::Cpu;
            // wgpu names a browser's adapter by its description alone, often empty.
            let name = if info.name.is_empty() { browser_name } else { info.name.clone() };
            (device, Adapter::new(name, format!("{:?}", info.backend), cpu))
        })
        .map_err(|e| format!("WebGPU/wgpu is not available: {e}"))
}

/// The CPU-only build: the page loads it only where the browser offers no WebGPU adapter, so
/// this is said only if one appeared after the page chose its engine.
#[cfg(not(feature = "gpu"))]
async fn init_wgpu(_: String) -> Result<(Device, Adapter), String> {
    Err(format!("this copy of the engine has no {} code (reload the page to get the one that has)", gpu_api_name()))
}

/// In a browser: whether WebGPU hands out an adapter at all, so that wgpu is only asked where
/// it can succeed (Chromium with WebGPU disabled keeps `navigator.gpu` but gives no adapter),
/// and the adapter's vendor and architecture as the browser tells them (e.g. "google
/// swiftshader"), which wgpu leaves out.
#[cfg(target_arch = "wasm32")]
async fn browser_adapter() -> Option<String> {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let get = |on: &JsValue, key: &str| Reflect::get(on, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
    let gpu = get(&js_sys::global(), "navigator").and_then(|n| get(&n, "gpu"))?;
    let request = get(&gpu, "requestAdapter").and_then(|f| f.dyn_into::<Function>().ok())?;
    let promise = request.call0(&gpu).ok()?.dyn_into::<Promise>().ok()?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok().filter(|a| !a.is_null() && !a.is_undefined())?;
    let info = get(&adapter, "info");
    let words: Vec<String> = ["vendor", "architecture", "description"]
        .iter()
        .filter_map(|key| info.as_ref().and_then(|i| get(i, key)).and_then(|v| v.as_string()))
        .filter(|w| !w.is_empty())
        .collect();
    Some(words.join(" "))
}

#[cfg(not(target_arch = "wasm32"))]
async fn browser_adapter() -> Option<String> {
    Some(String::new())
}

#[cfg(all(target_arch = "wasm32", feature = "gpu"))]
thread_local! {
    /// The wgpu device under the engine's, kept so a test can lose it on purpose.
    static HANDLE: std::cell::RefCell<Option<burn::tensor::wgpu::wgpu::Device>> = const { std::cell::RefCell::new(None) };
}

#[cfg(all(target_arch = "wasm32", feature = "gpu"))]
fn keep_handle(device: &burn::tensor::wgpu::wgpu::Device) {
    HANDLE.with_borrow_mut(|h| *h = Some(device.clone()));
}

#[cfg(all(not(target_arch = "wasm32"), feature = "gpu"))]
fn keep_handle(_: &burn::tensor::wgpu::wgpu::Device) {}

/// For tests: destroys the GPU device under the engine, as a driver reset or a GPU taken away
/// would. Whatever runs on it then fails; later requests for wgpu get the CPU, saying why.
/// Returns whether there was a device to lose.
#[cfg(all(target_arch = "wasm32", feature = "gpu"))]
pub fn lose_gpu() -> bool {
    let Some(device) = HANDLE.with_borrow_mut(Option::take) else { return false };
    device.destroy();
    *WGPU.lock().unwrap_or_else(|e| e.into_inner()) = Some(Err("the WebGPU device was lost".into()));
    true
}

/// The CPU-only build has no GPU device to lose.
#[cfg(all(target_arch = "wasm32", not(feature = "gpu")))]
pub fn lose_gpu() -> bool {
    false
}

/// What the GPU path is called where this runs.
pub fn gpu_api_name() -> &'static str {
    if cfg!(target_arch = "wasm32") {
        "WebGPU"
    } else {
        "wgpu"
    }
}

#[cfg(test)]
mod tests {
    use super::Adapter;

    /// Both answers of the software check: emulators are named as such (by the driver's device
    /// type or by name), and real GPUs — discrete, integrated, mobile, unnamed — are not.
    #[test]
    fn software_adapters_are_named_as_such_and_gpus_are_not() {
        let adapter = |name: &str, cpu: bool| Adapter::new(name.into(), "Vulkan".into(), cpu);
        for (name, cpu) in [
            ("llvmpipe (LLVM 15.0.6, 256 bits)", false),
            ("google swiftshader", false),
            ("Microsoft Basic Render Driver", false),
            ("an adapter whose driver says it is a CPU", true),
        ] {
            assert!(adapter(name, cpu).software, "{name}");
            assert!(adapter(name, cpu).describe().ends_with(", software"), "{name}");
        }
        for name in [
            "NVIDIA H200",
            "NVIDIA GeForce RTX 4090",
            "Intel(R) Iris(R) Xe Graphics",
            "intel gen-12lp",
            "Apple M2",
            "apple metal-3",
            "AMD Radeon RX 7900 XTX",
            "Mali-G78",
            "Adreno (TM) 740",
        ] {
            assert!(!adapter(name, false).software, "{name} is a GPU");
            assert_eq!(adapter(name, false).describe(), name);
        }
        assert_eq!(adapter("", false).describe(), "unnamed adapter");
    }
}
