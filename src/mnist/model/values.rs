//! A model's numbers as flat lists and back, in the order burn visits its tensors: what a
//! checkpoint stores, and what a replica of the model receives and sends (`crate::mnist::run::replica`).
//!
//! Two kinds of tensor live in a [`Net`]: parameters, which require a gradient, and buffers,
//! which do not (a batch norm's running mean and variance).

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Tensor, TensorData};

use super::net::Net;
use crate::mnist::data::tensors::read_back;

/// Which of a model's tensors a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every tensor: parameters and buffers.
    All,
    /// The batch norms' running statistics only.
    Buffers,
}

impl Which {
    fn takes(self, trainable: bool) -> bool {
        self == Which::All || !trainable
    }
}

/// burn's running statistics keep a forward pass's update aside until they are next read
/// through the layer (`RunningState::update`); a visit sees the value before it. `valid()`
/// settles every pending update, in place, on the model itself.
fn settle(model: &Net) {
    let _ = model.valid();
}

/// Every value of `which` in `model`, in visiting order, as one tensor on the model's device
/// (without autodiff).
pub fn flat(model: &Net, which: Which) -> Tensor<1> {
    settle(model);
    struct Collect(Which, Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = param.val();
            if self.0.takes(t.is_require_grad()) {
                let n = t.shape().num_elements();
                self.1.push(t.inner().reshape([n]));
            }
        }
    }
    let mut collect = Collect(which, Vec::new());
    model.visit(&mut collect);
    concat(model, collect.1)
}

/// The parts one after another; none (a model without batch norm has no buffers) is empty.
fn concat(model: &Net, parts: Vec<Tensor<1>>) -> Tensor<1> {
    match parts.is_empty() {
        true => Tensor::zeros([0], &model.devices()[0].clone().inner()),
        false => Tensor::cat(parts, 0),
    }
}

/// [`flat`], read back in one asynchronous transfer (the only kind WebGPU allows).
pub async fn read(model: &Net, which: Which) -> Result<Vec<f32>, String> {
    read_back::<f32>(flat(model, which)).await
}

/// `model` with its tensors of `which` replaced by `values` (laid out as [`flat`] gives them),
/// on the device each had; a parameter stays trainable. Errors when the lengths disagree.
pub fn fill(model: Net, which: Which, values: &[f32]) -> Result<Net, String> {
    struct Fill<'a> {
        which: Which,
        values: &'a [f32],
        at: usize,
        short: bool,
    }
    impl ModuleMapper for Fill<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, mapper) = param.consume();
            let trainable = tensor.is_require_grad();
            let shape = tensor.shape();
            let n = shape.num_elements();
            let Some(chunk) = self.values.get(self.at..self.at + n).filter(|_| self.which.takes(trainable)) else {
                self.short |= self.which.takes(trainable);
                return Param::from_mapped_value(id, tensor, mapper);
            };
            self.at += n;
            let mut t = Tensor::<D>::from_data(TensorData::new(chunk.to_vec(), shape), &tensor.device());
            if trainable {
                t = t.require_grad();
            }
            Param::from_mapped_value(id, t, mapper)
        }
    }
    // A pending update would be applied over the new values at the next forward pass.
    settle(&model);
    let mut f = Fill { which, values, at: 0, short: false };
    let model = model.map(&mut f);
    if f.short || f.at != values.len() {
        return Err(format!("the model's values do not fit it ({} values for a model that takes {}or more)", values.len(), f.at));
    }
    Ok(model)
}

/// Every parameter's gradient in `grads`, in visiting order, as one tensor on the device
/// without autodiff (a parameter the loss did not reach contributes zeros).
pub fn gradients(model: &Net, grads: &GradientsParams) -> Tensor<1> {
    struct Collect<'a>(&'a GradientsParams, Vec<Tensor<1>>);
    impl ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = param.val();
            if t.is_require_grad() {
                let n = t.shape().num_elements();
                let g = self.0.get::<D>(param.id).unwrap_or_else(|| t.inner().zeros_like());
                self.1.push(g.reshape([n]));
            }
        }
    }
    let mut collect = Collect(grads, Vec::new());
    model.visit(&mut collect);
    concat(model, collect.1)
}

/// The gradients laid out as [`gradients`] gives them, for `model`'s parameters, on the
/// device without autodiff (where the optimizer reads them).
pub fn to_gradients(model: &Net, values: &[f32]) -> Result<GradientsParams, String> {
    struct Register<'a> {
        values: &'a [f32],
        at: usize,
        grads: GradientsParams,
        short: bool,
    }
    impl ModuleVisitor for Register<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = param.val();
            if !t.is_require_grad() {
                return;
            }
            let shape = t.shape();
            let n = shape.num_elements();
            let Some(chunk) = self.values.get(self.at..self.at + n) else {
                self.short = true;
                return;
            };
            self.at += n;
            let device = t.device().inner();
            self.grads.register::<D>(param.id, Tensor::from_data(TensorData::new(chunk.to_vec(), shape), &device));
        }
    }
    let mut r = Register { values, at: 0, grads: GradientsParams::new(), short: false };
    model.visit(&mut r);
    if r.short || r.at != values.len() {
        return Err(format!("{} gradient values do not fit the model's parameters", values.len()));
    }
    Ok(r.grads)
}
