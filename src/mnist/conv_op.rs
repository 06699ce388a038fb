//! [`super::conv_cpu`] as a burn operation with its own backward pass, for the Flex (CPU)
//! backend: `conv2d(x, weight, pad)`.
//!
//! burn lets a crate add an operation to chosen backends (`#[backend_extension]`): here Flex,
//! and Flex under autodiff, where the backward step calls our two gradient kernels instead of
//! burn's transposed convolution. Other backends (wgpu) keep burn's own convolution: the
//! model asks [`supported`] first.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Autodiff, Backend, Dispatch, DispatchDevice, Flex};
use burn::tensor::{Device, Shape, Tensor, TensorData};

use super::conv_cpu::{self, ConvShape};

/// Whether [`conv2d`] runs on `device`: Flex, with or without autodiff.
pub fn supported(device: &Device) -> bool {
    match device.as_dispatch() {
        DispatchDevice::Flex(_) => true,
        DispatchDevice::Autodiff(inner) => matches!(**inner, DispatchDevice::Flex(_)),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// A stride-1 convolution of `x` `[n, c, h, w]` with `weight` `[o, c, k, k]`, zero padding
/// `pad`, no bias; differentiable. Only on devices [`supported`] says yes to.
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, pad: usize) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as CpuConv>::cpu_conv2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        pad,
    ))
}

#[backend_extension(Flex, Autodiff)]
pub trait CpuConv: Backend {
    fn cpu_conv2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, pad: usize) -> FloatTensor<Self>;
}

impl CpuConv for Flex {
    fn cpu_conv2d(x: FlexTensor, weight: FlexTensor, pad: usize) -> FlexTensor {
        let s = geometry(&x, &weight, pad);
        let y = conv_cpu::forward(&values(&x), &values(&weight), None, &s);
        flex([s.n, s.o, s.out_h(), s.out_w()], y)
    }
}

impl<C: CheckpointStrategy> CpuConv for Autodiff<Flex, C> {
    fn cpu_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        match ConvBackward.prepare::<C>([x.node(), weight.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), pad);
                prep.finish(state, Flex::cpu_conv2d(x.into_primitive(), weight.into_primitive(), pad))
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(Flex::cpu_conv2d(x.into_primitive(), weight.into_primitive(), pad))
            }
        }
    }
}

/// The backward step: input and weight gradients, each only when something upstream needs it
/// (the images never do).
#[derive(Debug)]
struct ConvBackward;

impl Backward<Flex, 2> for ConvBackward {
    type State = (NodeId, NodeId, usize);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_weight] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let dy = values(&dy);
        let (x_id, weight_id, pad) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x_id);
        let weight: FlexTensor = checkpointer.retrieve_node_output(weight_id);
        let s = geometry(&x, &weight, pad);
        if let Some(node) = node_x {
            let dx = conv_cpu::backward_x(&dy, &values(&weight), &s);
            grads.register::<Flex>(node.id, flex([s.n, s.c, s.h, s.w], dx));
        }
        if let Some(node) = node_weight {
            let (dw, _db) = conv_cpu::backward_weight(&values(&x), &dy, &s);
            grads.register::<Flex>(node.id, flex([s.o, s.c, s.k, s.k], dw));
        }
    }
}

/// The convolution's geometry from its operands' shapes.
fn geometry(x: &FlexTensor, weight: &FlexTensor, pad: usize) -> ConvShape {
    let [n, c, h, w] = dims4(x);
    let [o, wc, k, k2] = dims4(weight);
    assert!(wc == c && k == k2, "conv2d: weight {:?} does not fit input {:?}", dims4(weight), dims4(x));
    assert!(h + 2 * pad >= k && w + 2 * pad >= k, "conv2d: kernel {k} larger than padded input {h}×{w}");
    ConvShape { n, c, h, w, o, k, pad }
}

fn dims4(t: &FlexTensor) -> [usize; 4] {
    let dims = t.layout().shape().dims();
    dims.try_into().unwrap_or_else(|_| panic!("conv2d: expected a 4-d tensor, got {dims:?}"))
}

/// A tensor's values in row-major order: borrowed when it is stored that way already.
fn values(t: &FlexTensor) -> std::borrow::Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(v) => v.into(),
        None => t.to_contiguous().as_slice::<f32>().expect("contiguous f32").to_vec().into(),
    }
}

fn flex(shape: [usize; 4], values: Vec<f32>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, Shape::new(shape)))
}
