//! The core in a real browser (`wasm-pack test --headless --chrome`, and `--firefox`): burn's
//! autodiff on WebGPU and on the Flex CPU backend must agree with the hand-derived chain rule,
//! the MNIST engine must train a few steps on both, and bad input must come back as a JS error,
//! never as a panic that kills the module. In a browser without WebGPU (Firefox on Linux), the
//! WebGPU tests check the fallback a student there gets instead: the CPU, with the reason.
#![cfg(target_arch = "wasm32")]

use gradbook::device::{Backend, Compute};
use gradbook::mnist::data::Split;
use gradbook::mnist::run::resumable::Resumable;
use gradbook::mnist::run::plan::Plan;
use gradbook::mnist::run::report::{EpochMetrics, Outcome, Progress};
use gradbook::mnist::run::train::{self, Control, Observer};
use gradbook::mnist::{run::checkpoint, model::infer, Mnist, TrainConfig};
use gradbook::tiny::{autodiff, exact, trace::max_abs_difference, TinyConfig};
use gradbook::web;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

// In a dedicated worker, like the notebook's engine: long computations there do not stall the
// page, which chromedriver needs to stay responsive.
wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn thousand_iterations() -> TinyConfig {
    TinyConfig { iterations: 1000, ..TinyConfig::default() }
}

async fn burn_agrees_with_exact(compute: Compute) {
    let config = thousand_iterations();
    let burn = autodiff::train_all(&config, &compute.device).await.expect("burn trains");
    let exact = exact::train_all(&config);
    assert_eq!(burn.len(), 6);
    assert_eq!(burn[0].rows.len(), config.iterations + 1);
    let diff = max_abs_difference(&burn, &exact);
    assert!(diff < 1e-5, "burn on {:?} differs from the chain rule by {diff}", compute.backend);
}

/// Whether this browser has the WebGPU API at all (`navigator.gpu`). Chromium keeps it even
/// when it hands out no adapter, so there webdriver.json's flags must give one.
fn browser_has_webgpu() -> bool {
    let get = |on: &JsValue, key: &str| js_sys::Reflect::get(on, &key.into()).ok().filter(|v| !v.is_undefined());
    get(&js_sys::global(), "navigator").and_then(|n| get(&n, "gpu")).is_some()
}

/// The page's one wgpu device (a second init in the same worker fails); webdriver.json enables
/// WebGPU in Chromium and a software adapter is enough. Where the browser has no WebGPU, what
/// the page gets instead: the CPU, and the reason to show.
async fn webgpu() -> Compute {
    let compute = web::compute(Backend::Wgpu).await;
    if browser_has_webgpu() {
        assert_eq!(compute.backend, Backend::Wgpu, "no WebGPU: {:?}", compute.fallback_reason);
    } else {
        assert_eq!(compute.backend, Backend::Flex);
        let reason = compute.fallback_reason.as_deref().unwrap_or_default();
        assert!(reason.contains("no WebGPU"), "the fallback gives no reason: {reason:?}");
        console_log!("this browser has no WebGPU: checking the CPU fallback instead");
    }
    compute
}

#[wasm_bindgen_test]
async fn webgpu_autodiff_matches_the_chain_rule() {
    web::init();
    let compute = webgpu().await;
    burn_agrees_with_exact(compute).await;
}

#[wasm_bindgen_test]
async fn flex_autodiff_matches_the_chain_rule() {
    web::init();
    burn_agrees_with_exact(Compute::flex()).await;
}

fn js_config(edit: impl FnOnce(&mut TinyConfig)) -> JsValue {
    let mut c = TinyConfig::default();
    edit(&mut c);
    serde_wasm_bindgen::to_value(&c).unwrap()
}

