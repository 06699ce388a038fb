//! Part 1's boundary: the 2-2-2 network's settings, the exact chain rule and burn's autodiff.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::{compute, control, from_js, to_js};
use crate::boundary::{BurnRun, ExactRun};
use crate::device::Backend;
use crate::control::Control;
use crate::tiny::autodiff::Watch;
use crate::tiny::{self, TinyConfig, Trace};

/// `null` when the config is good, else `{ field, message }` for the form to show.
#[wasm_bindgen(js_name = tinyValidate, unchecked_return_type = "T.Invalid | null")]
pub fn tiny_validate(#[wasm_bindgen(unchecked_param_type = "T.TinyConfig")] config: JsValue) -> Result<JsValue, JsError> {
    let config: TinyConfig = from_js(config, "settings")?;
    match config.check() {
        Ok(()) => Ok(JsValue::NULL),
        Err(e) => to_js(&e),
    }
}

fn checked(config: JsValue) -> Result<TinyConfig, JsError> {
    let config: TinyConfig = from_js(config, "settings")?;
    config.check().map_err(|e| JsError::new(&e.to_string()))?;
    Ok(config)
}

/// The hand-derived chain rule in f64: one trace per learning rate, and what they show.
#[wasm_bindgen(js_name = tinyExact, unchecked_return_type = "T.ExactRun")]
pub fn tiny_exact(#[wasm_bindgen(unchecked_param_type = "T.TinyConfig")] config: JsValue) -> Result<JsValue, JsError> {
    let config = checked(config)?;
    let traces = tiny::exact::train_all(&config);
    to_js(&ExactRun { conclusion: tiny::conclusion::conclude(&traces), traces })
}

/// `on_progress(done, total)`, answered as [`control`] reads it; a failing callback stops the run.
struct Progress(Function);

impl Watch for Progress {
    async fn at(&mut self, done: usize, total: usize) -> Control {
        control(self.0.call2(&JsValue::NULL, &(done as f64).into(), &(total as f64).into())).await.unwrap_or(Control::Stop)
    }
}

/// The same training through burn's autodiff, all learning rates batched, on `backend`
/// ("wgpu" or "flex"; WebGPU falls back to the CPU, saying why). Also returns the largest
/// difference from the exact path. `on_progress(done, total)` is called every
/// [`WATCH_EVERY_MS`](tiny::autodiff::WATCH_EVERY_MS) or so; the engine answers other calls
/// while the promise it returns is pending, and "stop" ends the run with an error.
#[wasm_bindgen(js_name = tinyBurn, unchecked_return_type = "T.BurnRun")]
pub async fn tiny_burn(
    #[wasm_bindgen(unchecked_param_type = "T.TinyConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "T.Backend")] backend: String,
    #[wasm_bindgen(unchecked_param_type = "(done: number, total: number) => Answer")] on_progress: Function,
) -> Result<JsValue, JsError> {
    let config = checked(config)?;
    let preferred: Backend = backend.parse().map_err(|e: String| JsError::new(&e))?;
    let compute = compute(preferred).await;
    let started = js_sys::Date::now();
    let traces = tiny::autodiff::train_watched(&config, &compute.device, &mut Progress(on_progress))
        .await
        .map_err(|e| JsError::new(&e))?;
    let millis = js_sys::Date::now() - started;
    let exact = tiny::exact::train_all(&config);
    to_js(&BurnRun {
        max_abs_difference: tiny::trace::max_abs_difference(&traces, &exact),
        traces,
        backend: compute.backend,
        device: compute.describe(),
        fallback_reason: compute.fallback_reason,
        millis,
    })
}

/// The whole experiment as the CLI's CSV (the same bytes `gradbook tiny --csv` prints).
#[wasm_bindgen(js_name = tinyCsv)]
pub fn tiny_csv(#[wasm_bindgen(unchecked_param_type = "T.Trace[]")] traces: JsValue) -> Result<String, JsError> {
    let traces: Vec<Trace> = from_js(traces, "traces")?;
    Ok(tiny::trace::to_csv(&traces))
}

/// Where each number of row `iteration` of the run at `learning_rate` comes from: formulas
/// with their numbers, each weight's gradient paths, E_total's graph and finite differences
/// (src/tiny/explain.rs).
#[wasm_bindgen(js_name = tinyExplain, unchecked_return_type = "T.Explanation")]
pub fn tiny_explain(#[wasm_bindgen(unchecked_param_type = "T.TinyConfig")] config: JsValue, learning_rate: f64, iteration: usize) -> Result<JsValue, JsError> {
    let config = checked(config)?;
    if !config.learning_rates.contains(&learning_rate) {
        return Err(JsError::new(&format!("the learning rate {learning_rate} is not one of the settings'")));
    }
    if iteration > config.iterations {
        return Err(JsError::new(&format!("iteration {iteration} is past the last, {}", config.iterations)));
    }
    to_js(&tiny::explain::explain(&config, learning_rate, iteration).map_err(|e| JsError::new(&e))?)
}
