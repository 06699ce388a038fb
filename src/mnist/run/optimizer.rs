//! SGD (momentum, Nesterov, weight decay) and Adam, written out so their state is ours to save.
//!
//! burn's optimizers compute the same updates (each formula below is theirs, term for term, so
//! a run gives the same weights bit for bit: `tests/mnist/runs.rs` checks it), but they keep
//! their state keyed by parameter ids and serialise it with synchronous reads, which WebGPU
//! forbids. Here the state is one list in the order the model's parameters are visited, read
//! back in one asynchronous transfer like the weights: a checkpoint carries the momentum and a
//! resumed run continues as if it had never stopped.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::config::OptimizerConfig;
use crate::mnist::model::net::Net;
use crate::mnist::data::tensors::read_back;

/// Adam's constants (burn's and PyTorch's defaults except ε, which is burn's).
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;

/// One parameter's state: nothing before its first update.
#[derive(Clone)]
enum Slot {
    Empty,
    /// SGD with momentum: the velocity.
    Velocity(Tensor<1>),
    /// Adam: the two moments and how many updates they have seen.
    Moments { time: usize, m1: Tensor<1>, m2: Tensor<1> },
}

pub struct Optimizer {
    config: OptimizerConfig,
    /// One per float parameter, in the model's visiting order.
    slots: Vec<Slot>,
}

/// How a saved state is laid out; its values travel separately as one `f32` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptimizerLayout {
    pub config: OptimizerConfig,
    /// Per parameter: how many tensors its state holds (0, 1 or 2), and Adam's update count.
    pub slots: Vec<(u8, usize)>,
}

impl Optimizer {
    pub fn new(config: OptimizerConfig) -> Self {
        Optimizer { config, slots: Vec::new() }
    }

    /// One update of every parameter of `model` that has a gradient in `grads`, at rate `lr`.
    pub fn step(&mut self, lr: f64, model: Net, mut grads: GradientsParams) -> Net {
        let mut update = Update { optimizer: self, grads: &mut grads, lr, index: 0 };
        model.map(&mut update)
    }

    /// One parameter's update: `w` its value, `g` its gradient, both flat.
    fn update(&self, lr: f64, w: Tensor<1>, mut g: Tensor<1>, slot: Slot) -> (Tensor<1>, Slot) {
        match self.config {
            OptimizerConfig::Sgd { momentum, nesterov, weight_decay } => {
                // L2 weight decay: the gradient of ½·λ·w² added to the loss's.
                if weight_decay > 0.0 {
                    g = w.clone().mul_scalar(weight_decay as f32).add(g);
                }
                let slot = if momentum > 0.0 {
                    // v ← μ·v + g (the first step starts v at g); Nesterov steps along g + μ·v.
                    let v = match slot {
                        Slot::Velocity(v) => g.clone().add(v.mul_scalar(momentum as f32)),
                        _ => g.clone(),
                    };
                    g = if nesterov { v.clone().mul_scalar(momentum as f32).add(g) } else { v.clone() };
                    Slot::Velocity(v)
                } else {
                    Slot::Empty
                };
                (w - g.mul_scalar(lr), slot)
            }
            OptimizerConfig::Adam { weight_decay } => {
                if weight_decay > 0.0 {
                    g = w.clone().mul_scalar(weight_decay as f32).add(g);
                }
                // m₁ ← β₁·m₁ + (1-β₁)·g, m₂ ← β₂·m₂ + (1-β₂)·g²; both start at zero.
                let (time, m1, m2) = match slot {
                    Slot::Moments { time, m1, m2 } => (
                        time + 1,
                        m1.mul_scalar(BETA_1).add(g.clone().mul_scalar(1.0 - BETA_1)),
                        m2.mul_scalar(BETA_2).add(g.square().mul_scalar(1.0 - BETA_2)),
                    ),
                    _ => (1, g.clone().mul_scalar(1.0 - BETA_1), g.square().mul_scalar(1.0 - BETA_2)),
                };
                // Bias-corrected: m̂₁ / (√m̂₂ + ε), with both corrections folded into one factor.
                let c2 = (1.0 - BETA_2.powi(time as i32)).sqrt();
                let factor = c2 / (1.0 - BETA_1.powi(time as i32));
                let step = m1.clone().mul_scalar(factor).div(m2.clone().sqrt().add_scalar(EPSILON * c2));
                (w - step.mul_scalar(lr), Slot::Moments { time, m1, m2 })
            }
        }
    }

