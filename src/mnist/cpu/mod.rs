//! Faster CPU kernels for the layers that dominate a training step, as burn operations with
//! their own backward passes: [`conv2d`], [`depthwise2d`], [`batch_norm_train`] and
//! [`max_pool2x2`]; and dropout's mask, [`dropout_mask`].
//!
//! burn lets a crate add operations to chosen backends (`#[backend_extension]`): here Flex,
//! and Flex under autodiff, whose backward steps call our gradient kernels. The model's layers
//! go through [`conv_layer`], [`batch_norm_layer`], [`max_pool_layer`] and [`dropout_layer`], which take these on
//! Flex and leave every other backend (wgpu) to burn's own layers.
//!
//! - [`conv`]: convolution as im2col + matrix products.
//! - [`depthwise`]: depthwise convolution (one filter per channel) as direct loops.
//! - [`batch_norm`]: batch statistics read in place, two passes each way.
//! - [`max_pool`]: 2×2 max pooling, four reads a window.
//! - [`dropout`]: the random keep/drop mask, from a fast generator.
//! - `parallel`: how a batch is split over threads (not at all in wasm).
//! - `sum`: sums the compiler can vectorise.
//!
//! All four are checked against burn's layers (the convolution also against finite
//! differences) in `tests/cpu.rs`.

pub mod batch_norm;
pub mod conv;
pub mod depthwise;
pub mod dropout;
pub mod max_pool;
mod parallel;
mod sum;

use std::borrow::Cow;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{
    backend_extension, Autodiff, AutodiffBackend, Backend, Dispatch, DispatchDevice, ExtensionType, Flex,
};
use burn::nn::conv::Conv2d;
use burn::nn::pool::MaxPool2d;
use burn::nn::{BatchNorm, Dropout, PaddingConfig2d};
use burn::tensor::{DType, Device, Distribution, Shape, Tensor, TensorData};

use batch_norm::BatchShape;
use conv::ConvShape;
use max_pool::PoolShape;

