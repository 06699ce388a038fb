//! Mutation fuzzing on the stable toolchain (`cargo fuzz` needs nightly, which this project's
//! machines lack): each target starts from valid input — an IDX file raw and gzipped, a weights
//! file, a settings JSON — and feeds thousands of mutations of it (flipped bytes, cuts, inserts,
//! repeated chunks, extreme header numbers) to the parser a user's file meets. The property: a
//! clear `Err` or a valid value, never a panic (in the page a panic is a dead engine).
//!
//! `GRADBOOK_FUZZ_ITERS=N` runs N mutations per target (default: a quick run for every `npm
//! test`); `GRADBOOK_FUZZ_SEED` picks another sequence. A failure prints the seed, the iteration
//! and the input's bytes, to be kept as a regression case below.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

use burn::tensor::Device;
use gradbook::mnist::{checkpoint, idx, ModelSpec, TrainConfig};

/// xorshift64*: reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to four random edits of `seed_input`.
fn mutate(rng: &mut Rng, seed_input: &[u8]) -> Vec<u8> {
    let mut b = seed_input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] = rng.next() as u8;
            }
            2 => b.truncate(at),
            3 => {
                let n = rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                b.splice(at..at, bytes);
            }
            4 if b.len() > 8 => {
                let from = rng.below(b.len() - 8);
                let chunk = b[from..from + 1 + rng.below(8)].to_vec();
                b.splice(at..at, chunk);
            }
            _ => {
                // An extreme big-endian u32 where the IDX header keeps its sizes.
                let value = [0u32, 1, 0xFFFF_FFFF, 0x8000_0000, 28, 60_000][rng.below(6)];
                let i = 4 * rng.below(b.len() / 4 + 1);
                if i + 4 <= b.len() {
                    b[i..i + 4].copy_from_slice(&value.to_be_bytes());
                }
            }
        }
    }
    b
}

fn iterations(default: usize) -> usize {
    std::env::var("GRADBOOK_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `target` on `iters` mutations of `seed_input`; panics (naming the case) on the first
/// panic inside it.
fn fuzz(name: &str, seed_input: &[u8], iters: usize, target: impl Fn(&[u8]) -> bool) {
    let seed = std::env::var("GRADBOOK_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x9E37_79B9_7F4A_7C15u64);
    // Never zero: xorshift would stay there.
    let mut rng = Rng((seed ^ name.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut accepted = 0;
    for i in 0..iters {
        let input = mutate(&mut rng, seed_input);
        match catch_unwind(AssertUnwindSafe(|| target(&input))) {
            Ok(ok) => accepted += usize::from(ok),
            Err(_) => panic!("{name}: panicked on mutation {i} (seed {seed}): {} bytes {:?}", input.len(), &input[..input.len().min(200)]),
        }
    }
    // Both outcomes must occur, or the mutations never reach past the first check.
    assert!(accepted > 0 && accepted < iters, "{name}: {accepted} of {iters} accepted");
    eprintln!("{name}: {iters} mutations ({accepted} accepted, the rest refused), no panic");
}

/// A small valid images file: `n` images of 28×28.
fn images_idx(n: usize) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 3];
    for d in [n as u32, 28, 28] {
        b.extend(d.to_be_bytes());
    }
    b.extend((0..n * 784).map(|i| (i * 7 % 256) as u8));
    b
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn idx_files_raw_and_gzipped_never_panic() {
    let raw = images_idx(3);
    let labels: Vec<u8> = [0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3].to_vec();
    let n = iterations(20_000);
    fuzz("idx raw", &raw, n, |b| idx::parse("f", b, 3).is_ok());
    fuzz("idx labels", &labels, n, |b| idx::parse("f", b, 1).is_ok());
    fuzz("idx gzip", &gzip(&raw), n, |b| idx::parse("f", b, 3).is_ok());
    // Images and labels together, as the data loader pairs them.
    fuzz("idx pair", &raw, n / 4, |b| gradbook::mnist::data::Split::from_idx("i", b, "l", &labels).is_ok());
}

#[test]
fn weights_files_never_panic() {
    let spec = ModelSpec::compact();
    let device = Device::flex();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &spec.init(&device))).unwrap();
    // Each load builds a model: fewer iterations than the parsers get.
    fuzz("checkpoint", &bytes, iterations(20_000) / 20, |b| checkpoint::from_bytes(b, None, &device).is_ok());
}

#[test]
fn settings_json_never_panics_and_what_is_accepted_is_valid() {
    let text = serde_json::to_vec(&TrainConfig::compact()).unwrap();
    fuzz("settings", &text, iterations(20_000), |b| {
        let Ok(text) = std::str::from_utf8(b) else { return false };
        let Ok(config) = serde_json::from_str::<TrainConfig>(text) else { return false };
        if config.validate().is_err() {
            return false;
        }
        // What validation accepts, the run's plan can be made from.
        gradbook::mnist::train::spec_for(&config).expect("a validated setting names a model");
        assert!(config.lr.is_finite() && config.batch_size >= 1 && config.epochs >= 1);
        true
    });
}

/// Found by `weights_files_never_panic` (seed 7, mutation 1,461,004): a weights file whose
/// tensor says it holds another element type made burn panic while loading ("Expected float
/// dtype"), which in the page aborts the engine. Every dtype name in place of `F32`.
#[test]
fn a_weights_file_with_another_dtype_is_refused_or_converted() {
    let spec = ModelSpec::compact();
    let device = Device::flex();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &spec.init(&device))).unwrap();
    let at = bytes.windows(4).position(|w| w == b"cF32").expect("the record names its dtype");
    for dtype in ["F64", "F16", "I32", "I64", "U32", "U16", "I16", "U64", "I8", "U8", "Bool", "BF16", "Flex32"] {
        let mut forged = bytes[..at].to_vec();
        forged.push(0x60 + dtype.len() as u8);
        forged.extend(dtype.as_bytes());
        forged.extend(&bytes[at + 4..]);
        match catch_unwind(AssertUnwindSafe(|| checkpoint::from_bytes(&forged, None, &device))) {
            Ok(Ok(_)) | Ok(Err(_)) => {}
            Err(_) => panic!("a first tensor of dtype {dtype} made loading panic"),
        }
    }
}