    /// The state's layout and its values, read back asynchronously (as WebGPU requires).
    pub async fn save(&self) -> Result<(OptimizerLayout, Vec<f32>), String> {
        let mut tensors = Vec::new();
        let slots = self
            .slots
            .iter()
            .map(|slot| match slot {
                Slot::Empty => (0, 0),
                Slot::Velocity(v) => {
                    tensors.push(v.clone());
                    (1, 0)
                }
                Slot::Moments { time, m1, m2 } => {
                    tensors.extend([m1.clone(), m2.clone()]);
                    (2, *time)
                }
            })
            .collect();
        let values = if tensors.is_empty() { Vec::new() } else { read_back::<f32>(Tensor::cat(tensors, 0)).await? };
        Ok((OptimizerLayout { config: self.config, slots }, values))
    }

    /// The state saved by [`Optimizer::save`], for `model`'s parameters, on `device`.
    pub fn load(layout: &OptimizerLayout, values: &[f32], model: &Net, device: &Device) -> Result<Self, String> {
        let sizes = parameter_sizes(model);
        if layout.slots.len() != sizes.len() {
            return Err(format!("the optimizer state is for {} parameters, the model has {}", layout.slots.len(), sizes.len()));
        }
        let mut at = 0;
        let mut take = |n: usize| -> Result<Tensor<1>, String> {
            let end = at + n;
            let chunk = values.get(at..end).ok_or("the optimizer state is cut short")?;
            at = end;
            Ok(Tensor::from_data(TensorData::new(chunk.to_vec(), [n]), device))
        };
        let mut slots = Vec::with_capacity(sizes.len());
        for (&(count, time), &n) in layout.slots.iter().zip(&sizes) {
            slots.push(match (count, layout.config) {
                (0, _) => Slot::Empty,
                (1, OptimizerConfig::Sgd { .. }) => Slot::Velocity(take(n)?),
                (2, OptimizerConfig::Adam { .. }) if time >= 1 => Slot::Moments { time, m1: take(n)?, m2: take(n)? },
                _ => return Err("the optimizer state does not match its optimizer".into()),
            });
        }
        if at != values.len() {
            return Err(format!("the optimizer state has {} values, its layout {at}", values.len()));
        }
        Ok(Optimizer { config: layout.config, slots })
    }
}

/// The number of values in each float parameter of `model`, in visiting order.
fn parameter_sizes(model: &Net) -> Vec<usize> {
    struct Sizes(Vec<usize>);
    impl ModuleVisitor for Sizes {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.shape().num_elements());
        }
    }
    let mut sizes = Sizes(Vec::new());
    model.visit(&mut sizes);
    sizes.0
}

/// Walks the model once, updating each parameter with its gradient and its slot.
struct Update<'a> {
    optimizer: &'a mut Optimizer,
    grads: &'a mut GradientsParams,
    lr: f64,
    index: usize,
}

impl ModuleMapper for Update<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let index = self.index;
        self.index += 1;
        if self.optimizer.slots.len() <= index {
            self.optimizer.slots.resize(index + 1, Slot::Empty);
        }
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        // The update happens off the autodiff graph; the result is a fresh trainable leaf.
        let require_grad = tensor.is_require_grad();
        let shape = tensor.shape();
        let n = shape.num_elements();
        let w = tensor.inner().reshape([n]);
        let grad = grad.reshape([n]);
        let slot = std::mem::replace(&mut self.optimizer.slots[index], Slot::Empty);
        let (w, slot) = self.optimizer.update(self.lr, w, grad, slot);
        self.optimizer.slots[index] = slot;
        let mut updated = Tensor::<D>::from_inner(w.reshape(shape));
        if require_grad {
            updated = updated.require_grad();
        }
        Param::from_mapped_value(id, updated, mapper)
    }
}
