//! burn's wgpu backend natively, on a real Vulkan driver: Mesa's lavapipe where there is no GPU
//! (`scripts/setup.sh --test` installs it; CI has no GPU). Training steps there must agree with
//! the CPU, Part 1 with the chain rule, the bench must count kernels, and "auto" must see a
//! software adapter for what it is.
//!
//! Without any Vulkan device these tests say so and pass, unless `GRADBOOK_REQUIRE_WGPU=1`
//! (set by `npm test`, which installs lavapipe) makes a missing device a failure.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::{Mutex, MutexGuard};

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Int, Tensor, TensorData};
use gradbook::device::{Backend, Compute, Preference};
use gradbook::mnist::run::bench::{self, Steps};
use gradbook::mnist::run::step::{self, Stepper};
use gradbook::mnist::{run::checkpoint, TrainConfig};
use gradbook::tiny::{autodiff, exact, trace::max_abs_difference, TinyConfig};

/// One test at a time: they share the process's one wgpu device, its random generator and the
/// process-wide kernel counter.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The wgpu device, or `None` (and a line saying why) where there is none and none is required.
fn wgpu() -> Option<Compute> {
    match pollster::block_on(Compute::wgpu()) {
        Ok(c) => Some(c),
        Err(reason) if std::env::var("GRADBOOK_REQUIRE_WGPU").as_deref() != Ok("1") => {
            eprintln!("skipped: no wgpu device ({reason}); install mesa-vulkan-drivers for lavapipe");
            None
        }
        Err(reason) => panic!("GRADBOOK_REQUIRE_WGPU=1 but there is no wgpu device: {reason}"),
    }
}

/// A batch of 28×28 images of uniform noise in [-0.3, 0.7), and their labels. Noise, not
/// structure, on purpose: every value differs from its neighbours, so max pooling and ReLU meet
/// no exact ties (which each backend may break its own way, both correctly).
fn batch(n: usize, device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
    let mut state = 12345u64;
    let pixels: Vec<f32> = (0..n * 784)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 40) as f32 / (1u64 << 24) as f32 - 0.3
        })
        .collect();
    let labels: Vec<i64> = (0..n as i64).map(|i| (i * 7) % 10).collect();
    (
        Tensor::<4>::from_data(TensorData::new(pixels, [n, 1, 28, 28]), device),
        Tensor::<1, Int>::from_data(TensorData::new(labels, [n]), device),
    )
}

/// What one start gives on `device`: the gradient of every parameter for one batch, and the
/// losses of two training steps. The weights are made on the CPU and copied over, so both
/// devices start identically.
fn first_steps(config: &TrainConfig, start: &[u8], device: &Device) -> (Vec<Vec<f32>>, Vec<f32>) {
    let spec = config.spec();
    let (_, model) = checkpoint::from_bytes(start, None, device).unwrap();
    let model = model.train().with_dropout_of(&spec);
    let ad = device.clone().autodiff();
    let (x, y) = batch(config.batch_size, &ad);

    let loss = step::loss(model.forward(x.clone()), y.clone(), config.label_smoothing).mean();
    let grads = param_grads(&model, &loss.backward()).into_iter().map(read).collect();

    let mut stepper = Stepper::new(model, config);
    let losses = (0..2).map(|_| read(stepper.step(x.clone(), y.clone(), config.lr).0)[0]).collect();
    (grads, losses)
}

/// The gradient of each of `module`'s parameters that has one, flattened, in parameter order.
fn param_grads<M: Module>(module: &M, gradients: &burn::tensor::Gradients) -> Vec<Tensor<1>> {
    struct Grads<'a>(&'a burn::tensor::Gradients, Vec<Tensor<1>>);
    impl ModuleVisitor for Grads<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = param.val().grad(self.0) {
                let n = g.shape().num_elements();
                self.1.push(g.reshape([n]));
            }
        }
    }
    let mut grads = Grads(gradients, Vec::new());
    module.visit(&mut grads);
    grads.1
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    pollster::block_on(t.into_data_async()).unwrap().try_to_vec::<f32>().unwrap()
}

/// Noise in [-1, 1) of `shape`, the same on every call with the same `seed`.
fn noise<const D: usize>(shape: [usize; D], seed: u64) -> TensorData {
    let mut state = seed;
    let n = shape.iter().product();
    let values: Vec<f32> = (0..n)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect();
    TensorData::new(values, shape)
}

