//! Where a run is, between two batches, as plain data: everything it needs to continue as if
//! it had never stopped. A checkpoint file carries one beside the weights and the optimizer's
//! values; the loop holds the same [`RunPosition`] while it runs (`train`), and hands it to
//! the observer's checkpoints through `resumable`.

use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::optimizer::OptimizerLayout;
use super::report::{EpochMetrics, TestPoint};

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
    /// Where the run is (its fields sit at the top level of the file, as before it had a name).
    #[serde(flatten)]
    pub position: RunPosition,
    pub optimizer: OptimizerLayout,
    /// Over how many steps the saved average of the weights was taken (0: none yet).
    #[serde(default)]
    pub averaged: usize,
}

/// Where a run is: the place the loop continues from. `(next epoch, 0)` after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPosition {
    /// The epoch under way (1-based) and how many of its batches are done.
    pub epoch: usize,
    pub batch: usize,
    /// The shuffle-and-augmentation generator as the epoch began (its order is drawn from it
    /// first) and as it is now.
    pub epoch_rng: u64,
    pub rng: u64,
    /// This epoch's running sums so far, as the loop read them back.
    pub sums: Sums,
}

impl RunPosition {
    /// The start of `epoch`, its generator (both states) at `rng`.
    pub fn epoch_start(epoch: usize, rng: u64) -> Self {
        RunPosition { epoch, batch: 0, epoch_rng: rng, rng, sums: Sums::default() }
    }

    /// Whether an epoch has just finished (its test done), or none has begun.
    pub fn at_epoch_start(&self) -> bool {
        self.batch == 0
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
        self.position.epoch > self.config.epochs
    }

    /// "epoch 3 after batch 120", for messages.
    pub fn describe(&self) -> String {
        self.position.describe()
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
