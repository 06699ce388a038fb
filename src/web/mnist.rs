//! Part 2's boundary: MNIST data, models, training with live callbacks, and the trained model.
//!
//! The worker holds one dataset and one current model (the last trained or loaded); every
//! call clones what it needs out of that state before awaiting, so a prediction asked for
//! while a run is paused never finds the state borrowed.

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;
use js_sys::{Function, Uint8Array};
use wasm_bindgen::prelude::*;

use super::replica::JsHelpers;
use super::{compute, control, from_js, to_js};
use crate::boundary::{DesignCheck, DeviceChoice, ModelInfo, Place, Resume, RunSummary, TrainRequest};
use crate::device::{Backend, Compute, Preference};
use crate::mnist::run::bench;
use crate::mnist::data::augment::AugmentConfig;
use crate::mnist::run::config::ModelChoice;
use crate::mnist::model::ModelSpec;
use crate::mnist::model::net::Net;
use crate::mnist::run::resumable::Resumable;
use crate::clock::now_ms;
use crate::mnist::run::evaluate::evaluate;
use crate::mnist::run::plan::Plan;
use crate::mnist::run::report::{EpochMetrics, Progress, TestPoint};
use crate::mnist::run::train::{self, Control, Observer, Start};
use crate::mnist::{run::checkpoint, data::idx, model::infer, Mnist, TrainConfig};

struct Current {
    spec: ModelSpec,
    model: Net,
    device: Device,
}

#[derive(Default)]
struct Lab {
    data: Option<Rc<Mnist>>,
    current: Option<Rc<Current>>,
}

thread_local! {
    static LAB: RefCell<Lab> = RefCell::new(Lab::default());
}

fn err(message: impl AsRef<str>) -> JsError {
    JsError::new(message.as_ref())
}

fn data() -> Result<Rc<Mnist>, JsError> {
    LAB.with_borrow(|lab| lab.data.clone()).ok_or_else(|| err("the MNIST data is not loaded yet"))
}

fn current() -> Result<Rc<Current>, JsError> {
    LAB.with_borrow(|lab| lab.current.clone()).ok_or_else(|| err("there is no trained model yet: train one or load weights"))
}

fn set_current(spec: ModelSpec, model: Net, device: Device) {
    LAB.with_borrow_mut(|lab| lab.current = Some(Rc::new(Current { spec, model, device })));
}

/// Every architecture with its layers and summary table.
#[wasm_bindgen(js_name = mnistModels, unchecked_return_type = "T.ModelInfo[]")]
pub fn mnist_models() -> Result<JsValue, JsError> {
    let infos = ModelSpec::all().into_iter().map(ModelInfo::of).collect::<Result<Vec<_>, _>>().map_err(|e| err(e.to_string()))?;
    to_js(&infos)
}

/// A model from the page's editor, checked: the summary rows of its layers that fit, and
/// where and why it cannot be built, if it cannot.
#[wasm_bindgen(js_name = mnistCheckModel, unchecked_return_type = "T.DesignCheck")]
pub fn mnist_check_model(#[wasm_bindgen(unchecked_param_type = "T.ModelChoice")] model: JsValue) -> Result<JsValue, JsError> {
    let model: ModelChoice = from_js(model, "model")?;
    let (rows, error) = model.spec().summary_so_far();
    let total = rows.iter().map(|r| r.params).sum();
    // A name clash is the choice's to find, once every layer fits.
    let error = error.or_else(|| model.check().err());
    to_js(&DesignCheck { rows, total, error })
}

/// The named recipes as `[name, settings]` pairs.
#[wasm_bindgen(js_name = mnistRecipes, unchecked_return_type = "[string, T.TrainConfig][]")]
pub fn mnist_recipes() -> Result<JsValue, JsError> {
    let recipes = TrainConfig::RECIPES
        .iter()
        .map(|&n| TrainConfig::recipe(n).map(|c| (n, c)))
        .collect::<Result<Vec<_>, String>>()
        .map_err(err)?;
    to_js(&recipes)
}

/// `null` when the settings can train, else `{ field, message }`: the setting at fault (its
/// path, e.g. `optimizer.momentum`, which the page's form marks) and the rule.
#[wasm_bindgen(js_name = mnistValidate, unchecked_return_type = "T.Invalid | null")]
pub fn mnist_validate(#[wasm_bindgen(unchecked_param_type = "T.TrainConfig")] config: JsValue) -> Result<JsValue, JsError> {
    let config: TrainConfig = from_js(config, "settings")?;
    match config.check() {
        Ok(()) => Ok(JsValue::NULL),
        Err(invalid) => to_js(&invalid),
    }
}