#[wasm_bindgen_test]
fn boundary_reports_bad_input_as_errors() {
    web::init();
    // A negative learning rate: tinyValidate names the field, tinyExact refuses.
    let bad = js_config(|c| c.learning_rates = vec![0.5, -1.0]);
    let verdict = web::tiny_validate(bad.clone()).expect("validate answers");
    let field = js_sys::Reflect::get(&verdict, &"field".into()).unwrap();
    assert_eq!(field.as_string().as_deref(), Some("learningRates"));
    assert!(web::tiny_exact(bad).is_err());

    // Not a config at all.
    assert!(web::tiny_exact(JsValue::from_str("w1 = 0.15")).is_err());

    // The module still works afterwards: six traces, and what comparing them shows.
    let good = web::tiny_exact(js_config(|_| ())).expect("good config trains");
    let traces = js_sys::Reflect::get(&good, &"traces".into()).unwrap();
    assert_eq!(js_sys::Array::from(&traces).length(), 6);
    let conclusion = js_sys::Reflect::get(&good, &"conclusion".into()).unwrap();
    let trend = js_sys::Reflect::get(&conclusion, &"trend".into()).unwrap();
    assert_eq!(trend.as_string().as_deref(), Some("largerIsLower"));
}

/// A batch the browser's engine cannot hold is refused before training, with the largest that
/// it can (batch 8192 of `compact` once ran wasm32 out of memory: "RuntimeError: unreachable",
/// and every later call failed); one that fits is accepted.
#[wasm_bindgen_test]
fn a_batch_too_big_for_the_page_is_refused_with_the_largest_that_fits() {
    web::init();
    let config = |batch: usize| {
        let c = gradbook::mnist::TrainConfig { batch_size: batch, ..gradbook::mnist::TrainConfig::compact() };
        serde_wasm_bindgen::to_value(&c).unwrap()
    };
    let verdict = web::mnist_validate(config(8192)).expect("validate answers");
    let get = |key: &str| js_sys::Reflect::get(&verdict, &key.into()).unwrap().as_string().unwrap_or_default();
    assert_eq!(get("field"), "batchSize");
    assert!(get("message").contains("batch size of 8192") && get("message").contains("at most 2037"), "{}", get("message"));
    assert!(web::mnist_validate(config(2037)).expect("validate answers").is_null());
}

struct Count {
    progress: usize,
    epochs: Vec<f64>,
    /// The first checkpoint within an epoch, saved as the page saves one.
    middle: Option<Vec<u8>>,
}

impl Observer for Count {
    async fn progress(&mut self, p: &Progress) -> Control {
        assert!(p.loss.is_finite());
        self.progress += 1;
        Control::Continue
    }
    async fn epoch(&mut self, m: &EpochMetrics) -> Control {
        self.epochs.push(m.test_accuracy);
        Control::Continue
    }
    async fn checkpoint(&mut self, run: &Resumable<'_>) -> Result<(), String> {
        if self.middle.is_none() && !run.at_epoch_end() {
            self.middle = Some(run.to_bytes().await?);
        }
        Ok(())
    }
}

/// A few real training steps of `compact`, augmentation included, through the same engine the
/// notebook uses: 2 epochs × 4 batches of 32.
async fn mnist_steps(compute: Compute) {
    let data = Mnist { train: Split::banded(128), test: Split::banded(50) };
    let config = TrainConfig { epochs: 2, batch_size: 32, report_every: 2, ..TrainConfig::compact() };
    let mut seen = Count { progress: 0, epochs: vec![], middle: None };
    let run = train::train(&config, &data, &compute.device, &mut seen).await.expect("training runs");
    assert_eq!(run.outcome, Outcome::Completed, "{:?}", compute.backend);
    assert_eq!(seen.progress, 4);
    assert_eq!(seen.epochs.len(), 2);
    let e = run.evaluation.expect("evaluated");
    assert_eq!(e.confusion.iter().flatten().sum::<u32>(), 50);
    // The weights still predict: probabilities sum to one.
    let p = infer::probabilities(&run.model, &vec![0.5; 784], &compute.device).await.unwrap();
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);

    // Saved mid-epoch (the optimizer's state read back asynchronously, as WebGPU requires) and
    // resumed there, the run ends where the uninterrupted one did.
    let bytes = seen.middle.take().expect("a checkpoint in epoch 1");
    let (start, note) = train::Start::from_checkpoint(checkpoint::read(&bytes, None, &compute.device).unwrap(), 0);
    assert!(note.is_none());
    let resumed = train::train_from(&Plan::new(&config, &data).unwrap(), &compute.device, &mut seen, start).await.expect("resuming runs");
    assert_eq!(resumed.outcome, Outcome::Completed);
    assert_eq!(resumed.epochs.len(), 2);
    let accuracy = resumed.evaluation.unwrap().accuracy;
    // Bit for bit on the CPU; a GPU may sum in another order from one run to the next.
    match compute.backend {
        Backend::Flex => assert_eq!(accuracy, e.accuracy),
        _ => assert!((accuracy - e.accuracy).abs() <= 2.0, "{accuracy} against {}", e.accuracy),
    }
}