/// One layer on `device` under autodiff: its output for input `x`, and the gradients of the
/// input and of each parameter for the loss `Σ y · r` (so the upstream gradient is `r`).
fn layer_pass<M: Module + Clone>(
    layer: &M,
    forward: fn(&M, Tensor<4>) -> Tensor<4>,
    x: &TensorData,
    device: &Device,
) -> Vec<Vec<f32>> {
    let ad = device.clone().autodiff();
    let layer = layer.clone().to_device(&ad).train();
    let x = Tensor::<4>::from_data(x.clone(), &ad).require_grad();
    let y = forward(&layer, x.clone());
    let r = Tensor::<4>::from_data(noise(y.dims(), 99), &ad);
    let gradients = (y.clone() * r).sum().backward();
    let dx = x.grad(&gradients).expect("the input gets a gradient");
    let n = dx.shape().num_elements();
    let mut out = vec![read(y.reshape([-1])), read(dx.reshape([n]))];
    out.extend(param_grads(&layer, &gradients).into_iter().map(read));
    out
}

/// Each layer our GPU kernels cover (`gpu::conv`, `gpu::batch_norm`, `gpu::max_pool`), on
/// shapes at their edges (odd sizes, padding 0 and 1, 1×1, depthwise, grouped, biased, pooling
/// that drops an odd row and column): the output and the gradients of the input and of every
/// parameter agree with the CPU's. Tolerance 1e-5 of each tensor's largest value: a layer is a
/// few dozen products per value, summed in another order; a wrong index is off by whole values.
#[test]
fn each_gpu_kernel_agrees_with_the_cpu() {
    use burn::nn::conv::{Conv2d, Conv2dConfig};
    use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
    use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
    use gradbook::mnist::kernels::{kernels, Kernels};
    use gradbook::mnist::model::layers;

    let _one = one_at_a_time();
    let Some(gpu) = wgpu() else { return };
    assert_eq!(kernels(&gpu.device.clone().autodiff()), Kernels::Gpu);
    let cpu = Device::flex();
    cpu.seed(3);
    let compare = |name: &str, on_cpu: Vec<Vec<f32>>, on_gpu: Vec<Vec<f32>>| {
        assert_eq!(on_cpu.len(), on_gpu.len(), "{name}: the same gradients");
        for (k, (c, g)) in on_cpu.iter().zip(&on_gpu).enumerate() {
            assert_eq!(c.len(), g.len(), "{name}: tensor {k} has the same size");
            let largest = c.iter().fold(0f32, |m, v| m.max(v.abs()));
            let off = c.iter().zip(g).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
            assert!(largest > 0.0 && off <= 1e-5 * largest, "{name}: tensor {k} differs by {off:.2e} of at most {largest:.2e}");
        }
    };
    let conv = |[c, o]: [usize; 2], k: usize, pad: usize, groups: usize, bias: bool| {
        Conv2dConfig::new([c, o], [k, k])
            .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
            .with_groups(groups)
            .with_bias(bias)
            .init(&cpu)
    };
    let convs = [
        ("3×3 conv, padded, biased", conv([3, 5], 3, 1, 1, true), [3, 3, 9, 7]),
        ("3×3 conv, unpadded", conv([4, 6], 3, 0, 1, false), [2, 4, 8, 9]),
        ("1×1 conv", conv([6, 4], 1, 0, 1, false), [3, 6, 5, 5]),
        ("depthwise 3×3", conv([5, 5], 3, 1, 5, false), [3, 5, 7, 6]),
        ("grouped 3×3", conv([4, 6], 3, 1, 2, false), [2, 4, 6, 5]),
    ];
    for (name, layer, shape) in convs {
        let x = noise(shape, 1);
        let f: fn(&Conv2d, Tensor<4>) -> Tensor<4> = layers::conv_layer;
        compare(name, layer_pass(&layer, f, &x, &cpu), layer_pass(&layer, f, &x, &gpu.device));
    }
    let norm: BatchNorm = BatchNormConfig::new(5).init(&cpu);
    let x = noise([4, 5, 6, 7], 2);
    let f: fn(&BatchNorm, Tensor<4>) -> Tensor<4> = layers::batch_norm_layer;
    compare("batch norm", layer_pass(&norm, f, &x, &cpu), layer_pass(&norm, f, &x, &gpu.device));
    let pool: MaxPool2d = MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init();
    let x = noise([2, 3, 7, 9], 4);
    let f: fn(&MaxPool2d, Tensor<4>) -> Tensor<4> = layers::max_pool_layer;
    compare("2×2 max pool", layer_pass(&pool, f, &x, &cpu), layer_pass(&pool, f, &x, &gpu.device));
}

