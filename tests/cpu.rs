//! Our CPU convolutions, batch norm, max pooling and dropout (`gradbook::mnist::kernels`
//! on Flex: `kernels::cpu`, what the models train with there): the convolution's gradients against finite differences; all layers'
//! outputs, gradients and (batch norm) running averages against burn's own.
#![cfg(not(target_arch = "wasm32"))]

use burn::nn::pool::MaxPool2dConfig;
use burn::nn::BatchNormConfig;
use burn::tensor::module::conv2d as burn_conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use gradbook::mnist::kernels::{self, cpu, kernels, Kernels};
use gradbook::mnist::model::layers;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

fn random<const D: usize>(shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::random(shape, Distribution::Normal(0.0, 1.0), device)
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

type Conv<'a> = dyn Fn(Tensor<4>, Tensor<4>, Tensor<1>) -> Tensor<4> + 'a;

/// `loss = Σ conv(x, w, b) ⊙ g` and its gradients with respect to `x`, `w` and `b`.
fn loss_and_grads(conv: &Conv<'_>, x: &Tensor<4>, w: &Tensor<4>, b: &Tensor<1>, g: &Tensor<4>) -> [Vec<f32>; 4] {
    let x = x.clone().autodiff().require_grad();
    let w = w.clone().autodiff().require_grad();
    let b = b.clone().autodiff().require_grad();
    let loss = (conv(x.clone(), w.clone(), b.clone()) * g.clone().autodiff()).sum();
    let value = values(loss.clone().inner());
    let grads = loss.backward();
    [
        value,
        values(x.grad(&grads).unwrap()),
        values(w.grad(&grads).unwrap()),
        // A bias-free op (depthwise) leaves `b` out of the graph: no gradient.
        b.grad(&grads).map(values).unwrap_or_default(),
    ]
}

/// Random `x` `[n, c, h, w]`, weights `[o, c, k, k]`, bias `[o]` and an output gradient `g`
/// of the convolution's output shape, on Flex.
fn operands([n, c, o, h, w, k, pad]: [usize; 7]) -> (Tensor<4>, Tensor<4>, Tensor<1>, Tensor<4>) {
    let device = Device::flex();
    let g = random([n, o, h + 2 * pad + 1 - k, w + 2 * pad + 1 - k], &device);
    (
        random([n, c, h, w], &device),
        random([o, c, k, k], &device),
        random([o], &device),
        g,
    )
}

#[test]
fn gradients_match_central_finite_differences() {
    let device = Device::flex();
    let (x, w, b, g) = operands([2, 3, 4, 5, 6, 3, 1]);
    let ours = |x, w, b| kernels::conv2d(x, w, Some(b), 1, 1);
    let [_, dx, dw, db] = loss_and_grads(&ours, &x, &w, &b, &g);

    // The loss is linear in each of x, w and b, so a central difference is exact up to
    // rounding whatever the step; a step of 0.5 keeps the rounding small against the loss.
    let h = 0.5;
    let inputs = [values(x), values(w), values(b)];
    let loss_at = |v: &[Vec<f32>; 3]| {
        let x = Tensor::<4>::from_data(TensorData::new(v[0].clone(), [2, 3, 5, 6]), &device);
        let w = Tensor::<4>::from_data(TensorData::new(v[1].clone(), [4, 3, 3, 3]), &device);
        let b = Tensor::<1>::from_data(TensorData::new(v[2].clone(), [4]), &device);
        values((kernels::conv2d(x, w, Some(b), 1, 1) * g.clone()).sum())[0]
    };
    for (which, analytic) in [dx, dw, db].iter().enumerate() {
        for i in (0..analytic.len()).step_by(if which == 0 { 7 } else { 1 }) {
            let (mut plus, mut minus) = (inputs.clone(), inputs.clone());
            plus[which][i] += h;
            minus[which][i] -= h;
            let numeric = (loss_at(&plus) - loss_at(&minus)) / (2.0 * h);
            let name = ["dx", "dw", "db"][which];
            assert!(
                (numeric - analytic[i]).abs() < 1e-3,
                "{name}[{i}]: numeric {numeric}, analytic {}",
                analytic[i]
            );
        }
    }
}

#[test]
fn forward_and_gradients_match_burns_conv2d() {
    // (batch, in, out, height, width, kernel, pad): the models' kinds of layer, on odd,
    // non-square maps — padded 3×3, unpadded 3×3, 1×1 — and a 5×5 with a wide pad.
    for case in [
        [3, 1, 4, 9, 7, 3, 1],
        [2, 5, 3, 8, 10, 3, 0],
        [2, 6, 4, 5, 5, 1, 0],
        [1, 2, 3, 6, 4, 5, 2],
    ] {
        let [k, pad] = [case[5], case[6]];
        let (x, w, b, g) = operands(case);
        let options = ConvOptions::new([1, 1], [pad, pad], [1, 1], 1);
        let theirs = |x, w, b| burn_conv2d(x, w, Some(b), options.clone());
        let ours = |x, w, b| kernels::conv2d(x, w, Some(b), pad, 1);

        let expected = values(theirs(x.clone(), w.clone(), b.clone()));
        let got = values(ours(x.clone(), w.clone(), b.clone()));
        assert!(max_difference(&got, &expected) < 1e-4, "forward, case k={k} pad={pad}");

        let reference = loss_and_grads(&theirs, &x, &w, &b, &g);
        let result = loss_and_grads(&ours, &x, &w, &b, &g);
        for (i, name) in ["loss", "dx", "dw", "db"].iter().enumerate() {
            let tolerance = 1e-3 * reference[i].iter().fold(1.0f32, |m, v| m.max(v.abs()));
            assert!(
                max_difference(&result[i], &reference[i]) < tolerance,
                "{name}, case k={k} pad={pad}"
            );
        }
    }
}

#[test]
fn depthwise_matches_burns_grouped_conv2d() {
    // (batch, channels, height, width, kernel, pad): the separable model's padded 3×3 on
    // odd, non-square maps, an unpadded 3×3 and a 5×5 with a wide pad.
    for case in [[3, 4, 9, 7, 3, 1], [2, 5, 8, 10, 3, 0], [1, 2, 6, 4, 5, 2]] {
        let [n, c, h, w, k, pad] = case;
        let (x, _, b, g) = operands([n, c, c, h, w, k, pad]);
        let weight = random([c, 1, k, k], &Device::flex());
        let options = ConvOptions::new([1, 1], [pad, pad], [1, 1], c);
        let theirs = |x, w, _| burn_conv2d(x, w, None, options.clone());
        let ours = |x, w, _| kernels::conv2d(x, w, None, pad, c);

        let reference = loss_and_grads(&theirs, &x, &weight, &b, &g);
        let result = loss_and_grads(&ours, &x, &weight, &b, &g);
        for (i, name) in ["loss", "dx", "dw"].iter().enumerate() {
            let tolerance = 1e-4 * reference[i].iter().fold(1.0f32, |m, v| m.max(v.abs()));
            assert!(max_difference(&result[i], &reference[i]) < tolerance, "{name}, case {case:?}");
        }
        // With a bias (a student's design may give a depthwise conv one): added after the
        // direct loops, its gradient summed as a full conv's.
        let theirs = |x, w, b| burn_conv2d(x, w, Some(b), options.clone());
        let ours = |x, w, b| kernels::conv2d(x, w, Some(b), pad, c);
        let reference = loss_and_grads(&theirs, &x, &weight, &b, &g);
        let result = loss_and_grads(&ours, &x, &weight, &b, &g);
        for (i, name) in ["loss", "dx", "dw", "db"].iter().enumerate() {
            let tolerance = 1e-4 * reference[i].iter().fold(1.0f32, |m, v| m.max(v.abs()));
            assert!(max_difference(&result[i], &reference[i]) < tolerance, "biased {name}, case {case:?}");
        }
    }
}

#[test]
fn max_pool_matches_burns_layer_exactly_including_ties_and_nan() {
    // After a ReLU many windows hold several equal zeros: the gradient must go to the same
    // one as burn's (the first), so values are rounded to a few levels to make ties common.
    // Odd maps (7×7 → 3×3, as in the models) drop their last row and column.
    let layer = MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init();
    for shape in [[3, 4, 8, 6], [2, 3, 7, 7], [1, 2, 5, 9]] {
        let device = Device::flex();
        let mut x = values(random(shape, &device).clamp_min(0.0).mul_scalar(2.0).round());
        x[5] = f32::NAN; // a NaN wins its window, forward and backward
        let x = Tensor::<4>::from_data(TensorData::new(x, shape), &device);
        let [n, c, h, w] = shape;
        let g = random([n, c, h / 2, w / 2], &device);
        let run = |pool: &dyn Fn(Tensor<4>) -> Tensor<4>| {
            let x = x.clone().autodiff().require_grad();
            let y = pool(x.clone());
            let grads = (y.clone() * g.clone().autodiff()).sum().backward();
            let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
            (bits(values(y.inner())), bits(values(x.grad(&grads).unwrap())))
        };
        let (ours, theirs) = (run(&|x| layers::max_pool_layer(&layer, x)), run(&|x| layer.forward(x)));
        assert_eq!(ours.0, theirs.0, "output, shape {shape:?}");
        assert_eq!(ours.1, theirs.1, "input gradient, shape {shape:?}");
    }
}

#[test]
fn strided_views_are_read_in_logical_order() {
    // A transposed view is not stored row-major: the op must read it as it looks.
    let device = Device::flex();
    let view = random([2, 3, 6, 7], &device).swap_dims(2, 3);
    let copy = Tensor::<4>::from_data(view.to_data(), &device);
    let (w, b) = (random([4, 3, 3, 3], &device), random([4], &device));
    let through_view = values(kernels::conv2d(view, w.clone(), Some(b.clone()), 1, 1));
    let from_copy = values(kernels::conv2d(copy, w, Some(b), 1, 1));
    assert_eq!(through_view, from_copy);
}

#[test]
fn only_flex_devices_take_the_cpu_path() {
    assert_eq!(kernels(&Device::flex()), Kernels::Cpu);
    assert_eq!(kernels(&Device::flex().autodiff()), Kernels::Cpu);
}

#[test]
fn batch_norm_matches_burns_layer_including_running_averages() {
    let device = Device::flex().autodiff();
    let ours = BatchNormConfig::new(3).init(&device);
    let theirs = BatchNormConfig::new(3).init(&device);
    // γ and β away from their initial 1 and 0, and a channel mean far from 0 (the variance
    // must not lose its digits to it).
    let gamma = Tensor::<1>::from_floats([0.5, -1.5, 2.0], &device);
    let beta = Tensor::<1>::from_floats([0.1, 0.0, -0.3], &device);
    let (ours, theirs) = [ours, theirs]
        .map(|mut m| {
            m.gamma = m.gamma.map(|_| gamma.clone().require_grad());
            m.beta = m.beta.map(|_| beta.clone().require_grad());
            m
        })
        .into();
    let x = random([4, 3, 5, 6], &Device::flex()) + 100.0;
    let g = random([4, 3, 5, 6], &Device::flex());

    for step in 0..2 {
        let run = |layer: &dyn Fn(Tensor<4>) -> Tensor<4>, m: &burn::nn::BatchNorm| {
            let x = x.clone().autodiff().require_grad();
            let y = layer(x.clone());
            let grads = (y.clone() * g.clone().autodiff()).sum().backward();
            let grad = |t: Option<Tensor<1>>| values(t.unwrap());
            (
                values(y.inner()),
                values(x.grad(&grads).unwrap()),
                grad(m.gamma.val().grad(&grads)),
                grad(m.beta.val().grad(&grads)),
            )
        };
        let a = run(&|x| layers::batch_norm_layer(&ours, x), &ours);
        let b = run(&|x| theirs.forward(x), &theirs);
        assert!(max_difference(&a.0, &b.0) < 1e-3, "output, step {step}");
        assert!(max_difference(&a.1, &b.1) < 1e-3, "dx, step {step}");
        assert!(max_difference(&a.2, &b.2) < 1e-3, "dγ, step {step}");
        assert!(max_difference(&a.3, &b.3) < 1e-3, "dβ, step {step}");
        let stats = |m: &burn::nn::BatchNorm| [values(m.running_mean.value_sync()), values(m.running_var.value_sync())];
        let (sa, sb) = (stats(&ours), stats(&theirs));
        assert!(max_difference(&sa[0], &sb[0]) < 1e-3, "running mean, step {step}");
        assert!(max_difference(&sa[1], &sb[1]) < 1e-3, "running variance, step {step}");
        assert!(
            sa[0].iter().all(|&m| m > 9.0),
            "running mean moved toward 100 ({:?})",
            sa[0]
        );
    }
}

#[test]
fn gradients_do_not_depend_on_the_thread_count() {
    // Runs are reproducible from their seed on any machine: the kernels split work over
    // threads, but every sum is taken in the same order whatever the pool's size.
    let (x, w, b, g) = operands([19, 3, 5, 9, 9, 3, 1]);
    let grads_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| loss_and_grads(&|x, w, b| kernels::conv2d(x, w, Some(b), 1, 1), &x, &w, &b, &g))
    };
    assert_eq!(grads_with(1), grads_with(3));
    let w = random([3, 1, 3, 3], &Device::flex());
    let (g, threads) = (g.slice([0..19, 0..3]), [1, 3]);
    let [one, three] = threads.map(|t| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
        pool.install(|| loss_and_grads(&|x, w, _| kernels::conv2d(x, w, None, 1, 3), &x, &w, &b, &g))
    });
    assert_eq!(one, three, "depthwise");
}

