//! One training run's settings, and the named recipes (the seed's three experiments and ours).

use serde::{Deserialize, Serialize};

use crate::mnist::data::augment::AugmentConfig;
use crate::mnist::model::{Architecture, DesignError, Layer, ModelSpec};
use crate::settings::Invalid;

/// Which model a run trains: a built-in one by name (`"compact"`), or a student's own design
/// (`{"name": "mine", "layers": [...]}`), as the page's editor and `--model-file` give it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(untagged)]
pub enum ModelChoice {
    Named(Architecture),
    Design(ModelSpec),
}

impl ModelChoice {
    pub fn name(&self) -> &str {
        match self {
            ModelChoice::Named(a) => a.name(),
            ModelChoice::Design(spec) => &spec.name,
        }
    }

    pub fn spec(&self) -> ModelSpec {
        match self {
            ModelChoice::Named(a) => a.spec(),
            ModelChoice::Design(spec) => spec.clone(),
        }
    }

    /// `Ok` when the model can be built; a design must also not take a built-in model's name
    /// (a weights file names its model, and the name must say which one it is).
    pub fn check(&self) -> Result<(), DesignError> {
        match self {
            ModelChoice::Named(_) => Ok(()),
            ModelChoice::Design(spec) => {
                if let Ok(builtin) = spec.name.parse::<Architecture>() {
                    if builtin.spec().layers != spec.layers {
                        return Err(DesignError {
                            layer: None,
                            message: format!("'{}' is a built-in model's name: give your design another one", spec.name),
                        });
                    }
                }
                spec.check()
            }
        }
    }
}

impl std::fmt::Display for ModelChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Architecture> for ModelChoice {
    fn from(a: Architecture) -> Self {
        ModelChoice::Named(a)
    }
}

