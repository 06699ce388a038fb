//! Part 2: a tiny CNN on MNIST.
//!
//! - [`idx`] and [`data`]: the four IDX files, validated, pixels kept as bytes.
//! - [`augment`]: the seed's augmentation as one batched affine resample per batch.
//! - [`model`]: the architectures as layer lists (`seed`, `compact`, a student's design),
//!   checked layer by layer, with summaries; [`net`]: the burn module a list builds.
//! - [`cpu`]: faster CPU convolution and batch norm for the models on burn's Flex backend.
//! - [`config`]: a run's settings and the named recipes.
//! - [`plan`]: settings checked once and worked out into what the loop runs.
//! - [`tensors`]: batches of images as tensors, and values read back.
//! - [`step`]: one optimisation step (forward, loss, backward, update).
//! - [`evaluate`]: a model on the test set, every mistake with its guess.
//! - [`report`]: what a run reports (progress, epochs, evaluation, outcome).
//! - [`train`]: the async training loop with progress, stop and divergence handling.
//! - [`parallel`]: a batch split into slices, each computed by a [`replica`] of the model (the
//!   page's workers), the gradients summed; [`values`]: a model's numbers as flat lists.
//! - [`fallback`]: the weights a diverging run keeps.
//! - [`optimizer`]: SGD and Adam, their state saved with the weights; [`average`]: the mean of
//!   the weights over a run's last steps.
//! - [`snapshot`]: where a run is ([`snapshot::RunPosition`]), so a resumed one continues
//!   exactly; [`resumable`]: the loop's run handed to a checkpoint, saved as a snapshot.
//! - [`checkpoint`]: weights (and a run's snapshot) to bytes and back.
//! - [`bench`]: timing training steps and counting their GPU kernels; "auto"'s device choice.
//! - [`infer`]: predictions and first-layer views of a trained model.

pub mod augment;
pub mod average;
pub mod bench;
pub mod checkpoint;
pub mod config;
pub mod cpu;
pub mod data;
pub mod evaluate;
pub mod fallback;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod idx;
pub mod infer;
pub mod layers;
pub mod memory;
pub mod model;
pub mod net;
pub mod optimizer;
pub mod parallel;
pub mod plan;
pub mod report;
pub mod replica;
pub mod resumable;
pub mod rng;
pub mod snapshot;
pub mod step;
pub mod tensors;
pub mod train;
pub mod values;

pub use config::TrainConfig;
pub use data::Mnist;
pub use model::ModelSpec;
