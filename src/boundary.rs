//! What the page and the engine send each other, as types: the ones only the wasm boundary
//! (`src/web`) sends, and [`typescript`], which writes every type that crosses the boundary as
//! TypeScript. The page imports those declarations (`www/generated/engine.ts`, checked against
//! this by `tests/typescript.rs`) instead of keeping its own copies.

use serde::Serialize;
use ts_rs::{Config, TS};

use crate::device::{Adapter, Backend};
use crate::mnist::bench::StepTiming;
use crate::mnist::model::SummaryRow;
use crate::mnist::train::{EpochMetrics, Evaluation, Outcome};
use crate::tiny::trace::Trace;

/// An architecture with its summary table (`mnistModels`).
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    pub name: &'static str,
    pub about: &'static str,
    pub rows: Vec<SummaryRow>,
    pub total: usize,
}

/// Where a checkpoint was taken: the epoch under way and its batches done (`(next, 0)` after
/// an epoch).
#[derive(Serialize, TS)]
pub struct Place {
    pub epoch: usize,
    pub batch: usize,
}

/// How a run ended (`mnistTrain`).
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub epochs: Vec<EpochMetrics>,
    pub evaluation: Option<Evaluation>,
    pub outcome: Outcome,
    /// Why the run ended early, in words (stopped, diverged), if it did.
    pub message: Option<String>,
    /// How a resumed run began, if not exactly where it stopped (an old weights-only file).
    pub note: Option<String>,
    pub backend: Backend,
    pub fallback_reason: Option<String>,
}

/// Where a run trains, decided by the engine (`mnistChooseDevice`).
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceChoice {
    pub backend: Backend,
    pub adapter: Option<Adapter>,
    /// The badge's line, e.g. "WebGPU (SwiftShader Device, software) 1,150 ms/step · CPU 120
    /// ms/step → training on the CPU".
    pub summary: String,
    pub timings: Vec<StepTiming>,
}

/// Part 1 through burn (`tinyBurn`).
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BurnRun {
    pub traces: Vec<Trace>,
    pub backend: Backend,
    /// Where it ran, in words: "the CPU", "WebGPU on SwiftShader Device, software".
    pub device: String,
    pub fallback_reason: Option<String>,
    pub max_abs_difference: f64,
    pub millis: f64,
}

/// Every type that crosses the boundary, as one TypeScript module.
pub fn typescript() -> String {
    use crate::mnist::{augment, config, train};
    let cfg = Config::new();
    let mut out = String::from(
        "// Generated from the Rust types (src/boundary.rs `typescript`): do not edit.\n\
         // `GRADBOOK_WRITE_TYPES=1 cargo test --test typescript` writes it again.\n",
    );
    let mut add = |decl: String| {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    };
    // Part 1.
    add(crate::tiny::config::TinyConfig::decl(&cfg));
    add(crate::tiny::config::ConfigError::decl(&cfg));
    add(crate::tiny::trace::Row::decl(&cfg));
    add(Trace::decl(&cfg));
    add(BurnRun::decl(&cfg));
    // Part 2.
    add(augment::AugmentConfig::decl(&cfg));
    add(augment::Interpolation::decl(&cfg));
    add(config::OptimizerConfig::decl(&cfg));
    add(config::Schedule::decl(&cfg));
    add(config::TrainConfig::decl(&cfg));
    add(config::Invalid::decl(&cfg));
    add(SummaryRow::decl(&cfg));
    add(ModelInfo::decl(&cfg));
    add(train::Progress::decl(&cfg));
    add(EpochMetrics::decl(&cfg));
    add(Evaluation::decl(&cfg));
    add(Outcome::decl(&cfg));
    add(train::Kept::decl(&cfg));
    add(Place::decl(&cfg));
    add(RunSummary::decl(&cfg));
    add(Backend::decl(&cfg));
    add(Adapter::decl(&cfg));
    add(StepTiming::decl(&cfg));
    add(DeviceChoice::decl(&cfg));
    out
}