/// Whether these operations run on `device`: Flex, with or without autodiff.
pub fn supported(device: &Device) -> bool {
    match device.as_dispatch() {
        DispatchDevice::Flex(_) => true,
        DispatchDevice::Autodiff(inner) => matches!(**inner, DispatchDevice::Flex(_)),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// A convolution layer's forward pass: on the CPU through [`conv2d`] (several times faster
/// there than burn's), elsewhere — or for a layer or input our kernel does not cover, which
/// burn then reports in its own words — burn's own.
pub fn conv_layer(m: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let [_, c, h, w] = x.dims();
    let k = m.kernel_size[0];
    let simple = m.stride == [1, 1] && m.dilation == [1, 1] && m.kernel_size[1] == k && x.dtype() == DType::F32;
    let pad = match m.padding {
        PaddingConfig2d::Explicit(pad, b, l, r) if [b, l, r] == [pad; 3] => Some(pad),
        _ => None,
    };
    match pad {
        Some(pad) if simple && h + 2 * pad >= k && w + 2 * pad >= k && supported(&x.device()) => {
            if m.groups == 1 {
                // The bias is read before the weight on purpose: burn initialises parameters
                // lazily, on first read, so this order decides which random draws each one
                // gets; changing it changes every recorded run of a model with biases.
                let bias = match &m.bias {
                    Some(bias) => bias.val(),
                    // A constant zero: nothing asks for its gradient.
                    None => Tensor::zeros([m.weight.dims()[0]], &x.device()),
                };
                conv2d(x, m.weight.val(), bias, pad)
            } else if m.groups == c && m.weight.dims()[0] == c && m.bias.is_none() {
                depthwise2d(x, m.weight.val(), pad)
            } else {
                m.forward(x)
            }
        }
        _ => m.forward(x),
    }
}

/// A batch norm layer's forward pass: training on the CPU through [`batch_norm_train`],
/// updating the running averages exactly as burn's layer does; otherwise (evaluation, the
/// GPU) burn's layer itself.
pub fn batch_norm_layer(m: &BatchNorm, x: Tensor<4>) -> Tensor<4> {
    let device = x.device();
    let fits = x.dims()[1] == m.gamma.dims()[0] && x.dtype() == DType::F32;
    if !(device.is_autodiff() && m.training.is_enabled() && fits && supported(&device)) {
        return m.forward(x);
    }
    let (y, mean, var) = batch_norm_train(x, m.gamma.val(), m.beta.val(), m.epsilon);
    let blend = |running: Tensor<1>, batch: Tensor<1>| {
        running
            .to_device(&device)
            .mul_scalar(1.0 - m.momentum)
            .add(batch.mul_scalar(m.momentum))
            .detach()
    };
    m.running_mean.update(blend(m.running_mean.value_sync(), mean));
    m.running_var.update(blend(m.running_var.value_sync(), var));
    y
}

/// A max-pooling layer's forward pass: 2×2 windows with stride 2 on the CPU through
/// [`max_pool2x2`], any other pooling (or device) through burn's layer.
pub fn max_pool_layer(m: &MaxPool2d, x: Tensor<4>) -> Tensor<4> {
    let unpadded = matches!(m.padding, PaddingConfig2d::Valid | PaddingConfig2d::Explicit(0, 0, 0, 0));
    let two_by_two = m.kernel_size == [2, 2] && m.stride == [2, 2] && m.dilation == [1, 1] && !m.ceil_mode;
    if two_by_two && unpadded && x.dtype() == DType::F32 && supported(&x.device()) {
        max_pool2x2(x)
    } else {
        m.forward(x)
    }
}

/// A dropout layer's forward pass. While training on the CPU the mask comes from
/// [`dropout_mask`]; elsewhere (evaluation, the GPU) burn's layer.
pub fn dropout_layer(m: &Dropout, x: Tensor<4>) -> Tensor<4> {
    let device = x.device();
    let training = device.is_autodiff() && m.training.is_enabled() && m.prob > 0.0;
    if training && m.prob < 1.0 && x.dtype() == DType::F32 && supported(&device) {
        let mask = dropout_mask(&x, 1.0 - m.prob);
        x * mask
    } else {
        m.forward(x)
    }
}

/// A mask shaped like `like` of `1 / keep` (probability `keep`) and 0, not differentiated.
/// Its generator's seed is drawn from the device's own seeded stream, so a seeded run
/// draws the same masks again. Only on devices [`supported`] says yes to.
pub fn dropout_mask(like: &Tensor<4>, keep: f64) -> Tensor<4> {
    let seed = Tensor::<1>::random([2], Distribution::Default, &like.device());
    Tensor::from_dispatch(<Dispatch as CpuOps>::cpu_dropout_mask(
        like.clone().into_dispatch(),
        seed.into_dispatch(),
        keep,
    ))
}

/// 2×2 max pooling with stride 2 of `x` `[n, c, h, w]`, `f32`; differentiable. Only on
/// devices [`supported`] says yes to.
pub fn max_pool2x2(x: Tensor<4>) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as CpuOps>::cpu_max_pool2x2(x.into_dispatch()))
}

/// A stride-1 convolution of `x` `[n, c, h, w]` with `weight` `[o, c, k, k]` plus `bias`
/// `[o]`, zero padding `pad`, all `f32`; differentiable. Only on devices [`supported`] says
/// yes to, and only for operands that fit ([`conv_layer`] checks both).
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, bias: Tensor<1>, pad: usize) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as CpuOps>::cpu_conv2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
        pad,
    ))
}

/// A depthwise convolution (one filter per channel, stride 1, no bias) of `x` `[n, c, h, w]`
/// with `weight` `[c, 1, k, k]`, zero padding `pad`, all `f32`; differentiable. Only on
/// devices [`supported`] says yes to, and only for operands that fit ([`conv_layer`] checks).
pub fn depthwise2d(x: Tensor<4>, weight: Tensor<4>, pad: usize) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as CpuOps>::cpu_depthwise2d(x.into_dispatch(), weight.into_dispatch(), pad))
}

