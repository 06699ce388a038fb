//! What the page and the engine send each other, as types: the ones only the wasm boundary
//! (`src/web`) sends, and [`typescript`], which writes every type that crosses the boundary as
//! TypeScript. The page imports those declarations (`www/generated/engine.ts`, checked against
//! this by `tests/typescript.rs`) instead of keeping its own copies.

use serde::{Deserialize, Serialize};
use ts_rs::{Config, TS};

use crate::device::{Adapter, Backend, Preference};
use crate::mnist::run::bench::StepTiming;
use crate::mnist::run::config::TrainConfig;
use crate::mnist::model::{DesignError, ModelSpec, SummaryRow};
use crate::mnist::run::report::{EpochMetrics, Evaluation, Outcome, TestPoint};
use crate::tiny::conclusion::Conclusion;
use crate::tiny::trace::Trace;

/// An architecture (its name, about line and layers) with its summary table (`mnistModels`).
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    #[serde(flatten)]
    pub spec: ModelSpec,
    pub rows: Vec<SummaryRow>,
    pub total: usize,
}

impl ModelInfo {
    pub fn of(spec: ModelSpec) -> Result<Self, DesignError> {
        Ok(ModelInfo { rows: spec.summary()?, total: spec.num_params()?, spec })
    }
}

/// A design checked (`mnistCheckModel`): the summary rows of its layers that fit, their
/// parameters, and why it cannot be built, if it cannot.
#[derive(Serialize, TS)]
pub struct DesignCheck {
    pub rows: Vec<SummaryRow>,
    pub total: usize,
    pub error: Option<DesignError>,
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
    pub tests: Vec<TestPoint>,
    pub evaluation: Option<Evaluation>,
    pub outcome: Outcome,
    /// Why the run ended early, in words (stopped, diverged), if it did.
    pub message: Option<String>,
    /// How a resumed run began, if not exactly where it stopped (an old weights-only file).
    pub note: Option<String>,
    pub backend: Backend,
    pub fallback_reason: Option<String>,
}

/// Where a run trains, as the engine decided when the run started (`mnistTrain`'s `device` callback).
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

/// What the page asks `mnistTrain` for: settings, where (the engine chooses the device for
/// the preference and says which), and the run to continue, if any.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainRequest {
    pub config: TrainConfig,
    pub preference: Preference,
    pub resume: Option<Resume>,
}

/// A run to continue: its checkpoint file, and (for a weights-only file from an older page,
/// which does not say) how many epochs it had finished.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    #[serde(with = "serde_bytes")]
    #[ts(type = "Uint8Array")]
    pub checkpoint: Vec<u8>,
    pub epochs_done: usize,
}

