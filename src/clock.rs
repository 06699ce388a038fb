//! Time, as both the CLI and the browser can read it.

use std::future::Future;

/// Milliseconds from an arbitrary start (std's clock panics in the browser).
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        static START: OnceLock<std::time::Instant> = OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1000.0
    }
}

/// An epoch's training time: it continues from the time a resumed epoch had already taken, and
/// leaves out the observer's calls (a paused page waits inside one).
pub struct Clock {
    started: f64,
    excluded: f64,
}

impl Clock {
    pub fn started(seconds_before: f64) -> Self {
        Clock { started: now_ms() - seconds_before * 1000.0, excluded: 0.0 }
    }

    pub fn seconds(&self) -> f64 {
        (now_ms() - self.started - self.excluded) / 1000.0
    }

    /// Awaits `call`, its time counted as no epoch's.
    pub async fn outside<T>(&mut self, call: impl Future<Output = T>) -> T {
        let before = now_ms();
        let result = call.await;
        self.excluded += now_ms() - before;
        result
    }
}
