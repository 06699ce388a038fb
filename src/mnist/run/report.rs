//! What a run reports: its progress between batches, each epoch's metrics, an evaluation, and
//! how it ended. The training loop ([`super::train`]) makes them; the CLI, the page and the
//! tests read them.

use serde::{Deserialize, Serialize};

use crate::mnist::data::CLASSES;
use crate::mnist::model::net::Net;

/// Where a run is, every `report_every` batches.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub epoch: usize,
    /// Of `epochs`.
    pub epochs: usize,
    /// 1-based, of `batches`.
    pub batch: usize,
    pub batches: usize,
    /// Mean loss over this epoch's batches so far.
    pub loss: f64,
    /// Mean loss over the batches since the previous report (what a per-batch plot shows).
    pub recent_loss: f64,
    /// Of this epoch's training images so far, in %.
    pub accuracy: f64,
    pub lr: f64,
    pub images_per_second: f64,
    /// Since this epoch started.
    pub seconds: f64,
}

/// One epoch's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EpochMetrics {
    pub epoch: usize,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub test_loss: f64,
    pub test_accuracy: f64,
    /// The learning rate at the epoch's last step.
    pub lr: f64,
    pub seconds: f64,
}

impl EpochMetrics {
    /// The seed notebook's log lines for this epoch.
    pub fn seed_log(&self) -> String {
        format!(
            "TRAIN set: Average loss: {:.4}, Train Accuracy: {:.2}%\nTEST set: Average loss: {:.4}, Test Accuracy: {:.2}%",
            self.train_loss, self.train_accuracy, self.test_loss, self.test_accuracy
        )
    }
}

/// A test of the weights during a run: after each epoch and, where a run asks for more
/// (`TrainConfig::last_epoch_tests`), within its last epoch. When a run first reached an
/// accuracy is read from these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TestPoint {
    pub epoch: usize,
    /// The batches of the epoch done (all of them at its end).
    pub batch: usize,
    pub batches: usize,
    /// The run's time when the test finished, its tests included and its pauses not.
    pub seconds: f64,
    pub accuracy: f64,
    pub loss: f64,
}

impl TestPoint {
    /// Where in the run, in epochs (2.5: half-way through the third).
    pub fn at(&self) -> f64 {
        (self.epoch - 1) as f64 + self.batch as f64 / self.batches.max(1) as f64
    }
}

/// The accuracies whose time a run reports: the exercise's 99.4 %, and 99 % on the way.
pub const MILESTONES: [f64; 2] = [99.0, 99.4];

/// The first test at or above `accuracy` %, if any.
pub fn first_reaching(tests: &[TestPoint], accuracy: f64) -> Option<&TestPoint> {
    tests.iter().find(|t| t.accuracy >= accuracy)
}

/// Accuracy, loss and mistakes on a test set.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub loss: f64,
    pub accuracy: f64,
    /// `confusion[true][predicted]`.
    #[ts(type = "number[][]")]
    pub confusion: [[u32; CLASSES]; CLASSES],
    /// The images predicted wrongly, in test-set order.
    pub misclassified: Vec<Mistake>,
}

/// A test image the model got wrong: where it is, what it shows, what the model said.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
pub struct Mistake {
    pub index: u32,
    pub label: u8,
    pub predicted: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Outcome {
    Completed,
    /// The observer asked to stop.
    Stopped { epoch: usize, batch: usize },
    /// The loss became NaN or infinite; the weights are the last good ones, `kept`.
    Diverged { epoch: usize, batch: usize, kept: Kept },
}

/// Which weights a diverged run kept: the latest that gave a finite loss and evaluate to one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum Kept {
    /// As they were after this batch.
    Batch { epoch: usize, batch: usize },
    /// As they were at the end of this epoch.
    Epoch { epoch: usize },
    /// As the run began (fresh or loaded): none after them evaluate to a finite loss.
    Start,
}

impl Kept {
    fn describe(&self) -> String {
        match self {
            Kept::Batch { epoch, batch } => format!("kept the weights after epoch {epoch}, batch {batch}, the last good ones"),
            Kept::Epoch { epoch } => format!("kept the weights from the end of epoch {epoch}, the last good ones"),
            Kept::Start => "kept the weights the run started from: none after them evaluate to a finite loss".into(),
        }
    }
}

impl Outcome {
    pub fn message(&self) -> Option<String> {
        match self {
            Outcome::Completed => None,
            Outcome::Stopped { epoch, batch } => Some(format!("stopped at epoch {epoch}, batch {batch}")),
            Outcome::Diverged { epoch, batch, kept } => Some(format!(
                "diverged at epoch {epoch}, batch {batch}: the loss is no longer finite (try a smaller learning rate); {}",
                kept.describe()
            )),
        }
    }
}

pub struct RunResult {
    pub epochs: Vec<EpochMetrics>,
    /// Every test of the run, in order (each epoch's and any within the last epoch).
    pub tests: Vec<TestPoint>,
    /// The trained model in inference mode (the last good weights if the run diverged).
    pub model: Net,
    /// The final model on the test set.
    pub evaluation: Option<Evaluation>,
    pub outcome: Outcome,
}

