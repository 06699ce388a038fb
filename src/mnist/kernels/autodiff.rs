//! The operations under autodiff, once for every device: each forward pass records what its
//! backward step needs (checkpointed inputs, or the batch statistics), and each backward step
//! asks the device's [`LayerGrads`] for the gradients, each only when something upstream
//! needs it (the images never do).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, NodeGuard, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Backend};

use super::ops::{BatchNormOut, Bias, LayerGrads, LayerKernels};

impl<B: LayerKernels + LayerGrads, C: CheckpointStrategy> LayerKernels for Autodiff<B, C> {
    fn conv_forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: Bias<Self>,
        pad: usize,
        groups: usize,
    ) -> FloatTensor<Self> {
        // Two parents, or three with a bias: the step's arity is part of its type.
        match bias {
            Bias::None => conv::<B, C, 2>([x.node(), weight.node()], x, weight, Bias::None, pad, groups),
            Bias::Some(b) => {
                let parents = [x.node(), weight.node(), b.node()];
                conv::<B, C, 3>(parents, x, weight, Bias::Some(b.into_primitive()), pad, groups)
            }
        }
    }

    fn batch_norm_forward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> BatchNormOut<Self> {
        let out = B::batch_norm_forward(x.primitive().clone(), gamma.primitive().clone(), beta.primitive().clone(), epsilon);
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

    fn max_pool_forward(x: FloatTensor<Self>) -> FloatTensor<Self> {
        match MaxPoolBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = prep.checkpoint(&x);
                prep.finish(state, B::max_pool_forward(x.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::max_pool_forward(x.into_primitive())),
        }
    }

    fn dropout_mask(like: FloatTensor<Self>, seed: FloatTensor<Self>, keep: f64) -> FloatTensor<Self> {
        // A constant to autodiff: the gradient flows through the multiplication by it.
        Self::from_inner(B::dropout_mask(like.into_primitive(), seed.into_primitive(), keep))
    }
}

/// The convolution with `N` parents (input, weight and perhaps the bias) recorded.
fn conv<B: LayerKernels + LayerGrads, C: CheckpointStrategy, const N: usize>(
    parents: [NodeGuard; N],
    x: FloatTensor<Autodiff<B, C>>,
    weight: FloatTensor<Autodiff<B, C>>,
    bias: Bias<B>,
    pad: usize,
    groups: usize,
) -> FloatTensor<Autodiff<B, C>> {
    match ConvBackward::<N>.prepare::<C>(parents).compute_bound().stateful() {
        OpsKind::Tracked(mut prep) => {
            let state = ConvState { x: prep.checkpoint(&x), weight: prep.checkpoint(&weight), pad, groups };
            prep.finish(state, B::conv_forward(x.into_primitive(), weight.into_primitive(), bias, pad, groups))
        }
        OpsKind::UnTracked(prep) => {
            prep.finish(B::conv_forward(x.into_primitive(), weight.into_primitive(), bias, pad, groups))
        }
    }
}

/// The convolution's backward step: input, weight and (with `N == 3`) bias gradients.
#[derive(Debug)]
struct ConvBackward<const N: usize>;

#[derive(Debug, Clone)]
struct ConvState {
    x: NodeId,
    weight: NodeId,
    pad: usize,
    groups: usize,
}

impl<B: LayerGrads, const N: usize> Backward<B, N> for ConvBackward<N> {
    type State = ConvState;

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let dy = grads.consume::<B>(&ops.node);
        let ConvState { pad, groups, .. } = ops.state;
        let [node_x, node_weight, node_bias] = [0, 1, 2].map(|i| ops.parents.get(i).cloned().flatten());
        if let Some(node) = node_bias {
            grads.register::<B>(node.id, B::conv_grad_bias(dy.clone()));
        }
        if let Some(node) = node_x {
            let weight: FloatTensor<B> = checkpointer.retrieve_node_output(ops.state.weight);
            grads.register::<B>(node.id, B::conv_grad_x(dy.clone(), weight, pad, groups));
        }
        if let Some(node) = node_weight {
            let x: FloatTensor<B> = checkpointer.retrieve_node_output(ops.state.x);
            grads.register::<B>(node.id, B::conv_grad_weight(x, dy, pad, groups));
        }
    }
}

/// The max pooling's backward step: each output gradient back to its window's maximum.
#[derive(Debug)]
struct MaxPoolBackward;

impl<B: LayerGrads> Backward<B, 1> for MaxPoolBackward {
    type State = NodeId;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let dy = grads.consume::<B>(&ops.node);
        let x: FloatTensor<B> = checkpointer.retrieve_node_output(ops.state);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::max_pool_grad(x, dy));
        }
    }
}

/// The batch norm's backward step: gradients for the input, γ and β.
#[derive(Debug)]
struct BatchNormBackward;

#[derive(Debug, Clone)]
struct BatchNormState<B: Backend> {
    x: NodeId,
    gamma: NodeId,
    mean: FloatTensor<B>,
    var: FloatTensor<B>,
    epsilon: f64,
}

impl<B: LayerGrads> Backward<B, 3> for BatchNormBackward {
    type State = BatchNormState<B>;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let dy = grads.consume::<B>(&ops.node);
        let st = ops.state;
        let x: FloatTensor<B> = checkpointer.retrieve_node_output(st.x);
        let gamma: FloatTensor<B> = checkpointer.retrieve_node_output(st.gamma);
        let g = B::batch_norm_grads(x, gamma, st.mean, st.var, dy, st.epsilon);
        for (node, grad) in [(node_x, g.x), (node_gamma, g.gamma), (node_beta, g.beta)] {
            if let Some(node) = node {
                grads.register::<B>(node.id, grad);
            }
        }
    }
}