/// Dropout's mask on the GPU (`gpu::dropout`): only 0 and 1/keep, the kept share within
/// 0.3 % of `keep` over 200,000 elements (its standard deviation is 0.057 %), the same mask
/// again for the same seed and another for the next draw; and the layer passes the gradient
/// through the same mask.
#[test]
fn gpu_dropout_masks_keep_the_right_share_and_repeat_with_their_seed() {
    use burn::nn::DropoutConfig;
    use gradbook::mnist::kernels;
    use gradbook::mnist::model::layers;

    let _one = one_at_a_time();
    let Some(gpu) = wgpu() else { return };
    let device = gpu.device.clone();
    let keep = 1.0 - 0.069;
    let like = Tensor::<4>::zeros([8, 25, 40, 25], &device);
    let read = |t: Tensor<4>| t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap();
    device.seed(42);
    let mask = read(kernels::dropout_mask(&like, keep));
    let scale = (1.0 / keep) as f32;
    assert!(mask.iter().all(|&m| m == 0.0 || m == scale), "values other than 0 and 1/keep");
    let kept = mask.iter().filter(|&&m| m != 0.0).count() as f64 / mask.len() as f64;
    assert!((kept - keep).abs() < 0.003, "kept {kept}, expected {keep}");
    let next = read(kernels::dropout_mask(&like, keep));
    device.seed(42);
    assert_eq!(mask, read(kernels::dropout_mask(&like, keep)), "the same seed, the same mask");
    assert_ne!(mask, next, "the next draw, another mask");

    let layer = DropoutConfig::new(0.25).init();
    let x = Tensor::<4>::ones([2, 3, 8, 8], &device.clone().autodiff()).require_grad();
    let y = layers::dropout_layer(&layer, x.clone());
    let grads = y.clone().sum().backward();
    let (y, dx) = (read(y.inner()), read(x.grad(&grads).unwrap()));
    assert!(y.iter().all(|&v| v == 0.0 || v == 1.0 / 0.75) && y.contains(&0.0));
    assert_eq!(y, dx, "with x = 1 the output and the gradient are both the mask");
}

/// `recipe`'s gradients and first steps on wgpu agree with the CPU's.
///
/// Tolerance: each parameter's gradient within 1e-3 of its largest value, and the losses of the
/// first two steps within 1e-3 relative. The backends sum in different orders (GPU tree
/// reductions, the CPU's 16-lane sums, other matrix-product tilings); measured here, `compact`'s
/// gradients agree to 2e-6 and `seed`'s to 1e-5 (their losses to 1e-7), so the bound leaves a
/// margin of 100 and more. (With burn's own GPU layers, before `gpu::batch_norm`, they were 4e-6
/// and 5e-5: its batch-norm variance lost digits to cancellation.)
/// A wrong kernel is far outside it: a missing term, a transposed kernel or an off-by-one window
/// moves gradients by percents. Later steps are not compared: SGD with momentum amplifies the
/// rounding step by step (seed's losses part by 0.8 % after five), which says nothing of kernels.
fn steps_agree(recipe: &str) {
    let _one = one_at_a_time();
    let Some(gpu) = wgpu() else { return };
    let config = TrainConfig {
        batch_size: 16,
        // Dropout draws its mask from each device's own generator: not comparable.
        dropout: false,
        lr: 0.05,
        ..TrainConfig::recipe(recipe).unwrap()
    };
    let spec = config.spec();
    let cpu = Device::flex();
    cpu.seed(7);
    let start = pollster::block_on(checkpoint::to_bytes(&spec, &spec.init(&cpu).unwrap())).unwrap();
    let (cpu_grads, cpu_losses) = first_steps(&config, &start, &cpu);
    let (gpu_grads, gpu_losses) = first_steps(&config, &start, &gpu.device);
    assert_eq!(cpu_grads.len(), gpu_grads.len(), "{recipe}: the same parameters have gradients");
    let mut worst = 0f32;
    for (k, (c, g)) in cpu_grads.iter().zip(&gpu_grads).enumerate() {
        let largest = c.iter().fold(0f32, |m, v| m.max(v.abs()));
        let off = c.iter().zip(g).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(largest > 0.0, "{recipe}: parameter {k} gets no gradient");
        assert!(off <= 1e-3 * largest, "{recipe}: parameter {k}'s gradient differs by {off:.2e} of at most {largest:.2e}");
        worst = worst.max(off / largest);
    }
    eprintln!("{recipe}: gradients within {worst:.1e} of each parameter's largest; losses {cpu_losses:?} vs {gpu_losses:?}");
    for (step, (c, g)) in cpu_losses.iter().zip(&gpu_losses).enumerate() {
        let relative = (c - g).abs() / c.abs();
        assert!(relative < 1e-3, "{recipe} step {step}: CPU loss {c}, wgpu {g} (relative difference {relative:.2e})");
    }
}