/// Batch normalisation of `x` `[n, c, h, w]` with the batch's own statistics, differentiable:
/// `(y, per-channel mean, per-channel biased variance)`, the statistics detached (for the
/// running averages). Only on devices [`supported`] says yes to.
pub fn batch_norm_train(
    x: Tensor<4>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    epsilon: f64,
) -> (Tensor<4>, Tensor<1>, Tensor<1>) {
    let out =
        <Dispatch as CpuOps>::cpu_batch_norm(x.into_dispatch(), gamma.into_dispatch(), beta.into_dispatch(), epsilon);
    (
        Tensor::from_dispatch(out.output),
        Tensor::from_dispatch(out.mean),
        Tensor::from_dispatch(out.var),
    )
}

/// What [`CpuOps::cpu_batch_norm`] returns.
#[derive(ExtensionType)]
pub struct BatchNormOut<B: Backend> {
    pub output: FloatTensor<B>,
    pub mean: FloatTensor<B>,
    pub var: FloatTensor<B>,
}

#[backend_extension(Flex, Autodiff)]
pub trait CpuOps: Backend {
    fn cpu_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self>;
    fn cpu_depthwise2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, pad: usize) -> FloatTensor<Self>;
    fn cpu_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormOut<Self>;
    fn cpu_max_pool2x2(x: FloatTensor<Self>) -> FloatTensor<Self>;
    fn cpu_dropout_mask(like: FloatTensor<Self>, seed: FloatTensor<Self>, keep: f64) -> FloatTensor<Self>;
}

impl CpuOps for Flex {
    fn cpu_conv2d(x: FlexTensor, weight: FlexTensor, bias: FlexTensor, pad: usize) -> FlexTensor {
        let s = conv_shape(&x, &weight, &bias, pad);
        let y = conv::forward(&values(&x), &values(&weight), &values(&bias), &s);
        flex([s.n, s.o, s.out_h(), s.out_w()], y)
    }

    fn cpu_depthwise2d(x: FlexTensor, weight: FlexTensor, pad: usize) -> FlexTensor {
        let s = depthwise_shape(&x, &weight, pad);
        flex([s.n, s.c, s.out_h(), s.out_w()], depthwise::forward(&values(&x), &values(&weight), &s))
    }

    fn cpu_batch_norm(x: FlexTensor, gamma: FlexTensor, beta: FlexTensor, epsilon: f64) -> BatchNormOut<Self> {
        let (shape, s) = batch_shape(&x);
        let (y, mean, var) = batch_norm::forward(&values(&x), &values(&gamma), &values(&beta), epsilon, &s);
        BatchNormOut {
            output: flex(shape, y),
            mean: flex([s.c], mean),
            var: flex([s.c], var),
        }
    }

    fn cpu_max_pool2x2(x: FlexTensor) -> FlexTensor {
        let s = pool_shape(&x);
        flex([s.n, s.c, s.out_h(), s.out_w()], max_pool::forward(&values(&x), &s))
    }

    fn cpu_dropout_mask(like: FlexTensor, seed: FlexTensor, keep: f64) -> FlexTensor {
        // Two uniform draws in [0, 1) of 24 bits each make the generator's 48-bit seed.
        let bits = values(&seed).iter().fold(0u64, |acc, u| (acc << 24) | (u * 16_777_216.0) as u64);
        let shape = dims4(&like);
        flex(shape, dropout::mask(shape.iter().product(), keep, bits))
    }
}

