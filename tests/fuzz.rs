//! Mutation fuzzing on the stable toolchain (`cargo fuzz` needs nightly, which this project's
//! machines lack): each target starts from valid input — an IDX file raw and gzipped, a weights
//! file, a settings JSON — and feeds thousands of mutations of it (flipped bytes, cuts, inserts,
//! repeated chunks, extreme header numbers) to the parser a user's file meets. The property: a
//! clear `Err` or a valid value, never a panic (in the page a panic is a dead engine).
//!
//! `GRADBOOK_FUZZ_ITERS=N` runs N mutations per target (default: a quick run for every `npm
//! test`), `GRADBOOK_FUZZ_SECS=S` instead runs each target for S seconds; `GRADBOOK_FUZZ_SEED`
//! picks another sequence. One test per target, so the harness runs them side by side. A failure prints the seed, the iteration
//! and the input's bytes, to be kept as a regression case below.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

use burn::tensor::Device;
use gradbook::mnist::{run::checkpoint, data::idx, ModelSpec, TrainConfig};

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

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// How long a target runs: `default` mutations, or what the environment asks.
enum Budget {
    Mutations(usize),
    Seconds(f64),
}

fn budget(default: usize) -> Budget {
    match env::<f64>("GRADBOOK_FUZZ_SECS") {
        Some(s) => Budget::Seconds(s),
        None => Budget::Mutations(env("GRADBOOK_FUZZ_ITERS").unwrap_or(default)),
    }
}

/// Runs `target` on mutations of `seed_input` for its budget; panics (naming the case) on the
/// first panic inside it.
fn fuzz(name: &str, seed_input: &[u8], budget: Budget, target: impl Fn(&[u8]) -> bool) {
    let seed = env("GRADBOOK_FUZZ_SEED").unwrap_or(0x9E37_79B9_7F4A_7C15u64);
    // Never zero: xorshift would stay there.
    let mut rng = Rng((seed ^ name.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let start = std::time::Instant::now();
    let done = |i: usize| match budget {
        Budget::Mutations(n) => i >= n,
        // Reading the clock every 1,024 mutations keeps its cost out of the count.
        Budget::Seconds(s) => i % 1024 == 0 && start.elapsed().as_secs_f64() >= s,
    };
    let (mut i, mut accepted) = (0, 0);
    while !done(i) {
        let input = mutate(&mut rng, seed_input);
        match catch_unwind(AssertUnwindSafe(|| target(&input))) {
            Ok(ok) => accepted += usize::from(ok),
            Err(_) => panic!("{name}: panicked on mutation {i} (seed {seed}): {} bytes {:?}", input.len(), &input[..input.len().min(200)]),
        }
        i += 1;
    }
    // Both outcomes must occur, or the mutations never reach past the first check.
    assert!(accepted > 0 && accepted < i, "{name}: {accepted} of {i} accepted");
    let secs = start.elapsed().as_secs_f64();
    eprintln!("{name}: {i} mutations in {secs:.0} s ({accepted} accepted, the rest refused), no panic");
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

fn small_images() -> Vec<u8> {
    images_idx(3)
}

const LABELS: [u8; 11] = [0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3];

#[test]
fn raw_idx_images_never_panic() {
    fuzz("idx raw", &small_images(), budget(20_000), |b| idx::parse("f", b, 3).is_ok());
}

#[test]
fn raw_idx_labels_never_panic() {
    fuzz("idx labels", &LABELS, budget(20_000), |b| idx::parse("f", b, 1).is_ok());
}

#[test]
fn gzipped_idx_files_never_panic() {
    fuzz("idx gzip", &gzip(&small_images()), budget(20_000), |b| idx::parse("f", b, 3).is_ok());
}

/// Images and labels together, as the data loader pairs them.
#[test]
fn paired_idx_files_never_panic() {
    fuzz("idx pair", &small_images(), budget(5_000), |b| gradbook::mnist::data::Split::from_idx("i", b, "l", &LABELS).is_ok());
}

#[test]
fn weights_files_never_panic() {
    let spec = ModelSpec::compact();
    let device = Device::flex();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &spec.init(&device).unwrap())).unwrap();
    // Each load builds a model: fewer iterations than the parsers get.
    fuzz("checkpoint", &bytes, budget(1_000), |b| checkpoint::from_bytes(b, None, &device).is_ok());
}

#[test]
fn settings_json_never_panics_and_what_is_accepted_is_valid() {
    let text = serde_json::to_vec(&TrainConfig::compact()).unwrap();
    let data = gradbook::mnist::Mnist { train: gradbook::mnist::data::Split::banded(20), test: gradbook::mnist::data::Split::banded(10) };
    fuzz("settings", &text, budget(20_000), |b| {
        let Ok(text) = std::str::from_utf8(b) else { return false };
        let Ok(config) = serde_json::from_str::<TrainConfig>(text) else { return false };
        if config.check().is_err() {
            return false;
        }
        // What validation accepts, the run's plan can be made from.
        gradbook::mnist::run::plan::Plan::new(&config, &data).expect("a validated setting makes a plan");
        assert!(config.lr.is_finite() && config.batch_size >= 1 && config.epochs >= 1);
        true
    });
}

/// A checkpoint taken in the middle of a run: the run's JSON line and the optimizer's values
/// are parsed too, and what loads must give an optimizer state that fits its model.
#[test]
fn run_checkpoints_never_panic() {
    use gradbook::mnist::run::optimizer::Optimizer;
    use gradbook::mnist::run::resumable::Resumable;
    use gradbook::mnist::run::train::{self, Observer};
    struct First(Option<Vec<u8>>);
    impl Observer for First {
        async fn checkpoint(&mut self, run: &Resumable<'_>) -> Result<(), String> {
            if self.0.is_none() {
                self.0 = Some(run.to_bytes().await?);
            }
            Ok(())
        }
    }
    let device = Device::flex();
    let data = gradbook::mnist::Mnist { train: gradbook::mnist::data::Split::banded(64), test: gradbook::mnist::data::Split::banded(10) };
    let config = TrainConfig { epochs: 1, batch_size: 32, report_every: 1, ..TrainConfig::compact() };
    let mut first = First(None);
    pollster::block_on(train::train(&config, &data, &device, &mut first)).unwrap();
    let bytes = first.0.expect("a checkpoint after the first batch");
    fuzz("run checkpoint", &bytes, budget(1_000), |b| match checkpoint::read(b, None, &device) {
        Ok(c) => match c.run {
            Some(run) => Optimizer::load(&run.snapshot.optimizer, &run.optimizer, &c.model, &device).is_ok(),
            None => false,
        },
        Err(_) => false,
    });
}

/// Found by `weights_files_never_panic` (seed 7, mutation 1,461,004): a weights file whose
/// tensor says it holds another element type made burn panic while loading ("Expected float
/// dtype"), which in the page aborts the engine. Every dtype name in place of `F32`.
#[test]
fn a_weights_file_with_another_dtype_is_refused_or_converted() {
    let spec = ModelSpec::compact();
    let device = Device::flex();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &spec.init(&device).unwrap())).unwrap();
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
