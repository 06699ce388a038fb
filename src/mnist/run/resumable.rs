//! A run as the training loop holds it between two batches, for the observer's checkpoints:
//! [`Resumable::to_bytes`] reads back what a [`Snapshot`] saves, beside the weights.

use super::checkpoint::{self, SavedRun};
use super::plan::Plan;
use super::snapshot::{History, RunPosition, Snapshot};
use super::step::Stepper;

/// A run as the training loop holds it, between two batches: what [`Snapshot`] saves.
pub struct Resumable<'a> {
    pub(crate) plan: &'a Plan<'a>,
    pub(crate) stepper: &'a Stepper,
    pub(crate) history: &'a History,
    pub position: RunPosition,
}

impl Resumable<'_> {
    /// Whether an epoch has just finished (its test done).
    pub fn at_epoch_end(&self) -> bool {
        self.position.at_epoch_start()
    }

    /// The run saved: weights, optimizer state and this snapshot, read back asynchronously.
    pub async fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let (layout, optimizer) = self.stepper.optimizer.save().await?;
        let snapshot = Snapshot {
            config: self.plan.config.clone(),
            epochs: self.history.epochs.clone(),
            tests: self.history.tests.clone(),
            position: self.position,
            optimizer: layout,
            averaged: self.stepper.average.as_ref().map_or(0, |a| a.count()),
        };
        let average = match &self.stepper.average {
            Some(a) => a.values().await?,
            None => Vec::new(),
        };
        checkpoint::with_run(&self.plan.spec, &self.stepper.model, &SavedRun { snapshot, optimizer, average }).await
    }
}
