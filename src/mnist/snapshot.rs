//! Where a run is, between two batches: everything it needs to continue as if it had never
//! stopped. A checkpoint file carries one beside the weights and the optimizer's values.

use serde::{Deserialize, Serialize};

use super::checkpoint::{self, SavedRun};
use super::config::TrainConfig;
use super::optimizer::OptimizerLayout;
use super::plan::Plan;
use super::report::{EpochMetrics, TestPoint};
use super::step::Stepper;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// The run's settings: a resumed run trains exactly these.
    pub config: TrainConfig,
    /// The finished epochs' metrics.
    pub epochs: Vec<EpochMetrics>,
    /// The tests so far (files from before tests within an epoch have none).
    #[serde(default)]
    pub tests: Vec<TestPoint>,
    /// The epoch under way (1-based) and how many of its batches are done.
    pub epoch: usize,
    pub batch: usize,
    /// The shuffle-and-augmentation generator as the epoch began (its order is drawn from it
    /// first) and as it is now.
    pub epoch_rng: u64,
    pub rng: u64,
    /// This epoch's running sums so far, as the loop read them back.
    pub sums: Sums,
    pub optimizer: OptimizerLayout,
    /// Over how many steps the saved average of the weights was taken (0: none yet).
    #[serde(default)]
    pub averaged: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sums {
    /// Loss summed over the images seen, and how many were right.
    pub loss: f64,
    pub correct: f64,
    pub seen: usize,
    /// At the previous report: what "recent loss" is measured from.
    pub loss_before: f64,
    pub seen_before: usize,
    /// Training time in this epoch so far (the observer's time, pauses included, left out).
    pub seconds: f64,
}

impl Snapshot {
    /// Whether the run has nothing left to do.
    pub fn finished(&self) -> bool {
        self.epoch > self.config.epochs
    }

    /// "epoch 3 after batch 120", for messages.
    pub fn describe(&self) -> String {
        if self.batch == 0 {
            format!("the start of epoch {}", self.epoch)
        } else {
            format!("epoch {} after batch {}", self.epoch, self.batch)
        }
    }
}

/// What a run has reported so far: each finished epoch's metrics and every test.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub epochs: Vec<EpochMetrics>,
    pub tests: Vec<TestPoint>,
}

impl History {
    /// The run's time at the start of the epoch under way: its finished epochs', tests included.
    pub fn seconds(&self) -> f64 {
        self.epochs.iter().map(|e| e.seconds).sum()
    }
}

/// A run as the training loop holds it, between two batches: what [`Snapshot`] saves.
pub struct Resumable<'a> {
    plan: &'a Plan<'a>,
    stepper: &'a Stepper,
    history: &'a History,
    /// The epoch under way and the batches of it done; `(next epoch, 0)` after an epoch.
    pub epoch: usize,
    pub batch: usize,
    rngs: (u64, u64),
    sums: Sums,
}

impl<'a> Resumable<'a> {
    pub(crate) fn new(
        plan: &'a Plan<'a>,
        stepper: &'a Stepper,
        history: &'a History,
        (epoch, batch): (usize, usize),
        rngs: (u64, u64),
        sums: Sums,
    ) -> Self {
        Resumable { plan, stepper, history, epoch, batch, rngs, sums }
    }

    /// Whether an epoch has just finished (its test done).
    pub fn at_epoch_end(&self) -> bool {
        self.batch == 0
    }

    /// The run saved: weights, optimizer state and this snapshot, read back asynchronously.
    pub async fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let (layout, optimizer) = self.stepper.optimizer.save().await?;
        let snapshot = Snapshot {
            config: self.plan.config.clone(),
            epochs: self.history.epochs.clone(),
            tests: self.history.tests.clone(),
            epoch: self.epoch,
            batch: self.batch,
            epoch_rng: self.rngs.0,
            rng: self.rngs.1,
            sums: self.sums,
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