/// A name reads as a built-in model (an unknown one as serde's unknown variant, with the known
/// names), an object as a design (with serde's word for what is wrong in it): clearer than an
/// untagged enum's "did not match any variant".
impl<'de> Deserialize<'de> for ModelChoice {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(deserializer)? {
            // As serde words an unknown variant, which `nearest_name` turns into "did you mean".
            serde_json::Value::String(name) => {
                Architecture::deserialize(serde::de::IntoDeserializer::<D::Error>::into_deserializer(name)).map(ModelChoice::Named)
            }
            design @ serde_json::Value::Object(_) => {
                ModelSpec::deserialize(design).map(ModelChoice::Design).map_err(|e| D::Error::custom(format!("in the model's design: {e}")))
            }
            other => Err(D::Error::custom(format!("a model is a name or a design ({{\"name\": …, \"layers\": […]}}), not {other}"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum OptimizerConfig {
    /// PyTorch's SGD: no dampening; Nesterov optional.
    Sgd { momentum: f64, nesterov: bool, weight_decay: f64 },
    Adam { weight_decay: f64 },
}

impl OptimizerConfig {
    /// Each kind with the settings it starts from when a student switches to it.
    pub const KINDS: [OptimizerConfig; 2] =
        [OptimizerConfig::Sgd { momentum: 0.9, nesterov: false, weight_decay: 0.0 }, OptimizerConfig::Adam { weight_decay: 0.0 }];
}

/// How the learning rate moves over the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum Schedule {
    Constant,
    /// PyTorch's StepLR stepped once per epoch: × gamma every `every` epochs.
    Step { every: usize, gamma: f64 },
    /// One-cycle: linear warm-up from lr/div to lr over `warmup` of the run, then cosine
    /// annealing down to lr/final_div; updated every batch.
    OneCycle { warmup: f64, div: f64, final_div: f64 },
}

impl Schedule {
    /// Each kind with the settings it starts from when a student switches to it (the seed's
    /// StepLR, and a one-cycle as our recipe runs it).
    pub const KINDS: [Schedule; 3] =
        [Schedule::Constant, Schedule::Step { every: 8, gamma: 0.25 }, Schedule::OneCycle { warmup: 0.2, div: 10.0, final_div: 100.0 }];

    /// The learning rate at optimizer step `step` of `total` (`per_epoch` per epoch).
    pub fn lr(&self, base: f64, step: usize, per_epoch: usize, total: usize) -> f64 {
        match *self {
            Schedule::Constant => base,
            Schedule::Step { every, gamma } => base * gamma.powi((step / per_epoch / every.max(1)) as i32),
            Schedule::OneCycle { warmup, div, final_div } => {
                let t = step as f64 / total.max(1) as f64;
                if t < warmup {
                    let start = base / div;
                    start + (base - start) * t / warmup
                } else {
                    let end = base / final_div;
                    let p = (t - warmup) / (1.0 - warmup);
                    end + (base - end) * 0.5 * (1.0 + (std::f64::consts::PI * p).cos())
                }
            }
        }
    }
}

/// Unknown keys are refused, not ignored: a misspelt setting (`limit_train` for `limitTrain`)
/// must not quietly train on all 60,000 images. [`nearest_name`] says what was meant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrainConfig {
    pub model: ModelChoice,
    /// Keep the model's dropout layers (false sets their probability to zero).
    pub dropout: bool,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub optimizer: OptimizerConfig,
    pub schedule: Schedule,
    /// 0 = plain cross-entropy (log-softmax + NLL).
    pub label_smoothing: f64,
    pub augment: AugmentConfig,
    /// The last this many epochs train on the images as they are, without augmentation: the
    /// model settles on the distribution it is tested on while the learning rate is small.
    /// (More than `epochs` means no augmentation at all.)
    #[serde(default)]
    pub clean_epochs: usize,
    /// Sent as a JS number (integers up to 2⁵³ are exact).
    #[ts(type = "number")]
    pub seed: u64,
    /// Use only the first N training / test images (quick runs, tests).
    pub limit_train: Option<usize>,
    pub limit_test: Option<usize>,
    /// Read the running loss back from the device every this many batches.
    pub report_every: usize,
    /// On the CPU, each batch is cut into this many slices whose gradients are computed side by
    /// side, each by a replica of the model (the page's Web Workers; `super::parallel`): what the
    /// run computes depends on it (batch norm sees each slice's statistics), not on how many
    /// cores share the slices. 1: the whole batch at once, as on the GPU, which ignores it.
    #[serde(default = "one")]
    pub workers: usize,
    /// Tests of the whole test set spread evenly over the last epoch, besides the one after
    /// each epoch: when a short run crosses an accuracy shows to within a fraction of an
    /// epoch. Each costs a pass over the test images.
    #[serde(default)]
    pub last_epoch_tests: usize,
    /// The fraction of the run's steps, at its end, whose weights are averaged into the model
    /// that is tested and kept (0: the last step's weights).
    #[serde(default)]
    pub average_last: f64,
}

fn one() -> usize {
    1
}

impl TrainConfig {
    /// The seed's final recipe: SGD 0.01 momentum 0.9, StepLR(8, 0.25), batch 64, 19 epochs,
    /// dropout and the full augmentation.
    pub fn seed() -> Self {
        TrainConfig {
            model: ModelChoice::Named(Architecture::Seed),
            dropout: true,
            epochs: 19,
            batch_size: 64,
            lr: 0.01,
            optimizer: OptimizerConfig::Sgd { momentum: 0.9, nesterov: false, weight_decay: 0.0 },
            schedule: Schedule::Step { every: 8, gamma: 0.25 },
            label_smoothing: 0.0,
            augment: AugmentConfig::SEED,
            clean_epochs: 0,
            seed: 1,
            limit_train: None,
            limit_test: None,
            report_every: 50,
            workers: 1,
            last_epoch_tests: 0,
            average_last: 0.0,
        }
    }

    /// The seed's first experiment: no dropout, no augmentation, batch 128.
    pub fn seed_plain() -> Self {
        TrainConfig { dropout: false, batch_size: 128, augment: AugmentConfig::NONE, ..Self::seed() }
    }

    /// The seed's second experiment: augmentation, no dropout, batch 64.
    pub fn seed_aug() -> Self {
        TrainConfig { dropout: false, ..Self::seed() }
    }

    /// Ours, for the `compact` model: Nesterov SGD with a one-cycle schedule, small batches (more
    /// updates: these models underfit rather than overfit), mild geometric augmentation (off for
    /// the last 4 epochs, so the 3 that are scored all follow a clean one), a little label
    /// smoothing. Bilinear: nearest-neighbour came out level here (docs/results.md).
    pub fn compact() -> Self {
        TrainConfig {
            model: ModelChoice::Named(Architecture::Compact),
            dropout: false,
            epochs: 15,
            batch_size: 32,
            lr: 0.1,
            optimizer: OptimizerConfig::Sgd { momentum: 0.9, nesterov: true, weight_decay: 5e-5 },
            schedule: Schedule::OneCycle { warmup: 0.2, div: 10.0, final_div: 100.0 },
            label_smoothing: 0.05,
            augment: AugmentConfig { affine_rotation: 6.0, translate: 0.08, scale: 0.08, ..AugmentConfig::NONE },
            clean_epochs: 4,
            seed: 1,
            limit_train: None,
            limit_test: None,
            report_every: 50,
            workers: 1,
            last_epoch_tests: 0,
            average_last: 0.0,
        }
    }

    /// A class period's run: `quick`'s model three epochs at twice `compact`'s peak rate, on
    /// the images as they are (augmentation pays back over longer runs), tested four more times
    /// in its last epoch to show when it crosses 99.4 % (docs/results.md).
    pub fn quick() -> Self {
        TrainConfig {
            model: ModelChoice::Named(Architecture::Quick),
            epochs: 3,
            lr: 0.2,
            augment: AugmentConfig::NONE,
            clean_epochs: 0,
            last_epoch_tests: 4,
            ..Self::compact()
        }
    }

    /// `compact`'s recipe for the smallest model that reaches 99.4 %, at twice the peak rate
    /// and without label smoothing: a model this small underfits, and both held it back
    /// (99.37 % with them, 99.46 % without, seed 1). Its weights averaged over the last three
    /// epochs, which the tests of those epochs see: their mean over six seeds went from 99.446
    /// to 99.462 %, the weakest seed's from 99.377 to 99.393 (docs/results.md).
    pub fn tiny() -> Self {
        TrainConfig { model: ModelChoice::Named(Architecture::Tiny), lr: 0.2, label_smoothing: 0.0, average_last: 0.2, ..Self::compact() }
    }

    pub const RECIPES: [&'static str; 6] = ["seed", "seed-plain", "seed-aug", "compact", "quick", "tiny"];

    /// What each recipe is for, and what it trades, in a sentence (the page shows it).
    pub fn about(name: &str) -> &'static str {
        match name {
            "seed" => "the exercise's final model and recipe: 19 epochs with augmentation and dropout, about 99.4 %",
            "seed-plain" => "the exercise's first experiment: no augmentation, no dropout, batch 128",
            "seed-aug" => "the exercise's second experiment: augmentation without dropout",
            "compact" => "our 7,936-parameter model, 15 epochs: 99.55 % on average, the most accurate here and the slowest to get there",
            "quick" => "99.4 % in three epochs, a class period's run: about twice compact's parameters (15,408) to come within 0.1 % of it five times sooner",
            "tiny" => "the fewest parameters that reach 99.4 % (3,944, under half of compact's): compact's 15 epochs at twice the rate, the last three averaged, for 0.1 % less",
            _ => "",
        }
    }

    pub fn recipe(name: &str) -> Result<Self, String> {
        match name {
            "seed" => Ok(Self::seed()),
            "seed-plain" => Ok(Self::seed_plain()),
            "seed-aug" => Ok(Self::seed_aug()),
            "compact" => Ok(Self::compact()),
            "quick" => Ok(Self::quick()),
            "tiny" => Ok(Self::tiny()),
            other => Err(format!("unknown recipe '{other}' (known: {})", Self::RECIPES.join(", "))),
        }
    }

    /// The model this config trains: its architecture, with the dropout layers' probability set
    /// to zero when the config turns dropout off.
    pub fn spec(&self) -> ModelSpec {
        let mut spec = self.model.spec();
        if !self.dropout {
            for layer in &mut spec.layers {
                if let Layer::Dropout { p } = layer {
                    *p = 0.0;
                }
            }
        }
        spec
    }

    /// Rejects settings that cannot train: the setting at fault as the page's form names it
    /// (its path in the serialised settings, e.g. `optimizer.momentum`), so the page can mark
    /// that field, and the rule (which alone the CLI says: its flags are named otherwise).
    pub fn check(&self) -> Result<(), Invalid> {
        let bad = |field: &'static str, message: String| Err(Invalid::new(field, message));
        if let Err(e) = self.model.check() {
            return bad("model", e.to_string());
        }
        let finite = |field: &'static str, name: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                bad(field, format!("{name} must be between {lo} and {hi}, got {}", shown(v)))
            }
        };
        if !(1..=1000).contains(&self.epochs) {
            return bad("epochs", format!("epochs must be between 1 and 1000, got {}", self.epochs));
        }
        if !(1..=8192).contains(&self.batch_size) {
            return bad("batchSize", format!("batch size must be between 1 and 8192, got {}", self.batch_size));
        }
        if self.lr <= 0.0 {
            return bad("lr", format!("the learning rate must be greater than 0, got {}", shown(self.lr)));
        }
        finite("lr", "the learning rate", self.lr, 0.0, 10.0)?;
        finite("labelSmoothing", "label smoothing", self.label_smoothing, 0.0, 0.5)?;
        match self.optimizer {
            OptimizerConfig::Sgd { momentum, weight_decay, .. } => {
                finite("optimizer.momentum", "momentum", momentum, 0.0, 0.999)?;
                finite("optimizer.weightDecay", "weight decay", weight_decay, 0.0, 0.1)?;
            }
            OptimizerConfig::Adam { weight_decay } => finite("optimizer.weightDecay", "weight decay", weight_decay, 0.0, 0.1)?,
        }
        match self.schedule {
            Schedule::Constant => {}
            Schedule::Step { every, gamma } => {
                if !(1..=1000).contains(&every) {
                    return bad(
                        "schedule.every",
                        format!("the step schedule's \"every\" must be between 1 and 1000 epochs, got {every}"),
                    );
                }
                // Above 0, or the rate would vanish or turn negative (gradient ascent).
                if !(gamma > 0.0 && gamma <= 1.0) {
                    return bad("schedule.gamma", format!("the step schedule's gamma must be above 0 and at most 1, got {gamma}"));
                }
            }
            Schedule::OneCycle { warmup, div, final_div } => {
                finite("schedule.warmup", "the one-cycle warm-up (a fraction of the run)", warmup, 0.0, 0.99)?;
                // The rate starts at lr/div and ends at lr/final_div: below 1 they would
                // exceed lr, and 0 makes them infinite.
                finite("schedule.div", "the one-cycle div", div, 1.0, 1e4)?;
                finite("schedule.finalDiv", "the one-cycle final div", final_div, 1.0, 1e6)?;
            }
        }
        let a = &self.augment;
        finite("augment.rotation", "rotation", a.rotation, 0.0, 180.0)?;
        finite("augment.affineRotation", "affine rotation", a.affine_rotation, 0.0, 180.0)?;
        finite("augment.translate", "translate", a.translate, 0.0, 0.5)?;
        finite("augment.scale", "scale", a.scale, 0.0, 0.9)?;
        finite("augment.brightness", "brightness", a.brightness, 0.0, 0.9)?;
        finite("augment.contrast", "contrast", a.contrast, 0.0, 0.9)?;
        if !(1..=MAX_WORKERS).contains(&self.workers) {
            return bad("workers", format!("workers must be between 1 and {MAX_WORKERS}, got {}", self.workers));
        }
        finite("averageLast", "the fraction of the run averaged", self.average_last, 0.0, 0.9)?;
        if self.last_epoch_tests > 100 {
            return bad("lastEpochTests", format!("tests within the last epoch must be at most 100, got {}", self.last_epoch_tests));
        }
        if self.report_every == 0 {
            return bad("reportEvery", "report_every must be at least 1".into());
        }
        if self.limit_train == Some(0) {
            return bad("limitTrain", "a limit on the training images must be at least 1".into());
        }
        if self.limit_test == Some(0) {
            return bad("limitTest", "a limit on the test images must be at least 1".into());
        }
        match crate::mnist::model::memory::engine_limit() {
            Some(limit) => crate::mnist::model::memory::check(&self.spec(), self.batch_size, limit, "the browser's engine").or_else(|m| bad("batchSize", m)),
            None => Ok(()),
        }
    }
}

/// The most slices a batch is cut into (each replica holds a copy of the engine).
pub const MAX_WORKERS: usize = 16;
/// How many the page uses by default: one per core the browser reports, up to this many (past
/// it a slice of a small batch is too small to pay for its messages: docs/results.md).
pub const DEFAULT_WORKERS: usize = 4;

/// A setting's value as a message shows it: in scientific notation when very large or very
/// small (Rust writes 1e308 as 309 digits).
fn shown(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-4..1e6).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}


