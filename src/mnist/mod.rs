//! Part 2: a tiny CNN on MNIST, in four parts that import in one direction (a run uses models,
//! which use kernels; all of them use the data):
//!
//! - [`data`]: the four IDX files, validated, pixels kept as bytes; augmentation; batches as
//!   tensors.
//! - [`model`]: the architectures as layer lists (`seed`, `compact`, a student's design),
//!   checked layer by layer, with summaries; the burn module a list builds; which kernels each
//!   layer takes; predictions.
//! - [`kernels`]: our CPU and GPU kernels for convolution, batch norm and max pooling, with
//!   their backward passes.
//! - [`run`]: settings and recipes, the training loop, tests, optimizers, checkpoints and exact
//!   resume, the slices a batch is shared in between workers, benchmarks.

pub mod data;
pub mod kernels;
pub mod model;
pub mod run;

pub use data::Mnist;
pub use model::ModelSpec;
pub use run::config::TrainConfig;
