//! Timing training steps on a device, and counting the GPU kernels each one launches: what
//! `gradbook bench` prints, what the page's bench script reads, and what "auto" uses to pick
//! the faster device.
//!
//! The steps run on a fixed batch of MNIST-shaped noise, without augmentation or data loading:
//! what the backend itself costs per step (forward, backward and optimizer update), comparable
//! with `bench/pytorch_mnist.py`.

use burn::tensor::{Distribution, Int, Tensor, TensorData};
use serde::Serialize;

use super::config::TrainConfig;
use crate::mnist::data::{CLASSES, SIDE};
use crate::clock::now_ms;
use super::step::Stepper;
use crate::mnist::data::tensors::read_back;
use crate::device::{Adapter, Backend, Compute, Preference};
#[cfg(feature = "gpu")]
use crate::kernels::KernelCount;

/// One benchmark's figures.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StepTiming {
    pub model: String,
    pub batch: usize,
    pub device: Backend,
    /// The GPU adapter, when on wgpu.
    pub adapter: Option<Adapter>,
    /// Mean wall time of a timed step, the device waited for at the end.
    pub ms_per_step: f64,
    /// Kernel launches per step (on wgpu; none on the CPU, which launches no kernels).
    pub kernels_per_step: Option<f64>,
    /// The launches of one step by kernel name, most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kernels: Vec<(String, f64)>,
}

/// How many steps to run and time.
#[derive(Debug, Clone, Copy)]
pub struct Steps {
    /// Untimed first steps: kernel compilation, autotuning, allocator growth.
    pub warmup: usize,
    pub timed: usize,
    /// Steps whose kernels are counted (after the timed ones, so counting costs them nothing).
    pub counted: usize,
}

/// Times `config`'s training step (its model, optimizer and loss) at its batch size on `compute`.
pub async fn bench(config: &TrainConfig, compute: &Compute, steps: Steps) -> Result<StepTiming, String> {
    config.check().map_err(|e| e.message)?;
    let spec = config.spec();
    let ad = compute.device.clone().autodiff();
    ad.seed(config.seed);
    let mut stepper = Stepper::new(spec.init(&ad).map_err(|e| e.to_string())?, config);
    let b = config.batch_size;
    let x = Tensor::<4>::random([b, 1, SIDE, SIDE], Distribution::Normal(0.0, 1.0), &ad);
    let labels: Vec<i64> = (0..b as i64).map(|i| i % CLASSES as i64).collect();
    let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [b]), &ad);

    let mut run = async |n: usize| -> Result<f64, String> {
        let started = now_ms();
        let mut last = None;
        for _ in 0..n {
            last = Some(stepper.step(x.clone(), y.clone(), config.lr).0);
        }
        // Wait for the device to finish before stopping the clock.
        if let Some(loss) = last {
            read_back::<f32>(loss).await?;
        }
        Ok(now_ms() - started)
    };
    run(steps.warmup).await?;
    let ms_per_step = run(steps.timed.max(1)).await? / steps.timed.max(1) as f64;

    #[allow(unused_mut)]
    let (mut kernels_per_step, mut kernels) = (None, Vec::new());
    #[cfg(feature = "gpu")]
    if compute.backend == Backend::Wgpu && steps.counted > 0 {
        let count = KernelCount::start();
        run(steps.counted).await?;
        let n = steps.counted as f64;
        let mut tally: Vec<(String, f64)> = count
            .by_kernel()
            .into_iter()
            .map(|(name, launches)| (name.to_string(), launches as f64 / n))
            .collect();
        kernels_per_step = Some(count.total() as f64 / n);
        tally.sort_by(|a, b| b.1.total_cmp(&a.1));
        kernels = tally;
    }
    Ok(StepTiming {
        model: spec.name,
        batch: b,
        device: compute.backend,
        adapter: compute.adapter.clone(),
        ms_per_step,
        kernels_per_step,
        kernels,
    })
}

/// The device a run trains on, and what the page's badge and the CLI say about it.
#[derive(Debug, Clone)]
pub struct Choice {
    pub compute: Compute,
    /// One line, e.g. "WebGPU (SwiftShader Device, software) 1,150 ms/step · CPU 120 ms/step →
    /// training on the CPU".
    pub summary: String,
    /// The timings "auto" compared (none when a backend was forced).
    pub timings: Vec<StepTiming>,
}

/// The few steps "auto" times on each backend: one to compile, two to time.
const PROBE: Steps = Steps { warmup: 1, timed: 2, counted: 0 };

/// Decides where `config` trains. A forced backend is used if it can be had (the CPU otherwise,
/// saying why); "auto" times a few steps of `config` on the GPU and on the CPU and takes the
/// faster, so a software adapter or a slow integrated GPU never costs a student their time.
pub async fn choose(config: &TrainConfig, preference: Preference) -> Result<Choice, String> {
    let gpu = crate::device::gpu_api_name();
    let forced = |compute: Compute, summary: String| Ok(Choice { compute, summary, timings: vec![] });
    let on_cpu_because = |reason: String| forced(Compute { fallback_reason: Some(reason.clone()), ..Compute::flex() }, format!("training on the CPU: {reason}"));
    match preference {
        Preference::Flex => forced(Compute::flex(), "training on the CPU, as chosen".into()),
        Preference::Wgpu => match Compute::wgpu().await {
            Ok(c) => {
                let adapter = c.adapter.as_ref().map(Adapter::describe).unwrap_or_default();
                let summary = match &c.adapter {
                    Some(a) if a.software => format!("training on {gpu} ({adapter}), as chosen: a software adapter, likely slower than the CPU"),
                    _ => format!("training on your GPU through {gpu} ({adapter}), as chosen"),
                };
                forced(c, summary)
            }
            Err(reason) => on_cpu_because(reason),
        },
        Preference::Auto => {
            let gpu_compute = match Compute::wgpu().await {
                Ok(c) => c,
                Err(reason) => return on_cpu_because(reason),
            };
            let cpu_compute = Compute::flex();
            let on_gpu = bench(config, &gpu_compute, PROBE).await?;
            let on_cpu = bench(config, &cpu_compute, PROBE).await?;
            let adapter = gpu_compute.adapter.as_ref().map(Adapter::describe).unwrap_or_default();
            let gpu_wins = on_gpu.ms_per_step < on_cpu.ms_per_step;
            let target = match (gpu_wins, gpu_compute.adapter.as_ref().is_some_and(|a| a.software)) {
                (false, _) => "the CPU".to_string(),
                (true, true) => format!("{gpu} (a software adapter, yet faster here)"),
                (true, false) => "your GPU".to_string(),
            };
            let summary = format!(
                "{gpu} ({adapter}) {} ms/step · CPU {} ms/step → training on {target}",
                thousands(on_gpu.ms_per_step),
                thousands(on_cpu.ms_per_step)
            );
            let (compute, reason) = if gpu_wins {
                (gpu_compute, None)
            } else {
                (cpu_compute, Some(format!("the CPU was faster than {gpu} ({adapter}) for this model")))
            };
            Ok(Choice { compute: Compute { fallback_reason: reason, ..compute }, summary, timings: vec![on_gpu, on_cpu] })
        }
    }
}

/// Milliseconds as a student reads them: "1,150", "120", "4.2".
fn thousands(ms: f64) -> String {
    if ms < 10.0 {
        return format!("{ms:.1}");
    }
    let digits = format!("{:.0}", ms);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