impl<C: CheckpointStrategy> CpuOps for Autodiff<Flex, C> {
    fn cpu_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        match ConvBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), pad);
                let y = Flex::cpu_conv2d(x.into_primitive(), weight.into_primitive(), bias.into_primitive(), pad);
                prep.finish(state, y)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::cpu_conv2d(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                pad,
            )),
        }
    }

    fn cpu_depthwise2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, pad: usize) -> FloatTensor<Self> {
        match DepthwiseBackward.prepare::<C>([x.node(), weight.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), pad);
                prep.finish(state, Flex::cpu_depthwise2d(x.into_primitive(), weight.into_primitive(), pad))
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::cpu_depthwise2d(x.into_primitive(), weight.into_primitive(), pad)),
        }
    }

    fn cpu_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormOut<Self> {
        let out = Flex::cpu_batch_norm(
            x.primitive().clone(),
            gamma.primitive().clone(),
            beta.primitive().clone(),
            epsilon,
        );
        let output = match BatchNormBackward
            .prepare::<C>([x.node(), gamma.node(), beta.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = BatchNormState {
                    x: prep.checkpoint(&x),
                    gamma: prep.checkpoint(&gamma),
                    mean: out.mean.clone(),
                    var: out.var.clone(),
                    epsilon,
                };
                prep.finish(state, out.output)
            }
            OpsKind::UnTracked(prep) => prep.finish(out.output),
        };
        // The statistics are constants to autodiff: they only feed the running averages.
        BatchNormOut {
            output,
            mean: Self::from_inner(out.mean),
            var: Self::from_inner(out.var),
        }
    }

    fn cpu_max_pool2x2(x: FloatTensor<Self>) -> FloatTensor<Self> {
        match MaxPoolBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = prep.checkpoint(&x);
                prep.finish(state, Flex::cpu_max_pool2x2(x.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::cpu_max_pool2x2(x.into_primitive())),
        }
    }

    fn cpu_dropout_mask(like: FloatTensor<Self>, seed: FloatTensor<Self>, keep: f64) -> FloatTensor<Self> {
        // A constant to autodiff: the gradient flows through the multiplication by it.
        Self::from_inner(Flex::cpu_dropout_mask(like.into_primitive(), seed.into_primitive(), keep))
    }
}

/// The convolution's backward step: input, weight and bias gradients, each only when
/// something upstream needs it (the images never do, nor a bias-free layer's zero bias).
#[derive(Debug)]
struct ConvBackward;

impl Backward<Flex, 3> for ConvBackward {
    type State = (NodeId, NodeId, usize);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let (x_id, weight_id, pad) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x_id);
        let weight: FlexTensor = checkpointer.retrieve_node_output(weight_id);
        let [n, c, h, w] = dims4(&x);
        let [o, _, k, _] = dims4(&weight);
        let s = ConvShape { n, c, h, w, o, k, pad };
        let dy = values(&dy);
        if let Some(node) = node_x {
            let dx = conv::backward_x(&dy, &values(&weight), &s);
            grads.register::<Flex>(node.id, flex([n, c, h, w], dx));
        }
        if node_weight.is_some() || node_bias.is_some() {
            let (dw, db) = conv::backward_weight(&values(&x), &dy, &s);
            for (node, grad) in [(node_weight, flex([o, c, k, k], dw)), (node_bias, flex([o], db))] {
                if let Some(node) = node {
                    grads.register::<Flex>(node.id, grad);
                }
            }
        }
    }
}

/// The depthwise convolution's backward step: input and weight gradients, each only when
/// something upstream needs it.
#[derive(Debug)]
struct DepthwiseBackward;

impl Backward<Flex, 2> for DepthwiseBackward {
    type State = (NodeId, NodeId, usize);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_weight] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let (x_id, weight_id, pad) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x_id);
        let weight: FlexTensor = checkpointer.retrieve_node_output(weight_id);
        let s = depthwise_shape(&x, &weight, pad);
        let dy = values(&dy);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, flex([s.n, s.c, s.h, s.w], depthwise::backward_x(&dy, &values(&weight), &s)));
        }
        if let Some(node) = node_weight {
            grads.register::<Flex>(node.id, flex([s.c, 1, s.k, s.k], depthwise::backward_weight(&values(&x), &dy, &s)));
        }
    }
}

/// The max pooling's backward step: each output gradient back to its window's maximum.
#[derive(Debug)]
struct MaxPoolBackward;