/// One MNIST file as it arrives, filled piece by piece in the engine's memory: the page never
/// holds a whole file (a 47 MB copy, then garbage in the worker while training), and the
/// buffer is given its whole size once, from the server's length or the file's own header,
/// never grown by doubling (wasm memory, once grown, is never given back).
#[wasm_bindgen]
pub struct MnistFile {
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl MnistFile {
    /// `length`: what the server announced, when it did (a compressed transfer does not).
    #[wasm_bindgen(constructor)]
    pub fn new(length: Option<u32>) -> MnistFile {
        let cap = (idx::MAX_BYTES as usize).min(length.unwrap_or(0) as usize);
        MnistFile { bytes: Vec::with_capacity(cap) }
    }

    /// Appends the next piece; refuses a file that grows past any MNIST file's size.
    pub fn push(&mut self, piece: &[u8]) -> Result<(), JsError> {
        let len = self.bytes.len() + piece.len();
        if len as u64 > idx::MAX_BYTES {
            return Err(err(idx::too_large("it holds")));
        }
        if len > self.bytes.capacity() {
            // The length the header announces, once it is in; without one (gzip, a server
            // that announced too little), doubling, as a Vec would.
            let mut head = self.bytes[..self.bytes.len().min(64)].to_vec();
            head.extend_from_slice(&piece[..piece.len().min(64 - head.len())]);
            let doubled = len.max(2 * self.bytes.capacity()).min(idx::MAX_BYTES as usize);
            let want = idx::announced_len(&head).filter(|&n| n >= len).unwrap_or(doubled);
            self.bytes.reserve_exact(want - self.bytes.len());
        }
        self.bytes.extend_from_slice(piece);
        Ok(())
    }
}

/// Parses and keeps the four IDX files (gzip or raw), each checked against the canonical
/// SHA-256 (the page caches only files this accepts); returns the image counts. The files are
/// taken, not copied: raw ones become the data in place.
#[wasm_bindgen(js_name = mnistLoad, unchecked_return_type = "[train: number, test: number]")]
pub fn mnist_load(train_images: MnistFile, train_labels: MnistFile, test_images: MnistFile, test_labels: MnistFile) -> Result<JsValue, JsError> {
    let files = [train_images.bytes, train_labels.bytes, test_images.bytes, test_labels.bytes];
    let data = Mnist::from_canonical_bytes(files).map_err(|e| err(e.to_string()))?;
    let counts = [data.train.len(), data.test.len()];
    LAB.with_borrow_mut(|lab| lab.data = Some(Rc::new(data)));
    to_js(&counts)
}

fn checked_indices(indices: &[u32], len: usize) -> Result<Vec<usize>, JsError> {
    match indices.iter().find(|&&i| i as usize >= len) {
        Some(i) => Err(err(format!("image {i} does not exist (there are {len})"))),
        None => Ok(indices.iter().map(|&i| i as usize).collect()),
    }
}

/// The images at `indices` of "train" or "test": 784 bytes each, then one label byte each.
#[wasm_bindgen(js_name = mnistImages)]
pub fn mnist_images(#[wasm_bindgen(unchecked_param_type = "'train' | 'test'")] which: &str, indices: &[u32]) -> Result<Vec<u8>, JsError> {
    let data = data()?;
    let s = match which {
        "train" => &data.train,
        "test" => &data.test,
        other => return Err(err(format!("unknown split '{other}' (train or test)"))),
    };
    let (mut pixels, labels) = s.gather(&checked_indices(indices, s.len())?);
    pixels.extend(labels);
    Ok(pixels)
}

/// Training images at `indices` after one seeded draw of the augmentation, on the CPU.
#[wasm_bindgen(js_name = mnistAugmented)]
pub async fn mnist_augmented(indices: Vec<u32>, #[wasm_bindgen(unchecked_param_type = "T.AugmentConfig")] augment: JsValue, seed: f64) -> Result<Vec<u8>, JsError> {
    let augment: AugmentConfig = from_js(augment, "augmentation")?;
    let data = data()?;
    let indices = checked_indices(&indices, data.train.len())?;
    infer::augmented(&data.train, &indices, &augment, seed as u64, &Device::flex()).await.map_err(err)
}

/// Hands progress, each epoch, each test and checkpoints to JS callbacks, each answered as
/// [`control`] reads it.
struct Callbacks {
    on_device: Function,
    on_progress: Function,
    on_epoch: Function,
    on_test: Function,
    on_between: Function,
    on_checkpoint: Function,
    /// When the last checkpoint went to the page (ms, [`now_ms`]).
    saved_at: f64,
    /// When the page last had a word (a report, or between two steps).
    looked_at: f64,
    error: Option<String>,
}

/// How often a run is saved in the middle of an epoch: a reload loses at most this much.
const CHECKPOINT_EVERY_MS: f64 = 30_000.0;
/// How long a run goes without hearing the page (pause, stop) when its reports are far apart.
const LOOK_EVERY_MS: f64 = 250.0;

impl Callbacks {
    /// `{ device, progress, epoch, test, between, checkpoint }`, each a function.
    fn new(callbacks: &JsValue) -> Result<Self, JsError> {
        let get = |name: &str| {
            js_sys::Reflect::get(callbacks, &name.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| err(format!("the training callbacks have no '{name}' function")))
        };
        Ok(Callbacks {
            on_device: get("device")?,
            on_progress: get("progress")?,
            on_epoch: get("epoch")?,
            on_test: get("test")?,
            on_between: get("between")?,
            on_checkpoint: get("checkpoint")?,
            saved_at: now_ms(),
            looked_at: now_ms(),
            error: None,
        })
    }

