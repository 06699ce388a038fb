//! Counting the GPU kernels a piece of work launches.
//!
//! On a GPU, a training step of a model this small is bound by how many kernels it launches
//! (each costs the host and the driver microseconds), not by arithmetic: the count says whether
//! a student's GPU can beat their CPU. cubecl, the compiler under burn's wgpu backend, calls a
//! process-wide observer for every launch on the thread that issues it; this installs one for as
//! long as a [`KernelCount`] lives. It sees every kernel, fused or not, natively and in wasm.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cubecl_runtime::logging::{LaunchObservation, LaunchObserver};

#[derive(Default)]
struct Tally(Mutex<BTreeMap<&'static str, usize>>);

impl LaunchObserver for Tally {
    fn launched(&self, kernel: &'static str) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()).entry(kernel).or_default() += 1;
    }
}

/// Kernel launches since [`KernelCount::start`], by kernel name. Only one count can be running:
/// a second one replaces the first until it is dropped.
pub struct KernelCount {
    tally: Arc<Tally>,
    _watching: LaunchObservation,
}

impl KernelCount {
    pub fn start() -> Self {
        let tally = Arc::new(Tally::default());
        KernelCount { _watching: LaunchObservation::new(tally.clone()), tally }
    }

    /// Launches so far. Kernels are issued when the backend runs its queue: call this after
    /// reading something back, so the work counted has been issued.
    pub fn total(&self) -> usize {
        self.by_kernel().values().sum()
    }

    /// Launches so far per kernel name (names as cubecl gives them), in name order.
    pub fn by_kernel(&self) -> BTreeMap<&'static str, usize> {
        self.tally.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts again from zero.
    pub fn reset(&self) {
        self.tally.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