impl Backward<Flex, 1> for MaxPoolBackward {
    type State = NodeId;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let x: FlexTensor = checkpointer.retrieve_node_output(ops.state);
        if let Some(node) = node_x {
            let s = pool_shape(&x);
            let dx = max_pool::backward(&values(&x), &values(&dy), &s);
            grads.register::<Flex>(node.id, flex([s.n, s.c, s.h, s.w], dx));
        }
    }
}

/// The batch norm's backward step: gradients for the input, γ and β.
#[derive(Debug)]
struct BatchNormBackward;

#[derive(Debug, Clone)]
struct BatchNormState {
    x: NodeId,
    gamma: NodeId,
    mean: FlexTensor,
    var: FlexTensor,
    epsilon: f64,
}

impl Backward<Flex, 3> for BatchNormBackward {
    type State = BatchNormState;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let st = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(st.x);
        let gamma: FlexTensor = checkpointer.retrieve_node_output(st.gamma);
        let (shape, s) = batch_shape(&x);
        let (dx, dgamma, dbeta) = batch_norm::backward(
            &values(&x),
            &values(&gamma),
            &values(&st.mean),
            &values(&st.var),
            st.epsilon,
            &values(&dy),
            &s,
        );
        for (node, grad) in [(node_x, flex(shape, dx))]
            .into_iter()
            .chain([(node_gamma, flex([s.c], dgamma)), (node_beta, flex([s.c], dbeta))])
        {
            if let Some(node) = node {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

/// The convolution's geometry from its operands' shapes. [`conv_layer`] only sends operands
/// that fit; the checks here guard direct callers (a misfit would index out of bounds below).
fn conv_shape(x: &FlexTensor, weight: &FlexTensor, bias: &FlexTensor, pad: usize) -> ConvShape {
    let [n, c, h, w] = dims4(x);
    let [o, wc, k, k2] = dims4(weight);
    let fits = wc == c && k == k2 && bias.layout().shape().dims() == [o] && h + 2 * pad >= k && w + 2 * pad >= k;
    assert!(
        fits,
        "conv2d: weight {:?} / bias does not fit input {:?} with padding {pad}",
        [o, wc, k, k2],
        [n, c, h, w]
    );
    ConvShape { n, c, h, w, o, k, pad }
}

/// A depthwise convolution's geometry (`o == c`); as [`conv_shape`], the check guards direct
/// callers.
fn depthwise_shape(x: &FlexTensor, weight: &FlexTensor, pad: usize) -> ConvShape {
    let [n, c, h, w] = dims4(x);
    let [o, one, k, k2] = dims4(weight);
    let fits = o == c && one == 1 && k == k2 && h + 2 * pad >= k && w + 2 * pad >= k;
    assert!(fits, "depthwise2d: weight {:?} does not fit input {:?} with padding {pad}", [o, one, k, k2], [n, c, h, w]);
    ConvShape { n, c, h, w, o: c, k, pad }
}

fn pool_shape(x: &FlexTensor) -> PoolShape {
    let [n, c, h, w] = dims4(x);
    PoolShape { n, c, h, w }
}

fn batch_shape(x: &FlexTensor) -> ([usize; 4], BatchShape) {
    let [n, c, h, w] = dims4(x);
    ([n, c, h, w], BatchShape { n, c, hw: h * w })
}

/// A 4-d tensor's shape (the public wrappers take `Tensor<4>`, so it always is one).
fn dims4(t: &FlexTensor) -> [usize; 4] {
    t.layout().shape().dims::<4>()
}

/// A tensor's values in row-major order: borrowed when it is stored that way already, else
/// laid out afresh. (The layer functions only route `f32` tensors here.)
fn values(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(v) => v.into(),
        None => Cow::Owned(t.to_contiguous().storage::<f32>().to_vec()),
    }
}

fn flex<const D: usize>(shape: [usize; D], values: Vec<f32>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, Shape::new(shape)))
}
