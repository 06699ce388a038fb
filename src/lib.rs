//! gradbook: a deep-learning notebook that runs in the browser.
//!
//! The same core runs natively (the `gradbook` CLI, tests, benchmarks) and in the browser
//! (through the thin [`web`] boundary, inside a Web Worker).

pub mod boundary;
pub mod clock;
pub mod control;
pub mod device;
#[cfg(feature = "gpu")]
pub mod kernels;
pub mod mnist;
pub mod names;
pub mod settings;
pub mod tiny;

#[cfg(target_arch = "wasm32")]
pub mod web;
