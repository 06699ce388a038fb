//! A training run: its settings and what the loop makes of them, the loop and its step, the
//! tests, the optimizers, the files a run is saved in and resumed from, and the slices a batch
//! is shared in between workers.
//!
//! - [`config`]: a run's settings and the named recipes; [`plan`]: settings checked once and
//!   worked out into what the loop runs.
//! - [`train`]: the async training loop with progress, stop and divergence handling; [`step`]:
//!   one optimisation step (forward, loss, backward, update).
//! - [`evaluate`]: a model on the test set, every mistake with its guess; [`report`]: what a
//!   run reports (progress, epochs, evaluation, outcome); [`fallback`]: the weights a
//!   diverging run keeps.
//! - [`optimizer`]: SGD and Adam, their state saved with the weights; [`average`]: the mean of
//!   the weights over a run's last steps.
//! - [`snapshot`]: where a run is ([`snapshot::RunPosition`]), so a resumed one continues
//!   exactly; [`resumable`]: the loop's run handed to a checkpoint; [`checkpoint`]: weights (and
//!   a run's snapshot) to bytes and back.
//! - [`parallel`]: a batch split into slices, each computed by a [`replica`] of the model (the
//!   page's workers), the gradients summed.
//! - [`bench`]: timing training steps and counting their GPU kernels; "auto"'s device choice.

pub mod average;
pub mod bench;
pub mod checkpoint;
pub mod config;
pub mod evaluate;
pub mod fallback;
pub mod optimizer;
pub mod parallel;
pub mod plan;
pub mod replica;
pub mod report;
pub mod resumable;
pub mod snapshot;
pub mod step;
pub mod train;
