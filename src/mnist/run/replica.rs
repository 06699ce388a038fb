//! A replica: a copy of the model that computes its slice of a batch — forward, loss and
//! backward on a few images — and hands back the gradients and the batch norms' statistics,
//! never updating itself. It holds no data and no optimizer: each task brings the weights and
//! the images, so any replica (a fresh one after a crash included) gives the same answer.
//!
//! The page runs one per Web Worker beside the engine (`super::parallel` splits the batch and
//! combines the answers); natively the coordinator computes every slice itself, one after
//! another, with the same numbers.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::mnist::data::augment::{self, Params};
use super::config::TrainConfig;
use super::evaluate;
use crate::mnist::model::net::Net;
use super::step::loss;
use crate::mnist::data::tensors::{normalise, read_back, to_tensors};
use crate::mnist::model::values::{self, Which};

/// The images of one slice of a batch, with what makes its step reproducible.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slice {
    /// 784 bytes per image.
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
    /// One augmentation draw per image (drawn by the coordinator, in the batch's order, as a
    /// single engine draws them); empty: the images as they are.
    pub params: Vec<Params>,
    /// The device generator's seed for this slice (dropout's masks).
    pub seed: u64,
}

impl Slice {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// What a slice contributes to its step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SliceResult {
    /// The gradient of the slice's share of the batch's mean loss (its images' losses summed,
    /// divided by the whole batch's size): the slices' gradients add up to the batch's.
    pub grads: Vec<f32>,
    /// The batch norms' running statistics after this slice's forward pass.
    pub buffers: Vec<f32>,
    /// The slice's losses summed, and how many of its images were classified right.
    pub loss: f64,
    pub correct: f64,
}

/// What a replica is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Task {
    /// Become a replica of the run with these settings (JSON: the model, dropout, the loss, the
    /// resampling).
    Setup { config: String },
    /// One training step's slices, from the weights before the step (all of the model's values,
    /// as [`values::flat`] lays them out); `batch` is the whole batch's size.
    Step { values: Vec<f32>, batch: usize, slices: Vec<Slice> },
    /// Test images: each one's predicted digit, and the losses summed per test batch.
    Test { values: Vec<f32>, pixels: Vec<u8>, labels: Vec<u8> },
}

/// A replica's answer, in the order of the task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Answer {
    Ready,
    Step(Vec<SliceResult>),
    Test { losses: Vec<f64>, predicted: Vec<u8> },
}

/// `value` as bytes, for a message between workers.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(value).map_err(|e| format!("could not write a message for a replica: {e}"))
}

/// A message from another worker, or why it is not one.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("a replica's message is damaged: {e}"))
}

/// The model and the loss settings, on a CPU device with autodiff.
pub struct Replica {
    config: TrainConfig,
    model: Option<Net>,
    device: Device,
}

impl Replica {
    /// A replica for `config`'s model on `device` (its autodiff is enabled here).
    pub fn new(config: TrainConfig, device: &Device) -> Result<Self, String> {
        let device = device.clone().autodiff();
        let model = config.spec().init(&device).map_err(|e| e.to_string())?;
        Ok(Replica { config, model: Some(model), device })
    }

    /// The answer to `task`; a replica not set up yet answers only [`Task::Setup`].
    pub async fn answer(replica: &mut Option<Replica>, task: Task) -> Result<Answer, String> {
        if let Task::Setup { config } = &task {
            let config: TrainConfig = serde_json::from_str(config).map_err(|e| format!("invalid settings: {e}"))?;
            *replica = Some(Replica::new(config, &Device::flex())?);
            return Ok(Answer::Ready);
        }
        let replica = replica.as_mut().ok_or("this replica was not set up for a run")?;
        match task {
            Task::Setup { .. } => Err("a setup is answered above".into()),
            Task::Step { values, batch, slices } => {
                let mut results = Vec::with_capacity(slices.len());
                for slice in &slices {
                    results.push(replica.compute(&values, batch, slice).await?);
                }
                Ok(Answer::Step(results))
            }
            Task::Test { values, pixels, labels } => {
                let (losses, predicted) = replica.test(&values, &pixels, &labels).await?;
                Ok(Answer::Test { losses, predicted })
            }
        }
    }

    /// The model with `values` as its weights and statistics.
    fn load(&mut self, values: &[f32]) -> Result<&Net, String> {
        let model = self.model.take().ok_or("the replica lost its model")?;
        Ok(self.model.insert(values::fill(model, Which::All, values)?))
    }

    /// Forward, loss and backward on `slice`, from the weights `values`, for a batch of `batch`.
    pub async fn compute(&mut self, values: &[f32], batch: usize, slice: &Slice) -> Result<SliceResult, String> {
        let smoothing = self.config.label_smoothing;
        let interpolation = self.config.augment.interpolation;
        let device = self.device.clone();
        let model = self.load(values)?;
        device.seed(slice.seed);
        let n = slice.len();
        let (x, y) = to_tensors(&slice.pixels, &slice.labels, &device);
        let x = if slice.params.is_empty() { x } else { augment::apply(x, &slice.params, interpolation) };
        let logits = model.forward(normalise(x));
        let correct = logits.clone().argmax(1).reshape([n]).equal(y.clone()).float().sum();
        let total = loss(logits, y, smoothing).sum();
        let grads = GradientsParams::from_grads(total.clone().div_scalar(batch as f64).backward(), model);
        let grads = read_back::<f32>(values::gradients(model, &grads)).await?;
        let buffers = values::read(model, Which::Buffers).await?;
        let sums = read_back::<f64>(Tensor::cat(vec![total.inner(), correct.inner()], 0)).await?;
        Ok(SliceResult { grads, buffers, loss: sums[0], correct: sums[1] })
    }

    /// Each test image's prediction and the losses per test batch, from the weights `values`.
    pub async fn test(&mut self, values: &[f32], pixels: &[u8], labels: &[u8]) -> Result<(Vec<f64>, Vec<u8>), String> {
        let model = self.load(values)?.valid();
        evaluate::predict(&model, pixels, labels, &self.device.clone().inner()).await
    }
}