#[wasm_bindgen_test]
async fn mnist_trains_on_webgpu() {
    web::init();
    let compute = webgpu().await;
    mnist_steps(compute).await;
}

#[wasm_bindgen_test]
async fn mnist_trains_on_flex() {
    web::init();
    mnist_steps(Compute::flex()).await;
}

#[wasm_bindgen_test]
async fn mnist_boundary_reports_bad_input_as_errors() {
    web::init();
    // Garbage instead of IDX files, and garbage instead of weights: errors, not panics.
    let nope = || {
        let mut file = web::MnistFile::new(None);
        file.push(b"no").unwrap();
        file.push(b"pe").unwrap();
        file
    };
    assert!(web::mnist_load(nope(), nope(), nope(), nope()).is_err());
    // A server that announces 4 GB gets a buffer capped at any MNIST file's size, and a file
    // that grows past it is refused as it arrives.
    let mut huge = web::MnistFile::new(Some(u32::MAX));
    let piece = vec![0u8; 1 << 20];
    let refused = (0..65).map(|_| huge.push(&piece)).find_map(Result::err);
    assert!(refused.is_some(), "65 MB taken as an MNIST file");
    assert!(web::mnist_load_weights(b"not weights", None).is_err());
    let bad = serde_wasm_bindgen::to_value(&TrainConfig { lr: f64::NAN, ..TrainConfig::compact() }).unwrap();
    let verdict = web::mnist_validate(bad).unwrap();
    let field = js_sys::Reflect::get(&verdict, &"field".into()).unwrap().as_string();
    let message = js_sys::Reflect::get(&verdict, &"message".into()).unwrap().as_string().unwrap_or_default();
    assert_eq!(field.as_deref(), Some("lr"));
    assert!(message.contains("learning rate"), "{message}");
    // Nothing trained or loaded yet in this worker's state: a clear refusal.
    assert!(web::mnist_predict(vec![0.0; 784]).await.is_err());
}

/// A design as the page sends it (a plain JS object, its numbers JS numbers) is checked in the
/// engine: its rows and total, or the layer at fault; settings holding it validate.
#[wasm_bindgen_test]
fn a_design_from_the_page_is_checked_layer_by_layer() {
    web::init();
    let get = |v: &JsValue, key: &str| js_sys::Reflect::get(v, &key.into()).unwrap();
    let design = js_sys::JSON::parse(include_str!("data/every-kind.json")).unwrap();
    let check = web::mnist_check_model(design.clone()).unwrap();
    assert_eq!(js_sys::Array::from(&get(&check, "rows")).length(), 12);
    assert_eq!(get(&check, "total").as_f64(), Some(582.0));
    assert!(get(&check, "error").is_null());
    let config = serde_wasm_bindgen::to_value(&TrainConfig::compact()).unwrap();
    js_sys::Reflect::set(&config, &"model".into(), &design).unwrap();
    assert!(web::mnist_validate(config).unwrap().is_null());
    // One pool too wide: the rows before it, and where and why.
    let broken = include_str!("data/every-kind.json").replace(r#""kind": "avgPool", "kernel": 2"#, r#""kind": "avgPool", "kernel": 16"#);
    let check = web::mnist_check_model(js_sys::JSON::parse(&broken).unwrap()).unwrap();
    assert_eq!(js_sys::Array::from(&get(&check, "rows")).length(), 8);
    let error = get(&check, "error");
    assert_eq!(get(&error, "layer").as_f64(), Some(9.0));
    assert_eq!(get(&error, "message").as_string().unwrap(), "a 16×16 average pool needs at least 16×16 input, the maps are 14×14 here");
    // A built-in model by name.
    let check = web::mnist_check_model("seed".into()).unwrap();
    assert_eq!(get(&check, "total").as_f64(), Some(9320.0));
}
