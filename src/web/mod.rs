//! The wasm boundary: typed structs in, typed structs out, and never a panic.
//!
//! Every function validates what JS sends before any tensor is touched (a Rust panic in wasm
//! kills the whole module) and returns `Result`, which JS sees as a thrown `Error`.
//! [`tiny`] is Part 1's boundary, [`mnist`] Part 2's, [`replica`] that of Part 2's replica
//! workers (several cores training one run).

pub mod mnist;
pub mod replica;
pub mod tiny;

pub use mnist::*;
pub use replica::*;
pub use tiny::*;

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

use crate::device::{Backend, Compute};

unsafe extern "C" {
    /// Synthesised by the linker: runs the static constructors (burn's kernel registries use
    /// the `inventory` crate, which relies on them).
    fn __wasm_call_ctors();
}

/// Runs the static constructors, once. Without an explicit call the linker wraps EVERY export
/// in them — including the glue's allocation helpers, called for each value handed across —
/// which made a 1000-iteration table take 85 s instead of milliseconds. The page's glue calls
/// [`start`]; wasm-bindgen-test does not, so the browser tests call this first.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}

// The exports' arguments and results in the bindings' declarations (pkg/*.d.ts) are the Rust
// types as src/boundary.rs generates them (www/generated/engine.ts, `T` there), so tsc checks
// the page's calls against them; and the page's callbacks and replica pool, which only this
// boundary reads, are declared here beside the code that reads them.
#[wasm_bindgen(typescript_custom_section)]
const DECLARATIONS: &str = r#"
import type * as T from "../www/generated/engine";

/** What a callback of the engine's may answer: "stop" ends the run; a promise is waited for
 *  (a paused page holds the run there). Anything else carries on. */
export type Answer = "go" | "stop" | void | Promise<"go" | "stop" | void>;

/** mnistTrain's callbacks. */
export interface TrainCallbacks {
  device(choice: T.DeviceChoice): void;
  progress(progress: T.Progress): Answer;
  epoch(metrics: T.EpochMetrics): Answer;
  test(point: T.TestPoint): Answer;
  between(): Answer;
  checkpoint(bytes: Uint8Array, place: T.Place): void;
}

/** The replica workers a run shares its batches with (www/mnist/replicas.ts): `count` of them;
 *  `send` resolves to a replica's answer, or says it restarted; `lost` when one is given up. */
export interface ReplicaHelpers {
  readonly count: number;
  send(h: number, task: Uint8Array): Promise<Uint8Array | { restarted: string }>;
  lost(why: string): void;
}
"#;

#[wasm_bindgen(start)]
fn start() {
    init();
    // If a panic slips through anyway, say where in the console instead of "unreachable".
    console_error_panic_hook::set_once();
}

pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsError::new(&format!("invalid {what}: {}", crate::names::nearest_name(&e.to_string()))))
}

pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("could not hand the result to JavaScript: {e}")))
}

/// What a page callback's answer says: it may return a promise (the engine waits for it,
/// which is how the page pauses a run and lets its other calls in), resolving to "stop" to end
/// the run. A callback that threw is an error.
pub(crate) async fn control(returned: Result<JsValue, JsValue>) -> Result<crate::control::Control, String> {
    use crate::control::Control;
    let value = match returned {
        Ok(v) if v.is_instance_of::<js_sys::Promise>() => wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(v)).await,
        other => other,
    };
    match value {
        Ok(v) if v.as_string().as_deref() == Some("stop") => Ok(Control::Stop),
        Ok(_) => Ok(Control::Continue),
        Err(e) => Err(format!("the page's callback failed: {e:?}")),
    }
}

/// The device for `preferred` (set up once per worker, see [`Compute::wgpu`]).
pub async fn compute(preferred: Backend) -> Compute {
    Compute::init(preferred).await
}