/// Part 1 on the exact path (`tinyExact`): the traces and what they show.
#[derive(Serialize, TS)]
pub struct ExactRun {
    pub traces: Vec<Trace>,
    pub conclusion: Conclusion,
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

/// Every type that crosses the boundary, as one TypeScript module (or why a constant could not
/// be written as JSON).
pub fn typescript() -> Result<String, String> {
    use crate::mnist::{data::augment, run::config, model, run::report};
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
    // A value the Rust core defines, as a constant of type `ty`.
    fn constant(name: &str, ty: &str, value: &impl Serialize) -> Result<String, String> {
        let json = serde_json::to_string(value).map_err(|e| format!("{name}: {e}"))?;
        Ok(format!("const {name}: {ty} = {json};"))
    }
    // Part 1.
    add(crate::tiny::config::TinyConfig::decl(&cfg));
    // The sheet's settings: the page lays Part 1 out with them before the engine has loaded.
    add(constant("TINY_DEFAULTS", "TinyConfig", &crate::tiny::config::TinyConfig::default())?);
    add(crate::tiny::trace::Row::decl(&cfg));
    add(crate::tiny::trace::Column::decl(&cfg));
    add(constant("ROW_COLUMNS", "readonly Column[]", &crate::tiny::trace::COLUMNS)?);
    add(Trace::decl(&cfg));
    add(Conclusion::decl(&cfg));
    add(crate::tiny::conclusion::RateOutcome::decl(&cfg));
    add(crate::tiny::conclusion::Trend::decl(&cfg));
    add(ExactRun::decl(&cfg));
    {
        use crate::tiny::{explain, graph};
        add(explain::Explanation::decl(&cfg));
        add(explain::Formula::decl(&cfg));
        add(explain::Pass::decl(&cfg));
        add(explain::Piece::decl(&cfg));
        add(explain::Cell::decl(&cfg));
        add(explain::Factor::decl(&cfg));
        add(explain::Path::decl(&cfg));
        add(graph::Graph::decl(&cfg));
        add(graph::Node::decl(&cfg));
        add(graph::Op::decl(&cfg));
    }
    add(BurnRun::decl(&cfg));
    // Part 2.
    add(augment::AugmentConfig::decl(&cfg));
    add(augment::Interpolation::decl(&cfg));
    add(config::OptimizerConfig::decl(&cfg));
    add(config::Schedule::decl(&cfg));
    add(config::TrainConfig::decl(&cfg));
    // Each recipe's sentence, which the page shows under the recipe's name.
    let about: std::collections::BTreeMap<&str, &str> = config::TrainConfig::RECIPES.iter().map(|&r| (r, config::TrainConfig::about(r))).collect();
    add(constant("RECIPE_ABOUT", "Readonly<Record<string, string>>", &about)?);
    // Every recipe's settings, in the CLI's order (the engine's `recipes` answers the same).
    let recipes = config::TrainConfig::RECIPES.iter().map(|&r| config::TrainConfig::recipe(r).map(|c| (r, c))).collect::<Result<Vec<_>, _>>()?;
    add(constant("RECIPES", "readonly (readonly [string, TrainConfig])[]", &recipes)?);
    add(constant("OPTIMIZER_KINDS", "readonly OptimizerConfig[]", &config::OptimizerConfig::KINDS)?);
    add(constant("SCHEDULE_KINDS", "readonly Schedule[]", &config::Schedule::KINDS)?);
    add(constant("INTERPOLATIONS", "readonly Interpolation[]", &augment::Interpolation::ALL)?);
    // The page's worker setting: its bound and its default's cap (one per core, up to it).
    add(constant("WORKER_LIMITS", "Readonly<{ max: number; defaultCap: number }>", &std::collections::BTreeMap::from([
        ("max", config::MAX_WORKERS),
        ("defaultCap", config::DEFAULT_WORKERS),
    ]))?);
    let files: Vec<String> = crate::mnist::data::FILES.iter().map(|(name, _)| format!("{name}.gz")).collect();
    add(constant("MNIST_FILES", "readonly string[]", &files)?);
    // For `npm start` to fetch them as `gradbook download` does: the SHA-256 of each file's
    // decompressed bytes, and where from.
    let sums: std::collections::BTreeMap<String, &str> = crate::mnist::data::FILES.iter().map(|(name, sha)| (format!("{name}.gz"), *sha)).collect();
    add(constant("MNIST_SHA256", "Readonly<Record<string, string>>", &sums)?);
    add(constant("MNIST_MIRRORS", "readonly string[]", &crate::mnist::data::MIRRORS)?);
    add(TrainRequest::decl(&cfg));
    add(Resume::decl(&cfg));
    add(crate::settings::Invalid::decl(&cfg));
    add(model::Architecture::decl(&cfg));
    add(config::ModelChoice::decl(&cfg));
    add(model::ModelSpec::decl(&cfg));
    add(model::Layer::decl(&cfg));
    add(DesignError::decl(&cfg));
    add(DesignCheck::decl(&cfg));
    add(constant("MODEL_BUDGETS", "readonly number[]", &model::BUDGETS)?);
    add(model::LayerPreset::decl(&cfg));
    add(constant("LAYER_PRESETS", "readonly LayerPreset[]", &model::LAYER_PRESETS)?);
    // The editor's bounds, so the page's inputs say the same limits the check enforces.
    add(constant("MODEL_LIMITS", "Readonly<Record<string, number>>", &std::collections::BTreeMap::from([
        ("width", model::MAX_WIDTH),
        ("name", model::MAX_NAME),
        ("side", crate::mnist::data::SIDE),
    ]))?);
    add(model::LayerKind::decl(&cfg));
    add(SummaryRow::decl(&cfg));
    add(ModelInfo::decl(&cfg));
    add(report::Progress::decl(&cfg));
    add(EpochMetrics::decl(&cfg));
    add(TestPoint::decl(&cfg));
    add(constant("MILESTONES", "readonly number[]", &report::MILESTONES)?);
    add(Evaluation::decl(&cfg));
    add(report::Mistake::decl(&cfg));
    add(Outcome::decl(&cfg));
    add(report::Kept::decl(&cfg));
    add(Place::decl(&cfg));
    add(RunSummary::decl(&cfg));
    add(Backend::decl(&cfg));
    add(crate::device::Preference::decl(&cfg));
    add(constant("PREFERENCES", "readonly Preference[]", &crate::device::Preference::ALL)?);
    add(Adapter::decl(&cfg));
    add(StepTiming::decl(&cfg));
    add(crate::mnist::model::infer::Grid::decl(&cfg));
    add(crate::mnist::model::infer::Inspection::decl(&cfg));
    add(DeviceChoice::decl(&cfg));
    Ok(out)
}
