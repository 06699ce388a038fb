//! The operations under autodiff: each forward pass records what its backward step needs
//! (checkpointed inputs, or the batch statistics), and the backward steps call our gradient
//! kernels, each gradient only when something upstream asks for it.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Flex};

use super::conv::{self, ConvShape};
use super::{batch_norm, batch_shape, depthwise, depthwise_shape, dims4, flex, max_pool, pool_shape, values};
use crate::mnist::kernels::BatchNormOut;
use super::CpuOps;

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