#[test]
fn compact_trains_the_same_on_wgpu_as_on_the_cpu() {
    steps_agree("compact");
}

#[test]
fn seed_trains_the_same_on_wgpu_as_on_the_cpu() {
    steps_agree("seed");
}

#[test]
fn part_one_on_wgpu_matches_the_chain_rule() {
    let _one = one_at_a_time();
    let Some(gpu) = wgpu() else { return };
    let config = TinyConfig { iterations: 1000, ..TinyConfig::default() };
    let burn = pollster::block_on(autodiff::train_all(&config, &gpu.device)).unwrap();
    let diff = max_abs_difference(&burn, &exact::train_all(&config));
    assert!(diff < 1e-5, "burn on wgpu differs from the chain rule by {diff}");
}

#[test]
fn the_bench_counts_a_steps_kernels() {
    let _one = one_at_a_time();
    let Some(gpu) = wgpu() else { return };
    let config = TrainConfig { batch_size: 8, ..TrainConfig::compact() };
    let steps = Steps { warmup: 1, timed: 1, counted: 2 };
    let t = pollster::block_on(bench::bench(&config, &gpu, steps)).unwrap();
    assert_eq!((t.model.as_str(), t.batch, t.device), ("compact", 8, Backend::Wgpu));
    assert!(t.ms_per_step > 0.0);
    let kernels = t.kernels_per_step.expect("wgpu steps launch kernels");
    // A step of compact runs 21 layers forward and back and updates 29 parameter tensors: far
    // more than 50 launches, however well fused; with our kernels for its convolutions, batch
    // norms and poolings (one per pass each) at most 150, fewer than PyTorch eager's 187
    // (598 with burn's own layers unfused, 284 fused).
    assert!(kernels > 50.0 && kernels <= 150.0, "{kernels} kernels per step");
    let named: f64 = t.kernels.iter().map(|(_, n)| n).sum();
    assert!((named - kernels).abs() < 1e-9, "the named launches add up to the total");
    // The same step twice launches the same kernels: a whole number per step.
    assert_eq!(kernels.fract(), 0.0, "{kernels}");

    // The CPU launches no kernels, and says so by reporting none.
    let t = pollster::block_on(bench::bench(&config, &Compute::flex(), steps)).unwrap();
    assert_eq!(t.kernels_per_step, None);
}

#[test]
fn auto_sees_a_software_adapter_for_what_it_is() {
    let _one = one_at_a_time();
    let Some(gpu) = wgpu() else { return };
    let adapter = gpu.adapter.clone().expect("wgpu reports its adapter");
    if !adapter.software {
        eprintln!("skipped: {} is a hardware GPU; this test is about software adapters", adapter.name);
        return;
    }
    let config = TrainConfig { batch_size: 16, ..TrainConfig::compact() };
    let choice = pollster::block_on(bench::choose(&config, Preference::Auto)).unwrap();
    let [on_gpu, on_cpu] = &choice.timings[..] else { panic!("auto times both devices: {:?}", choice.timings) };
    assert_eq!((on_gpu.device, on_cpu.device), (Backend::Wgpu, Backend::Flex));
    // Lavapipe emulates a GPU on the CPU through Vulkan: many times slower than the CPU backend.
    let chosen = if on_gpu.ms_per_step < on_cpu.ms_per_step { Backend::Wgpu } else { Backend::Flex };
    assert_eq!(choice.compute.backend, chosen);
    assert!(choice.summary.contains(&format!("({}, software)", adapter.name)), "{}", choice.summary);
    assert!(choice.summary.contains(" ms/step · CPU ") && !choice.summary.contains("your GPU"), "{}", choice.summary);

    // Forced, it is still not called "your GPU".
    let forced = pollster::block_on(bench::choose(&config, Preference::Wgpu)).unwrap();
    assert_eq!(forced.compute.backend, Backend::Wgpu);
    assert!(forced.summary.contains("software adapter") && !forced.summary.contains("your GPU"), "{}", forced.summary);
}
