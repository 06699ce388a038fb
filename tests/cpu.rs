//! Our CPU convolution and batch norm (`gradbook::mnist::cpu`, what the models train with on
//! Flex): the convolution's gradients against finite differences; both layers' outputs,
//! gradients and (batch norm) running averages against burn's own.
#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::module::conv2d as burn_conv2d;
use burn::tensor::ops::ConvOptions;
use burn::nn::BatchNormConfig;
use burn::tensor::{Device, Distribution, Tensor};
use gradbook::mnist::cpu;

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

/// `loss = Σ conv(x, w) ⊙ g` and its gradients with respect to `x` and `w`, through `conv`.
fn loss_and_grads(
    conv: impl Fn(Tensor<4>, Tensor<4>) -> Tensor<4>,
    x: &Tensor<4>,
    w: &Tensor<4>,
    g: &Tensor<4>,
) -> (f32, Vec<f32>, Vec<f32>) {
    let x = x.clone().autodiff().require_grad();
    let w = w.clone().autodiff().require_grad();
    let loss = (conv(x.clone(), w.clone()) * g.clone().autodiff()).sum();
    let value = values(loss.clone().inner())[0];
    let grads = loss.backward();
    (value, values(x.grad(&grads).unwrap()), values(w.grad(&grads).unwrap()))
}

#[test]
fn gradients_match_central_finite_differences() {
    let device = Device::flex();
    let (x, w) = (random([2, 3, 5, 6], &device), random([4, 3, 3, 3], &device));
    let g = random([2, 4, 5, 6], &device);
    let ours = |x, w| cpu::conv2d(x, w, 1);
    let (_, dx, dw) = loss_and_grads(ours, &x, &w, &g);

    // The loss is linear in x (and in w), so a central difference is exact up to rounding
    // whatever the step; a step of 0.5 keeps the rounding small against the loss.
    let h = 0.5;
    let loss_at = |x: Vec<f32>, w: Vec<f32>| {
        let x = Tensor::<4>::from_data(burn::tensor::TensorData::new(x, [2, 3, 5, 6]), &device);
        let w = Tensor::<4>::from_data(burn::tensor::TensorData::new(w, [4, 3, 3, 3]), &device);
        values((cpu::conv2d(x, w, 1) * g.clone()).sum())[0]
    };
    let (xv, wv) = (values(x.clone()), values(w.clone()));
    for (i, analytic) in dx.iter().enumerate().step_by(7) {
        let (mut plus, mut minus) = (xv.clone(), xv.clone());
        plus[i] += h;
        minus[i] -= h;
        let numeric = (loss_at(plus, wv.clone()) - loss_at(minus, wv.clone())) / (2.0 * h);
        assert!((numeric - analytic).abs() < 1e-3, "dx[{i}]: numeric {numeric}, analytic {analytic}");
    }
    for (i, analytic) in dw.iter().enumerate() {
        let (mut plus, mut minus) = (wv.clone(), wv.clone());
        plus[i] += h;
        minus[i] -= h;
        let numeric = (loss_at(xv.clone(), plus) - loss_at(xv.clone(), minus)) / (2.0 * h);
        assert!((numeric - analytic).abs() < 1e-3, "dw[{i}]: numeric {numeric}, analytic {analytic}");
    }
}

