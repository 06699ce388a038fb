//! Part 1: the 2-2-2 sigmoid network of the Excel exercise, trained "by hand".
//!
//! - [`config`]: the sheet's inputs, targets, weights and learning rates, validated.
//! - [`exact`]: the hand-derived chain rule in f64, one line per Excel column.
//! - [`autodiff`]: the same network in burn, every learning rate in one batched tensor,
//!   gradients from burn's autodiff.
//! - [`trace`]: the per-iteration rows both produce, their columns, and the CSV they print as.
//! - [`conclusion`]: what the learning rates' runs show, side by side.
//! - [`graph`]: autodiff on scalars, micrograd's way: E_total's computation graph.
//! - [`explain`]: where each number of an iteration comes from, for the page to point at.

pub mod autodiff;
pub mod conclusion;
pub mod config;
pub mod exact;
pub mod explain;
pub mod graph;
pub mod trace;

pub use config::TinyConfig;
pub use trace::{Row, Trace};