#[test]
fn dropout_masks_keep_the_right_share_and_repeat_with_their_seed() {
    let keep = 1.0 - 0.069;
    let mask = cpu::dropout::mask(200_000, keep, 42);
    let scale = (1.0 / keep) as f32;
    assert!(mask.iter().all(|&m| m == 0.0 || m == scale), "values other than 0 and 1/keep");
    // 200,000 draws: the kept share's standard deviation is 0.00057.
    let kept = mask.iter().filter(|&&m| m != 0.0).count() as f64 / mask.len() as f64;
    assert!((kept - keep).abs() < 0.003, "kept {kept}, expected {keep}");
    assert_eq!(mask, cpu::dropout::mask(200_000, keep, 42));
    assert_ne!(mask, cpu::dropout::mask(200_000, keep, 43));
}

#[test]
fn dropout_layer_scales_what_it_keeps_and_passes_gradients_through_the_same_mask() {
    let device = Device::flex().autodiff();
    let layer = burn::nn::DropoutConfig::new(0.25).init();
    let x = Tensor::<4>::ones([2, 3, 8, 8], &device).require_grad();
    let y = layers::dropout_layer(&layer, x.clone());
    let grads = y.clone().sum().backward();
    let (y, dx) = (values(y.inner()), values(x.grad(&grads).unwrap()));
    assert!(y.iter().all(|&v| v == 0.0 || v == 1.0 / 0.75));
    assert!(y.contains(&0.0) && y.iter().any(|&v| v != 0.0));
    // With x = 1 the output is the mask, and d(Σ y)/dx is the mask too.
    assert_eq!(y, dx);
    // Two calls draw two masks.
    assert_ne!(y, values(layers::dropout_layer(&layer, x).inner()));
    // Outside training (no autodiff) the layer passes its input through.
    let plain = Tensor::<4>::ones([2, 3, 8, 8], &Device::flex());
    assert!(values(layers::dropout_layer(&layer, plain)).iter().all(|&v| v == 1.0));
}
