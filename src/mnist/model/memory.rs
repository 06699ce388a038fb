//! How much memory a training run needs, estimated before it starts, so that a batch size the
//! engine cannot hold is refused with the largest one it can, instead of failing mid-run. (In
//! the page, wasm32 addresses 4 GiB in all; past that the engine died with "RuntimeError:
//! unreachable" and every later call failed.)
//!
//! While training, every layer's output is kept for the backward pass and gets a gradient of
//! its size, so the need grows with the batch times the values the layers output per image
//! (`ModelSpec::summary`'s shapes).

use super::ModelSpec;

/// Bytes per value a layer outputs, per image in the batch. Measured natively (peak resident
/// size of `gradbook bench --model M --batch B --steps 2`, B = 256 against 1,024): 0.70 MB more
/// per image for `compact`, 0.71 MB for `seed`, whose layers output 158k and 157k values per
/// image — 4.5 bytes a value. Five leaves a margin (the page's allocator and the GPU's buffers
/// keep their own slack).
const BYTES_PER_VALUE: f64 = 5.0;

/// The most a run may need in the page's engine: wasm32's 4 GiB also hold the code, the
/// dataset and the allocator's free lists, and a school Chromebook has 4 GB in all.
pub const PAGE_LIMIT_BYTES: u64 = 1536 << 20;

/// The limit [`TrainConfig::validate`](super::TrainConfig::validate) holds a run to: the page's
/// in wasm; none natively, where the machine decides.
pub fn engine_limit() -> Option<u64> {
    cfg!(target_arch = "wasm32").then_some(PAGE_LIMIT_BYTES)
}

/// About how many bytes a training step of `spec` at `batch` images needs (none for a design
/// that cannot be built: its check says why).
pub fn training_bytes(spec: &ModelSpec, batch: usize) -> u64 {
    (per_image(spec) * batch as f64) as u64
}

/// `Ok` when a batch of `batch` fits in `limit` bytes; else the reason, with the largest batch
/// that fits. `holder` says whose limit it is ("the browser's engine").
pub fn check(spec: &ModelSpec, batch: usize, limit: u64, holder: &str) -> Result<(), String> {
    let need = training_bytes(spec, batch);
    if need <= limit {
        return Ok(());
    }
    let most = (limit as f64 / per_image(spec)) as usize;
    Err(format!(
        "a batch size of {batch} needs about {} of memory to train {}, more than the {} {holder} can hold: \
         use a batch size of at most {most}",
        gigabytes(need),
        spec.name,
        gigabytes(limit)
    ))
}

fn per_image(spec: &ModelSpec) -> f64 {
    let values: usize = spec.summary().unwrap_or_default().iter().map(|r| r.shape.iter().product::<usize>()).sum();
    values as f64 * BYTES_PER_VALUE
}

fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}
