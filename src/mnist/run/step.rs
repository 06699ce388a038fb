//! One optimisation step: forward, loss, backward, update.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{activation::log_softmax, Device, Int, Tensor};

use super::average::Average;
use super::config::TrainConfig;
use crate::mnist::data::SIDE;
use crate::mnist::model::net::Net;
use super::optimizer::Optimizer;
use crate::mnist::model::values::{self, Which};

/// The model, its optimizer state and the loss settings, stepped one batch at a time.
pub struct Stepper {
    pub model: Net,
    pub optimizer: Optimizer,
    label_smoothing: f64,
    /// The weights before the first update, taken after the first forward pass: burn creates
    /// parameters lazily on first read, in the order the forward pass reads them, and a copy
    /// taken earlier would read them in another order and change which random draws each gets.
    pub initial: Option<Net>,
    /// The mean of the weights over the run's last steps, once averaging has begun
    /// (`TrainConfig::average_last`).
    pub average: Option<Average>,
}

impl Stepper {
    pub fn new(model: Net, config: &TrainConfig) -> Self {
        Self::with_optimizer(model, Optimizer::new(config.optimizer), config)
    }

    /// Continuing with `optimizer`'s state (a resumed run).
    pub fn with_optimizer(model: Net, optimizer: Optimizer, config: &TrainConfig) -> Self {
        Stepper { model, optimizer, label_smoothing: config.label_smoothing, initial: None, average: None }
    }

    /// Forward, loss, backward and update on normalised images `x` (on the autodiff device).
    /// Returns the batch's mean loss and its number of correct predictions, both `[1]` and
    /// still on the device.
    pub fn step(&mut self, x: Tensor<4>, y: Tensor<1, Int>, lr: f64) -> (Tensor<1>, Tensor<1>) {
        let n = y.dims()[0];
        let logits = self.model.forward(x);
        if self.initial.is_none() {
            self.initial = Some(self.model.valid());
        }
        let hits = logits.clone().argmax(1).reshape([n]).equal(y.clone()).float().sum();
        let mean = loss(logits, y, self.label_smoothing).mean();
        let grads = GradientsParams::from_grads(mean.clone().backward(), &self.model);
        self.model = self.optimizer.step(lr, self.model.clone(), grads);
        (mean.inner(), hits.inner())
    }
}

impl Stepper {
    /// One update with gradients computed by replicas of the model, taking the batch norms'
    /// running statistics they arrived at.
    pub fn apply(&mut self, combined: &Combined, lr: f64) -> Result<(), String> {
        let model = values::fill(self.model.clone(), Which::Buffers, &combined.buffers)?;
        let grads = values::to_gradients(&model, &combined.grads)?;
        self.model = self.optimizer.step(lr, model, grads);
        Ok(())
    }

    /// Adds the weights as they are now to the average (starting it).
    pub fn average_in(&mut self) {
        match &mut self.average {
            Some(average) => average.add(&self.model),
            None => self.average = Some(Average::of(&self.model)),
        }
    }

    /// The model a test sees and a run keeps: the average where there is one, without autodiff.
    pub async fn kept(&self) -> Result<Net, String> {
        match &self.average {
            Some(average) => average.model(&self.model).await,
            None => Ok(self.model.valid()),
        }
    }

    /// Creates the model's parameters, in the order a forward pass reads them (as the first
    /// [`Stepper::step`] does, so a model without dropout starts from the same weights however
    /// its batches are computed), and keeps them as the starting weights.
    pub fn initialise(&mut self, device: &Device) {
        if self.initial.is_none() {
            let _ = self.model.valid().forward(Tensor::zeros([1, 1, SIDE, SIDE], &device.clone().inner()));
            self.initial = Some(self.model.valid());
        }
    }
}

/// Cross-entropy on log-softmax, with label smoothing ε: (1-ε)·NLL + ε·mean over classes of -log p.
/// Returns the per-image losses `[B]`.
pub fn loss(logits: Tensor<2>, targets: Tensor<1, Int>, smoothing: f64) -> Tensor<1> {
    let b = targets.dims()[0];
    let logp = log_softmax(logits, 1);
    let nll = logp.clone().gather(1, targets.reshape([b, 1])).neg().reshape([b]);
    if smoothing == 0.0 {
        return nll;
    }
    let uniform = logp.mean_dim(1).neg().reshape([b]);
    nll.mul_scalar(1.0 - smoothing) + uniform.mul_scalar(smoothing)
}

/// One step's slices combined (`parallel`): what [`Stepper::apply`] takes.
pub struct Combined {
    /// The batch's gradient (the slices' summed).
    pub grads: Vec<f32>,
    /// The running statistics: the slices' weighted by their sizes.
    pub buffers: Vec<f32>,
    pub loss: f64,
    pub correct: f64,
}
