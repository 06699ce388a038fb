//! The GPU operations under autodiff: each forward pass records what its backward step needs
//! (checkpointed inputs, or the batch statistics), and the backward steps launch our gradient
//! kernels, each gradient only when something upstream asks for it. The same shape as the
//! CPU's (`cpu::autodiff`), on the cube backend.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Cube};

use crate::mnist::kernels::BatchNormOut;
use super::{GpuGradOps, GpuOps};

impl<C: CheckpointStrategy> GpuOps for Autodiff<Cube, C> {
    fn gpu_conv2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, pad: usize, groups: usize) -> FloatTensor<Self> {
        match ConvBackward.prepare::<C>([x.node(), weight.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), pad, groups);
                prep.finish(state, Cube::gpu_conv2d(x.into_primitive(), weight.into_primitive(), pad, groups))
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(Cube::gpu_conv2d(x.into_primitive(), weight.into_primitive(), pad, groups))
            }
        }
    }

    fn gpu_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormOut<Self> {
        let out = Cube::gpu_batch_norm(x.primitive().clone(), gamma.primitive().clone(), beta.primitive().clone(), epsilon);
        let output = match BatchNormBackward.prepare::<C>([x.node(), gamma.node(), beta.node()]).compute_bound().stateful()
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
        BatchNormOut { output, mean: Self::from_inner(out.mean), var: Self::from_inner(out.var) }
    }

    fn gpu_max_pool2x2(x: FloatTensor<Self>) -> FloatTensor<Self> {
        match MaxPoolBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = prep.checkpoint(&x);
                prep.finish(state, Cube::gpu_max_pool2x2(x.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(Cube::gpu_max_pool2x2(x.into_primitive())),
        }
    }
}

/// The convolution's backward step: input and weight gradients, each only when something
/// upstream needs it (the images never do).
#[derive(Debug)]
struct ConvBackward;

impl Backward<Cube, 2> for ConvBackward {
    type State = (NodeId, NodeId, usize, usize);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_weight] = ops.parents;
        let dy = grads.consume::<Cube>(&ops.node);
        let (x_id, weight_id, pad, groups) = ops.state;
        let x: FloatTensor<Cube> = checkpointer.retrieve_node_output(x_id);
        let weight: FloatTensor<Cube> = checkpointer.retrieve_node_output(weight_id);
        if let Some(node) = node_x {
            grads.register::<Cube>(node.id, Cube::gpu_conv2d_backward_x(dy.clone(), weight, pad, groups));
        }
        if let Some(node) = node_weight {
            grads.register::<Cube>(node.id, Cube::gpu_conv2d_backward_weight(x, dy, pad, groups));
        }
    }
}

/// The max pooling's backward step: each output gradient back to its window's maximum.
#[derive(Debug)]
struct MaxPoolBackward;

impl Backward<Cube, 1> for MaxPoolBackward {
    type State = NodeId;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let dy = grads.consume::<Cube>(&ops.node);
        let x: FloatTensor<Cube> = checkpointer.retrieve_node_output(ops.state);
        if let Some(node) = node_x {
            grads.register::<Cube>(node.id, Cube::gpu_max_pool2x2_backward(x, dy));
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
    mean: FloatTensor<Cube>,
    var: FloatTensor<Cube>,
    epsilon: f64,
}

impl Backward<Cube, 3> for BatchNormBackward {
    type State = BatchNormState;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let dy = grads.consume::<Cube>(&ops.node);
        let st = ops.state;
        let x: FloatTensor<Cube> = checkpointer.retrieve_node_output(st.x);
        let gamma: FloatTensor<Cube> = checkpointer.retrieve_node_output(st.gamma);
        let g = Cube::gpu_batch_norm_backward(x, gamma, st.mean, st.var, dy, st.epsilon);
        for (node, grad) in [(node_x, g.x), (node_gamma, g.gamma), (node_beta, g.beta)] {
            if let Some(node) = node {
                grads.register::<Cube>(node.id, grad);
            }
        }
    }
}