    /// Where the run trains for `preference` (the CPU, saying why, when choosing fails), told
    /// to the page's `device` callback before the first step.
    async fn choose_device(&mut self, config: &TrainConfig, preference: Preference) -> Result<Compute, JsError> {
        let choice = bench::choose(config, preference).await.unwrap_or_else(|reason| bench::Choice {
            summary: format!("training on the CPU: choosing the device failed ({reason})"),
            compute: Compute { fallback_reason: Some(reason), ..Compute::flex() },
            timings: vec![],
        });
        let told = DeviceChoice {
            backend: choice.compute.backend,
            adapter: choice.compute.adapter.clone(),
            summary: choice.summary,
            timings: choice.timings,
        };
        self.on_device.call1(&JsValue::NULL, &to_js(&told)?).map_err(|e| err(format!("the page's callback failed: {e:?}")))?;
        Ok(choice.compute)
    }

    /// `value` handed to `callback`, its answer read as [`control`] reads it.
    async fn call(&mut self, callback: &Function, value: &impl serde::Serialize) -> Control {
        let returned = match to_js(value) {
            Ok(v) => callback.call1(&JsValue::NULL, &v),
            Err(e) => Err(JsValue::from(e)),
        };
        self.answer(returned).await
    }

    async fn answer(&mut self, returned: Result<JsValue, JsValue>) -> Control {
        control(returned).await.unwrap_or_else(|e| {
            self.error = Some(e);
            Control::Stop
        })
    }
}

impl Observer for Callbacks {
    async fn progress(&mut self, progress: &Progress) -> Control {
        self.looked_at = now_ms();
        self.call(&self.on_progress.clone(), progress).await
    }

    /// The page is asked between two steps only when a quarter of a second has gone by since it
    /// last was: a long step's stop is heard after it, a short step costs nothing.
    async fn between(&mut self) -> Control {
        if now_ms() - self.looked_at < LOOK_EVERY_MS {
            return Control::Continue;
        }
        self.looked_at = now_ms();
        let returned = self.on_between.call0(&JsValue::NULL);
        self.answer(returned).await
    }

    async fn epoch(&mut self, metrics: &EpochMetrics) -> Control {
        self.call(&self.on_epoch.clone(), metrics).await
    }

    async fn test(&mut self, test: &TestPoint) -> Control {
        self.call(&self.on_test.clone(), test).await
    }