#[test]
fn forward_and_gradients_match_burns_conv2d() {
    let device = Device::flex();
    // (batch, in, out, height, width, kernel, pad): the models' kinds of layer, on odd,
    // non-square maps — padded 3×3, unpadded 3×3, 1×1 — and a 5×5 with a wide pad.
    for (n, c, o, h, wd, k, pad) in
        [(3, 1, 4, 9, 7, 3, 1), (2, 5, 3, 8, 10, 3, 0), (2, 6, 4, 5, 5, 1, 0), (1, 2, 3, 6, 4, 5, 2)]
    {
        let x = random([n, c, h, wd], &device);
        let w = random([o, c, k, k], &device);
        let options = ConvOptions::new([1, 1], [pad, pad], [1, 1], 1);
        let theirs = |x, w| burn_conv2d(x, w, None, options.clone());
        let ours = |x, w| cpu::conv2d(x, w, pad);

        let expected = values(theirs(x.clone(), w.clone()));
        let got = values(ours(x.clone(), w.clone()));
        assert!(max_difference(&got, &expected) < 1e-4, "forward, case k={k} pad={pad}");

        let g = random([n, o, h + 2 * pad + 1 - k, wd + 2 * pad + 1 - k], &device);
        let (l1, dx1, dw1) = loss_and_grads(theirs, &x, &w, &g);
        let (l2, dx2, dw2) = loss_and_grads(ours, &x, &w, &g);
        assert!((l1 - l2).abs() < 1e-3 * l1.abs().max(1.0), "loss, case k={k} pad={pad}");
        assert!(max_difference(&dx1, &dx2) < 1e-4, "dx, case k={k} pad={pad}");
        assert!(max_difference(&dw1, &dw2) < 1e-3, "dw, case k={k} pad={pad}");
    }
}

#[test]
fn strided_views_are_read_in_logical_order() {
    // A transposed view is not stored row-major: the op must read it as it looks.
    let device = Device::flex();
    let view = random([2, 3, 6, 7], &device).swap_dims(2, 3);
    let copy = Tensor::<4>::from_data(view.to_data(), &device);
    let w = random([4, 3, 3, 3], &device);
    let through_view = values(cpu::conv2d(view, w.clone(), 1));
    let from_copy = values(cpu::conv2d(copy, w, 1));
    assert_eq!(through_view, from_copy);
}

#[test]
fn only_flex_devices_take_the_cpu_path() {
    assert!(cpu::supported(&Device::flex()));
    assert!(cpu::supported(&Device::flex().autodiff()));
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
    let (ours, theirs) = [ours, theirs].map(|mut m| {
        m.gamma = m.gamma.map(|_| gamma.clone().require_grad());
        m.beta = m.beta.map(|_| beta.clone().require_grad());
        m
    }).into();
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
        let a = run(&|x| gradbook::mnist::cpu::batch_norm_layer(&ours, x), &ours);
        let b = run(&|x| theirs.forward(x), &theirs);
        assert!(max_difference(&a.0, &b.0) < 1e-3, "output, step {step}");
        assert!(max_difference(&a.1, &b.1) < 1e-3, "dx, step {step}");
        assert!(max_difference(&a.2, &b.2) < 1e-3, "dγ, step {step}");
        assert!(max_difference(&a.3, &b.3) < 1e-3, "dβ, step {step}");
        let stats = |m: &burn::nn::BatchNorm| [values(m.running_mean.value_sync()), values(m.running_var.value_sync())];
        let (sa, sb) = (stats(&ours), stats(&theirs));
        assert!(max_difference(&sa[0], &sb[0]) < 1e-3, "running mean, step {step}");
        assert!(max_difference(&sa[1], &sb[1]) < 1e-3, "running variance, step {step}");
        assert!(sa[0].iter().all(|&m| m > 9.0), "running mean moved toward 100 ({:?})", sa[0]);
    }
}

#[test]
fn gradients_do_not_depend_on_the_thread_count() {
    // Runs are reproducible from their seed on any machine: the kernels split work over
    // threads, but every sum is taken in the same order whatever the pool's size.
    let device = Device::flex();
    let x = random([19, 3, 9, 9], &device);
    let w = random([5, 3, 3, 3], &device);
    let g = random([19, 5, 9, 9], &device);
    let grads_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| loss_and_grads(|x, w| cpu::conv2d(x, w, 1), &x, &w, &g))
    };
    let (one, three) = (grads_with(1), grads_with(3));
    assert_eq!(one.1, three.1, "dx");
    assert_eq!(one.2, three.2, "dw");
}
