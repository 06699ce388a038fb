//! A run's settings checked once and worked out into what the training loop runs: the model,
//! the images, the steps and their learning rates.

use std::borrow::Cow;

use super::config::TrainConfig;
use crate::mnist::data::{Mnist, Split};
use crate::mnist::model::ModelSpec;

pub struct Plan<'a> {
    pub config: TrainConfig,
    /// The architecture with this run's dropout.
    pub spec: ModelSpec,
    /// The images it trains and tests on (the first `limit_train` / `limit_test`).
    pub train: Cow<'a, Split>,
    pub test: Cow<'a, Split>,
    /// Optimizer steps in an epoch and in the whole run.
    pub per_epoch: usize,
    pub total: usize,
}

impl<'a> Plan<'a> {
    /// `config` on `data`, or why it cannot train (the setting at fault named).
    pub fn new(config: &TrainConfig, data: &'a Mnist) -> Result<Self, String> {
        config.check().map_err(|e| e.message)?;
        let (train, test) = (data.train.first(config.limit_train), data.test.first(config.limit_test));
        if train.is_empty() || test.is_empty() {
            return Err("no training or test images".into());
        }
        let per_epoch = train.len().div_ceil(config.batch_size);
        Ok(Plan { config: config.clone(), spec: config.spec(), train, test, per_epoch, total: per_epoch * config.epochs })
    }

    /// The learning rate at optimizer step `step` (counted from 0 over the whole run).
    pub fn lr(&self, step: usize) -> f64 {
        self.config.schedule.lr(self.config.lr, step, self.per_epoch, self.total)
    }
}