    /// After every epoch, and every half minute within one.
    async fn checkpoint(&mut self, run: &Resumable<'_>) -> Result<(), String> {
        if !run.at_epoch_end() && now_ms() - self.saved_at < CHECKPOINT_EVERY_MS {
            return Ok(());
        }
        let bytes = Uint8Array::from(&run.to_bytes().await?[..]);
        self.saved_at = now_ms();
        let place = to_js(&Place { epoch: run.position.epoch, batch: run.position.batch }).map_err(|e| format!("{e:?}"))?;
        self.on_checkpoint.call2(&JsValue::NULL, &bytes, &place).map_err(|e| format!("the page's callback failed: {e:?}"))?;
        Ok(())
    }
}

/// Times `steps` training steps of `config` on `backend` after `warmup` untimed ones, and
/// counts the GPU kernels of each (what `bench/notebook-mnist.mjs` reports).
#[wasm_bindgen(js_name = mnistBench, unchecked_return_type = "T.StepTiming")]
pub async fn mnist_bench(
    #[wasm_bindgen(unchecked_param_type = "T.TrainConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "T.Backend")] backend: String,
    warmup: u32,
    steps: u32,
) -> Result<JsValue, JsError> {
    let config: TrainConfig = from_js(config, "settings")?;
    let preferred: Backend = backend.parse().map_err(|e: String| err(e))?;
    let compute = compute(preferred).await;
    let steps = bench::Steps { warmup: warmup as usize, timed: steps as usize, counted: (steps as usize).min(5) };
    to_js(&bench::bench(&config, &compute, steps).await.map_err(err)?)
}

/// For tests: loses the WebGPU device under the engine on purpose (see [`crate::device::lose_gpu`]).
#[wasm_bindgen(js_name = mnistLoseGpu)]
pub fn mnist_lose_gpu() -> bool {
    crate::device::lose_gpu()
}

/// For tests: traps the engine on purpose, as running wasm32 out of memory does, to check that
/// the page starts a fresh one and loses nothing else.
#[wasm_bindgen(js_name = mnistCrash)]
pub fn mnist_crash() {
    std::process::abort()
}

/// Trains `request.config` where `request.preference` says ("auto" times a few steps on WebGPU
/// and on the CPU and takes the faster; "wgpu" falls back to "flex", saying why), continuing
/// `request.resume` if given (exactly where it was; a weights-only file from an older page
/// after its `epochsDone` epochs). `callbacks`: `device(choice)` once the device is chosen,
/// before the first step; `progress(progress)` every
/// `reportEvery` batches, `test(point)` after every test, `epoch(metrics)` after each epoch's,
/// `checkpoint(bytes, {epoch, batch})` after each epoch and every half minute, `between()` between
/// two steps a quarter of a second after the page last heard from the run. The trained
/// model becomes the current one. `replicas` (`www/mnist/replicas.ts`) computes slices of each
/// batch beside this worker when the run has several workers.
#[wasm_bindgen(js_name = mnistTrain, unchecked_return_type = "T.RunSummary")]
pub async fn mnist_train(
    #[wasm_bindgen(unchecked_param_type = "T.TrainRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TrainCallbacks")] callbacks: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ReplicaHelpers")] replicas: JsValue,
) -> Result<JsValue, JsError> {
    let TrainRequest { config, preference, resume } = from_js(request, "training request")?;
    let mut callbacks = Callbacks::new(&callbacks)?;
    let mut helpers = JsHelpers::new(&replicas)?;
    let data = data()?;
    let plan = Plan::new(&config, &data).map_err(err)?;
    let compute = callbacks.choose_device(&config, preference).await?;
    let (start, note) = match resume {
        None => (Start::Fresh, None),
        Some(Resume { checkpoint, epochs_done }) => {
            let checkpoint = checkpoint::read(&checkpoint, Some(&plan.spec.name), &compute.device).map_err(err)?;
            Start::from_checkpoint(checkpoint, epochs_done)
        }
    };
    let run = train::train_with(&plan, &compute.device, &mut callbacks, start, &mut helpers).await.map_err(err)?;
    if let Some(e) = callbacks.error {
        return Err(err(e));
    }
    set_current(plan.spec, run.model, compute.device.clone());
    to_js(&RunSummary {
        message: run.outcome.message(),
        note,
        epochs: run.epochs,
        tests: run.tests,
        evaluation: run.evaluation,
        outcome: run.outcome,
        backend: compute.backend,
        fallback_reason: compute.fallback_reason,
    })
}

/// Makes the weights in `bytes` (a file from `mnistWeights` or the CLI's `--save`) the current
/// model, on the CPU. Nothing changes when they are not ours or not for `expected`.
#[wasm_bindgen(js_name = mnistLoadWeights)]
pub fn mnist_load_weights(bytes: &[u8], expected: Option<String>) -> Result<String, JsError> {
    let device = Device::flex();
    let (spec, model) = checkpoint::from_bytes(bytes, expected.as_deref(), &device).map_err(err)?;
    let name = spec.name.clone();
    set_current(spec, model, device);
    Ok(name)
}

/// The current model's weights as a file.
#[wasm_bindgen(js_name = mnistWeights)]
pub async fn mnist_weights() -> Result<Vec<u8>, JsError> {
    let c = current()?;
    checkpoint::to_bytes(&c.spec, &c.model).await.map_err(err)
}

/// The current model on the whole test set: accuracy, loss, confusion matrix, mistakes.
#[wasm_bindgen(js_name = mnistEvaluate, unchecked_return_type = "T.Evaluation")]
pub async fn mnist_evaluate() -> Result<JsValue, JsError> {
    let (c, data) = (current()?, data()?);
    to_js(&evaluate(&c.model, &data.test, &c.device).await.map_err(err)?)
}

/// Class probabilities of the current model for 28×28 images in [0, 1] (10 per image).
#[wasm_bindgen(js_name = mnistPredict)]
pub async fn mnist_predict(pixels: Vec<f32>) -> Result<Vec<f32>, JsError> {
    let c = current()?;
    infer::probabilities(&c.model, &pixels, &c.device).await.map_err(err)
}

/// The current model's first-layer filters, and one image's feature maps and probabilities.
#[wasm_bindgen(js_name = mnistInspect, unchecked_return_type = "T.Inspection")]
pub async fn mnist_inspect(pixels: Vec<f32>) -> Result<JsValue, JsError> {
    let c = current()?;
    to_js(&infer::inspect(&c.model, &pixels, &c.device).await.map_err(err)?)
}
