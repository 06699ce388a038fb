//! The MNIST engine, one module per part of it: IDX parsing, augmentation, models, settings,
//! checkpoints, and (with MNIST_DIR set, `--include-ignored`) short real runs. One test binary:
//! the modules share its helpers below.

#![cfg(not(target_arch = "wasm32"))]

mod augmentation;
mod designs;
mod idx_files;
mod models;
mod optimizer;
mod parallel;
mod runs;
mod settings;
mod weights_files;

use std::io::Write;
use std::sync::{Mutex, MutexGuard};

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use gradbook::mnist::data::augment::{self, AugmentConfig, Interpolation::{Bilinear, Nearest}, Params};
use gradbook::mnist::run::config::Schedule;
use gradbook::mnist::data::{Mnist, Split};
use gradbook::mnist::run::resumable::Resumable;
use gradbook::mnist::run::report::{self, EpochMetrics, Kept, Outcome, Progress};
use gradbook::mnist::run::plan::Plan;
use gradbook::mnist::run::train::{self, Control, Observer};
use gradbook::mnist::{run::step, data::tensors};
use gradbook::mnist::{run::checkpoint, data::idx, ModelSpec, TrainConfig};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// burn draws initial weights from one generator per process, which a run seeds first. Tests
/// that initialise a model hold this lock, so no other test draws between a seed and its use
/// (a run here once trained from different weights and missed its threshold).
fn one_generator() -> MutexGuard<'static, ()> {
    static GENERATOR: Mutex<()> = Mutex::new(());
    GENERATOR.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn flex() -> Device {
    Device::flex()
}

fn mnist() -> Mnist {
    let dir = std::env::var("MNIST_DIR").expect("set MNIST_DIR to the folder with the four MNIST files");
    Mnist::from_dir(std::path::Path::new(&dir)).unwrap()
}

fn banded() -> Mnist {
    Mnist { train: Split::banded(256), test: Split::banded(100) }
}

/// Every value of a model's weights and statistics.
pub fn weights(model: &gradbook::mnist::model::net::Net) -> Vec<f32> {
    use burn::module::{ModuleVisitor, Param};
    struct Collect(Vec<f32>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.extend(param.val().into_data().try_to_vec::<f32>().unwrap());
        }
    }
    let mut collect = Collect(Vec::new());
    model.visit(&mut collect);
    collect.0
}
