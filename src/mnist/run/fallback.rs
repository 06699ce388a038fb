//! The weights a diverging run falls back to: the latest known to give a finite loss that
//! also evaluate to one.
//!
//! A report that finds the loss finite vouches for the weights that computed those losses,
//! not for the update after its last batch: the newest snapshot (taken at the last good report)
//! trains the first batch of the next window, whose loss is in the sum that blew up. The one
//! before it trained a batch of the last good window. Weights can still be finite but huge by
//! then (batch norm's batch statistics tame them in training, its running ones do not in
//! evaluation), so each candidate is evaluated: that snapshot, then the end of the last finished
//! epoch, then the run's starting weights.
//!
//! Snapshots are taken with [`Module::valid`], never `clone`: a clone shares the batch norms'
//! running statistics (an `Arc`) with the live model, which updates them in place, so the
//! blow-up would reach the kept copy too.

use burn::module::Module;
use burn::tensor::Device;

use super::checkpoint::all_finite;
use crate::mnist::data::Split;
use super::evaluate::evaluate;
use crate::mnist::model::net::Net;
use super::report::{Evaluation, Kept};

#[derive(Default)]
pub struct Fallback {
    newest: Option<(Kept, Net)>,
    vouched: Option<(Kept, Net)>,
    epoch: Option<(Kept, Net)>,
}

impl Fallback {
    /// After a report whose loss was finite.
    pub fn keep(&mut self, epoch: usize, batch: usize, model: &Net) {
        self.vouched = self.newest.replace((Kept::Batch { epoch, batch }, model.valid()));
    }

    /// After an epoch's test.
    pub fn keep_epoch(&mut self, epoch: usize, model: &Net) {
        self.epoch = Some((Kept::Epoch { epoch }, model.valid()));
    }

    /// The first candidate whose values are finite and whose test loss is too, else `start`.
    pub async fn choose(self, start: Net, test: &Split, device: &Device) -> Result<(Kept, Net, Evaluation), String> {
        for (kept, model) in [self.vouched, self.epoch].into_iter().flatten() {
            if all_finite(&model).await? {
                let evaluation = evaluate(&model, test, device).await?;
                if evaluation.loss.is_finite() {
                    return Ok((kept, model, evaluation));
                }
            }
        }
        let evaluation = evaluate(&start, test, device).await?;
        Ok((Kept::Start, start, evaluation))
    }
}
