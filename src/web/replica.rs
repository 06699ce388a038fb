//! The replicas' boundary: a replica worker answers encoded tasks (`replicaAnswer`), and the
//! engine hands a run's slices to its replica workers through [`JsHelpers`]. The bytes are
//! `crate::mnist::run::replica`'s messages; JavaScript only carries them.

use std::cell::RefCell;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::mnist::run::parallel::{Helpers, Reply};
use crate::mnist::run::replica::{decode, encode, Replica, Task};

thread_local! {
    /// This worker's replica, once set up for a run.
    static REPLICA: RefCell<Option<Replica>> = const { RefCell::new(None) };
}

/// A replica worker's answer to one encoded task: an encoded `Result<Answer, String>` (a task it
/// cannot do is answered with why, not thrown).
#[wasm_bindgen(js_name = replicaAnswer)]
pub async fn replica_answer(task: Vec<u8>) -> Vec<u8> {
    // Taken out while it works: the worker sends one task at a time, and a task that fails
    // leaves no half-borrowed state behind.
    let mut replica = REPLICA.with_borrow_mut(Option::take);
    let answer = match decode::<Task>(&task) {
        Ok(task) => Replica::answer(&mut replica, task).await,
        Err(e) => Err(e),
    };
    REPLICA.with_borrow_mut(|r| *r = replica);
    // An answer that cannot be written is answered with why; should even that fail, the empty
    // message reaches the engine as a damaged one (never a panic).
    encode(&answer).or_else(|e| encode(&Err::<(), _>(e))).unwrap_or_default()
}

/// The engine worker's replica workers, as the page's `www/mnist/replicas.ts` hands them over:
/// `{ count, send(h, task): Promise<Uint8Array | { restarted: string }>, lost(why) }`.
pub struct JsHelpers {
    count: usize,
    send: Function,
    lost: Function,
    pending: Vec<Option<Promise>>,
}

impl JsHelpers {
    pub fn new(pool: &JsValue) -> Result<Self, JsError> {
        let get = |name: &str| js_sys::Reflect::get(pool, &name.into()).map_err(|_| JsError::new(&format!("the replica pool has no '{name}'")));
        let count = get("count")?.as_f64().ok_or_else(|| JsError::new("the replica pool's count is not a number"))? as usize;
        let function = |name: &str| get(name)?.dyn_into::<Function>().map_err(|_| JsError::new(&format!("the replica pool's '{name}' is not a function")));
        Ok(JsHelpers { count, send: function("send")?, lost: function("lost")?, pending: vec![None; count] })
    }
}

impl Helpers for JsHelpers {
    fn count(&self) -> usize {
        self.count
    }

    fn send(&mut self, h: usize, task: &[u8]) -> Result<(), String> {
        let promise = self
            .send
            .call2(&JsValue::NULL, &JsValue::from(h as u32), &Uint8Array::from(task))
            .map_err(|e| format!("could not reach replica {}: {e:?}", h + 1))?;
        self.pending[h] = Some(Promise::resolve(&promise));
        Ok(())
    }

    async fn receive(&mut self, h: usize) -> Result<Reply, String> {
        let promise = self.pending[h].take().ok_or_else(|| format!("replica {} was sent nothing", h + 1))?;
        let value = JsFuture::from(promise).await.map_err(|e| match e.dyn_ref::<js_sys::Error>() {
            Some(e) => String::from(e.message()),
            None => format!("{e:?}"),
        })?;
        if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
            return Ok(Reply::Answer(bytes.to_vec()));
        }
        let why = js_sys::Reflect::get(&value, &"restarted".into()).ok().and_then(|w| w.as_string());
        why.map(Reply::Restarted).ok_or_else(|| format!("replica {} answered something else", h + 1))
    }

    fn lost(&mut self, why: &str) {
        let _ = self.lost.call1(&JsValue::NULL, &JsValue::from_str(why));
    }
}
