//! The MNIST engine: IDX parsing, augmentation invariants, exact parameter counts,
//! schedules, checkpoints, and (with MNIST_DIR set, `--include-ignored`) short real runs.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::sync::{Mutex, MutexGuard};

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use gradbook::mnist::augment::{self, AugmentConfig, Interpolation::{Bilinear, Nearest}, Params};
use gradbook::mnist::config::Schedule;
use gradbook::mnist::data::{Mnist, Split};
use gradbook::mnist::train::{self, Control, EpochMetrics, Kept, Observer, Outcome, Progress};
use gradbook::mnist::{checkpoint, idx, ModelSpec, TrainConfig};

fn idx_bytes(magic_rank: u8, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0x08, magic_rank];
    for d in dims {
        v.extend_from_slice(&d.to_be_bytes());
    }
    v.extend_from_slice(data);
    v
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn images(n: u32) -> Vec<u8> {
    idx_bytes(3, &[n, 28, 28], &vec![7u8; n as usize * 784])
}

fn labels(values: &[u8]) -> Vec<u8> {
    idx_bytes(1, &[values.len() as u32], values)
}

#[test]
fn idx_reads_raw_and_gzip() {
    let raw = images(3);
    let a = idx::parse("x", &raw, 3).unwrap();
    let b = idx::parse("x", &gzip(&raw), 3).unwrap();
    assert_eq!(a.dims, vec![3, 28, 28]);
    assert_eq!(a, b);
    let split = Split::from_idx("img", &gzip(&raw), "lab", &labels(&[1, 2, 3])).unwrap();
    assert_eq!(split.len(), 3);
    assert_eq!(split.images.len(), 3 * 784);
}

#[test]
fn idx_rejects_bad_files_naming_them() {
    let err = |r: Result<Split, idx::IdxError>| r.unwrap_err().to_string();
    let good = images(2);
    // Truncated data.
    let e = err(Split::from_idx("t-images", &good[..good.len() - 10], "l", &labels(&[1, 2])));
    assert!(e.starts_with("t-images:") && e.contains("truncated"), "{e}");
    // Truncated gzip stream.
    let gz = gzip(&good);
    let e = err(Split::from_idx("gz-images", &gz[..gz.len() / 2], "l", &labels(&[1, 2])));
    assert!(e.starts_with("gz-images:") && e.contains("gzip"), "{e}");
    // Bad magic number.
    let mut bad = good.clone();
    bad[2] = 0x0d;
    assert!(err(Split::from_idx("m", &bad, "l", &labels(&[1, 2]))).contains("magic"));
    // Labels file where images are expected.
    assert!(err(Split::from_idx("swapped", &labels(&[1, 2]), "l", &good)).contains("dimensions"));
    // Counts disagree.
    let e = err(Split::from_idx("i", &good, "lab", &labels(&[1, 2, 3])));
    assert!(e.starts_with("lab:") && e.contains("3 labels for 2 images"), "{e}");
    // Label out of range.
    assert!(err(Split::from_idx("i", &good, "lab", &labels(&[1, 12]))).contains("label 12"));
    // Wrong image size.
    let small = idx_bytes(3, &[2, 14, 14], &[0; 2 * 196]);
    assert!(err(Split::from_idx("i", &small, "l", &labels(&[1, 2]))).contains("28×28"));
    // Empty file.
    assert!(err(Split::from_idx("empty", &[], "l", &labels(&[1]))).contains("too short"));
    // A gzip bomb: 65 MB of zeros in 64 kB says what it is, not "truncated".
    let bomb = gzip(&vec![0u8; (idx::MAX_BYTES + (1 << 20)) as usize]);
    assert!(bomb.len() < 1 << 20);
    let e = err(Split::from_idx("bomb", &bomb, "l", &labels(&[1])));
    assert!(e.starts_with("bomb:") && e.contains("decompresses to more than 64 MB: not an MNIST file"), "{e}");
}

#[cfg(unix)]
#[test]
fn files_are_read_with_a_size_cap_and_links_reported_as_links() {
    let dir = std::env::temp_dir().join(format!("gradbook-capped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A training-images "file" that never ends: refused at the cap, at once.
    let images = dir.join("train-images-idx3-ubyte");
    let _ = std::fs::remove_file(&images);
    std::os::unix::fs::symlink("/dev/zero", &images).unwrap();
    let started = std::time::Instant::now();
    let e = Mnist::from_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("train-images-idx3-ubyte: it holds more than 64 MB: not an MNIST file"), "{e}");
    assert!(started.elapsed().as_secs() < 10);
    // A symlink loop is a loop, not a missing file.
    std::fs::remove_file(&images).unwrap();
    let gz = dir.join("train-images-idx3-ubyte.gz");
    let _ = std::fs::remove_file(&gz);
    std::os::unix::fs::symlink(&gz, &gz).unwrap();
    let e = Mnist::from_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("train-images-idx3-ubyte.gz") && e.to_lowercase().contains("symbolic links"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// burn draws initial weights from one generator per process, which a run seeds first. Tests
/// that initialise a model hold this lock, so no other test draws between a seed and its use
/// (a run here once trained from different weights and missed its threshold).
fn one_generator() -> MutexGuard<'static, ()> {
    static GENERATOR: Mutex<()> = Mutex::new(());
    GENERATOR.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn flex() -> Device {
    Device::flex()
}

fn pattern(device: &Device) -> (Vec<f32>, Tensor<4>) {
    // An asymmetric pattern so a wrong rotation direction cannot pass.
    let v: Vec<f32> = (0..784).map(|i| ((i % 28) * 3 + (i / 28) * 5 % 17) as f32 / 200.0).collect();
    let t = Tensor::<4>::from_data(TensorData::new(v.clone(), [1, 1, 28, 28]), device);
    (v, t)
}

fn values(t: Tensor<4>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

#[test]
fn augmentation_identity_returns_the_input() {
    let (v, t) = pattern(&flex());
    let out = values(augment::apply(t.clone(), &[Params::IDENTITY], Bilinear));
    assert_eq!(out, v);
    // A geometric identity still goes through grid_sample: it must land on the same pixels.
    let almost = Params { scale: 1.0 + 1e-9, ..Params::IDENTITY };
    let out = values(augment::apply(t, &[almost], Bilinear));
    let worst = out.iter().zip(&v).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(worst < 1e-4, "identity resample moved pixels by {worst}");
}

#[test]
fn augmentation_rotates_a_quarter_turn_counter_clockwise() {
    let (v, t) = pattern(&flex());
    let out = values(augment::apply(t, &[Params { degrees: 90.0, ..Params::IDENTITY }], Bilinear));
    // Counter-clockwise on screen: the right column becomes the top row.
    // out[r][c] = in[c][27 - r]
    let mut worst = 0f32;
    for r in 0..28 {
        for c in 0..28 {
            worst = worst.max((out[r * 28 + c] - v[c * 28 + (27 - r)]).abs());
        }
    }
    assert!(worst < 1e-4, "90° rotation is off by {worst}");
}

#[test]
fn nearest_shifts_by_whole_pixels_and_invents_no_values() {
    let (v, t) = pattern(&flex());
    // 0.1 of 28 pixels rounds to a 3-pixel shift right, as torchvision's RandomAffine does.
    let out = values(augment::apply(t.clone(), &[Params { translate: [0.1, 0.0], ..Params::IDENTITY }], Nearest));
    for r in 0..28 {
        for c in 0..28 {
            let expected = if c < 3 { 0.0 } else { v[r * 28 + c - 3] };
            assert!((out[r * 28 + c] - expected).abs() < 1e-5, "pixel ({r}, {c}): {} vs {expected}", out[r * 28 + c]);
        }
    }
    // Any turn and scale: every output pixel is a copy of an input pixel or the black fill.
    let turned = values(augment::apply(t, &[Params { rotation: 4.0, degrees: -7.0, scale: 1.1, ..Params::IDENTITY }], Nearest));
    assert!(turned.iter().all(|o| *o == 0.0 || v.iter().any(|i| (i - o).abs() < 1e-5)));
    assert!(turned.iter().zip(&v).any(|(o, i)| o != i), "the transform changed nothing");
}

#[test]
fn brightness_and_contrast_on_a_constant_image() {
    let device = flex();
    let grey = Tensor::<4>::from_data(TensorData::new(vec![0.4f32; 784], [1, 1, 28, 28]), &device);
    let brighter = values(augment::apply(grey.clone(), &[Params { brightness: 1.1, ..Params::IDENTITY }], Bilinear));
    assert!(brighter.iter().all(|&p| (p - 0.44).abs() < 1e-6));
    // Contrast blends with the image's own mean, which for a constant image is itself.
    let contrast = values(augment::apply(grey, &[Params { contrast: 0.9, ..Params::IDENTITY }], Bilinear));
    assert!(contrast.iter().all(|&p| (p - 0.4).abs() < 1e-6));

    // The same through PIL's 8-bit arithmetic: 102 · 1.1 = 112.2 is cut to 112.
    let grey = Tensor::<4>::from_data(TensorData::new(vec![102.0 / 255.0f32; 784], [1, 1, 28, 28]), &device);
    let brighter = values(augment::apply(grey.clone(), &[Params { brightness: 1.1, ..Params::IDENTITY }], Nearest));
    assert!(brighter.iter().all(|&p| p == 112.0 / 255.0));
    let contrast = values(augment::apply(grey, &[Params { contrast: 0.9, ..Params::IDENTITY }], Nearest));
    assert!(contrast.iter().all(|&p| p == 102.0 / 255.0));
}

/// Hex pairs → bytes.
fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn nearest_augmentation_gives_torchvisions_pixels() {
    // tests/data/torchvision_augment.json: a synthetic digit through torchvision's rotate,
    // affine and colour jitter on a PIL image, 24 parameter sets (bench/torchvision_augment_fixture.py).
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("data/torchvision_augment.json")).expect("fixture is JSON");
    let input: Vec<f32> = unhex(fixture["input"].as_str().unwrap()).iter().map(|&p| p as f32 / 255.0).collect();
    let cases = fixture["cases"].as_array().unwrap();
    let num = |case: &serde_json::Value, key: &str| case[key].as_f64().unwrap();
    let params: Vec<Params> = cases
        .iter()
        .map(|case| Params {
            rotation: num(case, "rotation"),
            degrees: num(case, "degrees"),
            translate: [0, 1].map(|i| case["translate"][i].as_f64().unwrap() / 28.0),
            scale: num(case, "scale"),
            brightness: num(case, "brightness"),
            contrast: num(case, "contrast"),
            contrast_first: case["contrastFirst"].as_bool().unwrap(),
        })
        .collect();
    let batch = input.repeat(cases.len());
    let x = Tensor::<4>::from_data(TensorData::new(batch, [cases.len(), 1, 28, 28]), &flex());
    let out = values(augment::apply(x, &params, Nearest));
    for (i, case) in cases.iter().enumerate() {
        let expected = unhex(case["output"].as_str().unwrap());
        let ours = &out[i * 784..(i + 1) * 784];
        // A sampling point within rounding error of halfway between two pixels may land on the
        // other one (we compute positions in f32, PIL in f64): allow a pixel or two.
        let differing = ours.iter().zip(&expected).filter(|(o, e)| (**o * 255.0).round() as u8 != **e).count();
        assert!(differing <= 2, "case {i} ({:?}): {differing} of 784 pixels differ from torchvision's", params[i]);
    }
}

#[test]
fn color_jitter_matches_pil_in_either_order() {
    // Black left half, grey level 250 right half. Expected levels computed with Pillow 9.4 /
    // torchvision 0.14: adjust_brightness(0.9) then adjust_contrast(1.2) gives 0 and 247; the
    // other order clips at 255 first and gives 0 and 229.
    let v: Vec<f32> = (0..784).map(|i| if i % 28 < 14 { 0.0 } else { 250.0 / 255.0 }).collect();
    let t = Tensor::<4>::from_data(TensorData::new(v, [1, 1, 28, 28]), &flex());
    for (contrast_first, bright) in [(false, 247.0), (true, 229.0)] {
        let p = Params { brightness: 0.9, contrast: 1.2, contrast_first, ..Params::IDENTITY };
        let out = values(augment::apply(t.clone(), &[p], Nearest));
        for (i, o) in out.iter().enumerate() {
            let expected = if i % 28 < 14 { 0.0 } else { bright / 255.0 };
            assert_eq!(*o, expected, "contrast first: {contrast_first}, pixel {i}");
        }
    }
}

#[test]
fn a_draw_stays_within_the_seed_ranges() {
    let mut rng = gradbook::mnist::rng::Rng::new(7);
    for _ in 0..1000 {
        let p = AugmentConfig::SEED.draw(&mut rng);
        assert!(p.rotation.abs() <= 5.0 && p.degrees.abs() <= 8.0 && p.translate.iter().all(|t| t.abs() <= 0.15));
        assert!((0.85..=1.15).contains(&p.scale) && (0.9..=1.1).contains(&p.brightness) && (0.9..=1.1).contains(&p.contrast));
    }
}

#[test]
fn parameter_counts_are_exact() {
    let _generator = one_generator();
    assert_eq!(ModelSpec::seed().num_params(), 9_320);
    assert_eq!(ModelSpec::compact().num_params(), 7_936);
    assert!(ModelSpec::all().iter().filter(|m| m.name.starts_with("compact")).all(|m| m.num_params() <= 8_000));
    for spec in ModelSpec::all() {
        // The summary's arithmetic agrees with what burn allocates, which also counts each
        // BatchNorm's running mean and variance (state, not trained parameters).
        let running_stats: usize = spec.summary().iter().filter(|r| r.layer.starts_with("BatchNorm")).map(|r| r.params).sum();
        assert_eq!(spec.init(&flex()).num_params(), spec.num_params() + running_stats, "{}", spec.name);
        let last = spec.summary().last().unwrap().clone();
        assert_eq!(last.shape, [10, 1, 1], "{} must end in 10 logits", spec.name);
    }
    let table = ModelSpec::seed().summary_table();
    assert!(table.contains("9320") && table.contains("AvgPool 8×8"), "{table}");
}

#[test]
fn models_run_forward_to_ten_logits() {
    let _generator = one_generator();
    let device = flex();
    for spec in ModelSpec::all() {
        let net = spec.init(&device);
        let out = net.forward(Tensor::<4>::zeros([2, 1, 28, 28], &device));
        assert_eq!(out.dims(), [2, 10], "{}", spec.name);
    }
}

#[test]
fn schedules_step_per_epoch_and_cycle_once() {
    let step = Schedule::Step { every: 8, gamma: 0.25 };
    // 100 steps per epoch: epochs 1–8 at 0.01, 9–16 at 0.0025.
    assert_eq!(step.lr(0.01, 0, 100, 1900), 0.01);
    assert_eq!(step.lr(0.01, 799, 100, 1900), 0.01);
    assert_eq!(step.lr(0.01, 800, 100, 1900), 0.0025);
    let one = Schedule::OneCycle { warmup: 0.2, div: 10.0, final_div: 100.0 };
    assert!((one.lr(0.1, 0, 10, 100) - 0.01).abs() < 1e-12);
    assert!((one.lr(0.1, 20, 10, 100) - 0.1).abs() < 1e-12);
    assert!((one.lr(0.1, 100, 10, 100) - 0.001).abs() < 1e-12);
}

#[test]
fn checkpoints_round_trip_and_refuse_the_wrong_model() {
    let _generator = one_generator();
    let device = flex();
    let spec = ModelSpec::compact();
    let net = spec.init(&device);
    let x = Tensor::<4>::ones([1, 1, 28, 28], &device);
    let before = net.forward(x.clone()).into_data();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &net)).unwrap();
    let (back_spec, back) = checkpoint::from_bytes(&bytes, Some("compact"), &device).unwrap();
    assert_eq!(back_spec.name, "compact");
    assert_eq!(back.forward(x).into_data(), before);
    let e = checkpoint::from_bytes(&bytes, Some("seed"), &device).unwrap_err();
    assert!(e.contains("'compact', not 'seed'"), "{e}");
    assert!(checkpoint::from_bytes(b"not weights", None, &device).unwrap_err().contains("not a gradbook"));
    // A header that claims another architecture (as an earlier version's weights would):
    // burn's record check refuses it.
    let mut forged = b"gradbook-mnist-v1\nseed\n".to_vec();
    forged.extend_from_slice(&bytes[bytes.iter().position(|&b| b == b'\n').unwrap() + 9..]);
    let e = checkpoint::from_bytes(&forged, None, &device).unwrap_err();
    // The first mismatch and a count, not burn's whole list.
    assert!(e.contains("does not fit model 'seed'") && e.contains("shape mismatch") && e.contains("more)"), "{e}");
    assert!(e.len() < 400, "{e}");
}

#[test]
fn checkpoints_with_values_that_are_not_numbers_are_refused() {
    use burn::module::{ModuleMapper, Param};
    /// Sets the first value of the first tensor it meets to `value`.
    struct Spoil(Option<f32>);
    impl ModuleMapper for Spoil {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let Some(value) = self.0.take() else { return param };
            param.map(|t| {
                let mut data = t.to_data().try_to_vec::<f32>().unwrap();
                data[0] = value;
                Tensor::from_data(TensorData::new(data, t.shape()), &t.device())
            })
        }
    }
    let _generator = one_generator();
    let device = flex();
    let spec = ModelSpec::compact();
    for value in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let net = spec.init(&device).map(&mut Spoil(Some(value)));
        let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &net)).unwrap();
        let e = checkpoint::from_bytes(&bytes, None, &device).unwrap_err();
        assert!(e.contains("holds 1 values that are not finite"), "{value}: {e}");
    }
}

#[test]
fn bad_settings_are_refused_by_name() {
    let mut c = TrainConfig::compact();
    c.lr = f64::NAN;
    assert!(c.validate().unwrap_err().contains("learning rate"));
    // A huge value is shown as a person would write it, not as 309 digits.
    c.lr = 1e308;
    assert_eq!(c.validate().unwrap_err(), "the learning rate must be between 0 and 10, got 1e308");
    c = TrainConfig::compact();
    c.epochs = 0;
    assert!(c.validate().unwrap_err().contains("epochs"));
    c = TrainConfig::compact();
    c.model = "resnet".into();
    assert!(c.validate().unwrap_err().contains("unknown model"));
    assert!(TrainConfig::recipe("nope").is_err());
    // Every schedule field, with its rule in the message.
    for (schedule, words) in [
        (Schedule::Step { every: 8, gamma: -1.0 }, "gamma must be above 0 and at most 1"),
        (Schedule::Step { every: 8, gamma: 0.0 }, "gamma must be above 0 and at most 1"),
        (Schedule::Step { every: 8, gamma: 2.0 }, "gamma must be above 0 and at most 1"),
        (Schedule::Step { every: 0, gamma: 0.5 }, "\"every\" must be between 1"),
        (Schedule::OneCycle { warmup: 0.2, div: 0.0, final_div: 100.0 }, "one-cycle div must be between 1"),
        (Schedule::OneCycle { warmup: 0.2, div: 10.0, final_div: f64::INFINITY }, "final div must be between 1"),
        (Schedule::OneCycle { warmup: -0.1, div: 10.0, final_div: 100.0 }, "warm-up (a fraction of the run) must be between 0"),
        (Schedule::OneCycle { warmup: 1.0, div: 10.0, final_div: 100.0 }, "warm-up (a fraction of the run) must be between 0"),
    ] {
        c = TrainConfig { schedule, ..TrainConfig::compact() };
        let e = c.validate().unwrap_err();
        assert!(e.contains(words), "{schedule:?}: {e}");
    }
    for schedule in [Schedule::Constant, Schedule::Step { every: 8, gamma: 0.25 }, TrainConfig::compact().schedule] {
        assert_eq!(TrainConfig { schedule, ..TrainConfig::compact() }.validate(), Ok(()));
    }
}

// ---- With the real files (MNIST_DIR); `npm test` runs these. ----

fn mnist() -> Mnist {
    let dir = std::env::var("MNIST_DIR").expect("set MNIST_DIR to the folder with the four MNIST files");
    Mnist::from_dir(std::path::Path::new(&dir)).unwrap()
}

#[test]
#[ignore = "needs MNIST_DIR"]
fn real_mnist_loads() {
    let m = mnist();
    assert_eq!((m.train.len(), m.test.len()), (60_000, 10_000));
    // The first training label of MNIST is a 5, the first test label a 7.
    assert_eq!((m.train.labels[0], m.test.labels[0]), (5, 7));
    let mean = m.train.images.iter().map(|&p| p as f64).sum::<f64>() / m.train.images.len() as f64 / 255.0;
    assert!((mean - 0.1307).abs() < 1e-3, "mean {mean}");

    // What the page does with fetched files: the canonical checksums pass, and a well-formed
    // file with one label changed does not.
    let dir = std::path::PathBuf::from(std::env::var("MNIST_DIR").unwrap());
    let mut files: Vec<Vec<u8>> = gradbook::mnist::data::FILES.iter().map(|(name, _)| std::fs::read(dir.join(format!("{name}.gz"))).unwrap()).collect();
    let canonical = |f: &[Vec<u8>]| Mnist::from_canonical_bytes([&f[0], &f[1], &f[2], &f[3]]);
    assert_eq!(canonical(&files).unwrap().test.labels[0], 7);
    let mut labels = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&files[3][..]), &mut labels).unwrap();
    labels[8] = 1; // the first test label, 7, after the 8-byte header
    files[3] = gzip(&labels);
    assert_eq!(Mnist::from_bytes([&files[0], &files[1], &files[2], &files[3]]).unwrap().test.labels[0], 1);
    let e = canonical(&files).unwrap_err().to_string();
    assert!(e.starts_with("t10k-labels-idx1-ubyte: ") && e.contains("SHA-256 mismatch"), "{e}");
}

struct Recorder {
    progress: usize,
    stop_after: Option<usize>,
}

impl Observer for Recorder {
    async fn progress(&mut self, _: &Progress) -> Control {
        self.progress += 1;
        if Some(self.progress) == self.stop_after { Control::Stop } else { Control::Continue }
    }
    async fn epoch(&mut self, _: &EpochMetrics, _: &gradbook::mnist::model::Net) -> Control {
        Control::Continue
    }
}

/// Trains `config` on the real files on the CPU; returns the run and how many progress reports came.
fn train_with(config: &TrainConfig, stop_after: Option<usize>) -> (train::RunResult, usize) {
    let mut rec = Recorder { progress: 0, stop_after };
    let _generator = one_generator();
    let run = pollster::block_on(train::train(config, &mnist(), &flex(), &mut rec)).unwrap();
    (run, rec.progress)
}

#[test]
#[ignore = "needs MNIST_DIR"]
fn a_short_run_learns_and_can_be_stopped() {
    // A plain, steady recipe: what is tested is that the engine learns, not the schedule.
    let config = TrainConfig {
        epochs: 2,
        batch_size: 64,
        lr: 0.05,
        schedule: Schedule::Constant,
        label_smoothing: 0.0,
        limit_train: Some(4096),
        limit_test: Some(500),
        report_every: 32,
        augment: AugmentConfig::NONE,
        ..TrainConfig::compact()
    };
    let (run, reports) = train_with(&config, None);
    assert_eq!(run.outcome, Outcome::Completed);
    assert_eq!(run.epochs.len(), 2);
    // 64 batches an epoch, read back every 32.
    assert_eq!(reports, 4);
    let e = run.evaluation.unwrap();
    // Chance is 10 %; this run lands at 86.6 % here (its test accuracy lags its training loss:
    // two short epochs at a constant rate leave the batch norms' running averages behind).
    assert!(e.accuracy > 40.0, "two epochs of 4096 images should beat chance by far, got {}%", e.accuracy);
    assert!(run.epochs[1].train_loss < run.epochs[0].train_loss, "the training loss should fall");
    assert_eq!(e.confusion.iter().flatten().sum::<u32>(), 500);
    assert_eq!(e.misclassified.len() as u32, 500 - (0..10).map(|c| e.confusion[c][c]).sum::<u32>());

    let (run, _) = train_with(&config, Some(1));
    assert_eq!(run.outcome, Outcome::Stopped { epoch: 1, batch: 32 });
}

#[test]
#[ignore = "needs MNIST_DIR"]
fn a_huge_learning_rate_diverges_and_keeps_good_weights() {
    let config = TrainConfig {
        epochs: 3,
        lr: 10.0,
        limit_train: Some(2048),
        limit_test: Some(100),
        report_every: 1,
        optimizer: gradbook::mnist::config::OptimizerConfig::Sgd { momentum: 0.99, nesterov: false, weight_decay: 0.0 },
        schedule: Schedule::Constant,
        ..TrainConfig::seed()
    };
    let (run, reports) = train_with(&config, None);
    let Outcome::Diverged { epoch: 1, batch, kept } = run.outcome else { panic!("expected divergence, got {:?}", run.outcome) };
    assert_eq!(reports, batch - 1, "one report a batch until the blow-up");
    let message = run.outcome.message().unwrap();
    assert!(message.starts_with(&format!("diverged at epoch 1, batch {batch}: ")), "{message}");
    let weights_kept = weights(&run.model);
    assert!(weights_kept.iter().all(|v| v.is_finite()), "the kept weights hold values that are not numbers");
    let kept_eval = run.evaluation.expect("the kept weights are evaluated");
    assert!(kept_eval.loss.is_finite(), "the kept weights' test loss is {}", kept_eval.loss);
    assert_eq!(kept_eval.confusion.iter().flatten().sum::<u32>(), 100);

    // With a report every batch, the blow-up at `batch` was computed by the weights after
    // `batch - 1` steps, so the latest weights that gave a finite loss are those after
    // `batch - 2`. Here they are finite but already huge (2.5e12): batch norm's running
    // statistics turn them into a NaN test loss, so the run goes back to its starting weights,
    // and says so.
    let (vouched, _) = train_with(&config, Some(batch - 2));
    assert_eq!(vouched.outcome, Outcome::Stopped { epoch: 1, batch: batch - 2 });
    assert!(vouched.evaluation.unwrap().loss.is_nan(), "this run's blow-up is expected to reach the test loss first");
    assert_eq!(kept, Kept::Start, "{message}");
    assert!(message.ends_with("kept the weights the run started from: none after them evaluate to a finite loss"), "{message}");

    // A rate that climbs (a one-cycle warm-up to 10) trains through epoch 1 and blows up in
    // epoch 2: nothing after epoch 1 evaluates to a finite loss, so the run keeps epoch 1's
    // weights, exactly those of its checkpoint, and their test accuracy.
    let climbing = TrainConfig {
        epochs: 10,
        limit_train: Some(1024),
        optimizer: gradbook::mnist::config::OptimizerConfig::Sgd { momentum: 0.9, nesterov: false, weight_decay: 0.0 },
        schedule: Schedule::OneCycle { warmup: 0.99, div: 1e4, final_div: 1e4 },
        ..config
    };
    let mut saved = Checkpoints { spec: train::spec_for(&climbing).unwrap(), saved: Vec::new() };
    let run = {
        let _generator = one_generator();
        pollster::block_on(train::train(&climbing, &mnist(), &flex(), &mut saved)).unwrap()
    };
    let Outcome::Diverged { epoch: 2, kept, .. } = run.outcome else { panic!("expected divergence in epoch 2, got {:?}", run.outcome) };
    assert_eq!(kept, Kept::Epoch { epoch: 1 });
    let (_, epoch_one) = checkpoint::from_bytes(&saved.saved[0].1, None, &flex()).unwrap();
    assert!(weights(&epoch_one) == weights(&run.model), "the kept weights are not epoch 1's");
    assert_eq!(run.evaluation.unwrap().accuracy, run.epochs[0].test_accuracy);
}

/// Every value of a model's weights and statistics.
fn weights(model: &gradbook::mnist::model::Net) -> Vec<f32> {
    use burn::module::{ModuleVisitor, Param};
    struct Collect(Vec<f32>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.extend(param.val().into_data().try_to_vec::<f32>().unwrap());
        }
    }
    let mut collect = Collect(Vec::new());
    model.visit(&mut collect);
    collect.0
}

/// Records each epoch's number and its checkpoint.
struct Checkpoints {
    spec: ModelSpec,
    saved: Vec<(usize, Vec<u8>)>,
}

impl Observer for Checkpoints {
    async fn progress(&mut self, _: &Progress) -> Control {
        Control::Continue
    }
    async fn epoch(&mut self, m: &EpochMetrics, model: &gradbook::mnist::model::Net) -> Control {
        self.saved.push((m.epoch, checkpoint::to_bytes(&self.spec, model).await.unwrap()));
        Control::Continue
    }
}

fn banded() -> Mnist {
    Mnist { train: Split::banded(256), test: Split::banded(100) }
}

#[test]
fn a_run_resumes_from_an_epoch_checkpoint() {
    let _generator = one_generator();
    let config = TrainConfig { epochs: 3, batch_size: 64, report_every: 4, ..TrainConfig::compact() };
    let mut first = Checkpoints { spec: ModelSpec::compact(), saved: vec![] };
    let run = pollster::block_on(train::train(&config, &banded(), &flex(), &mut first)).unwrap();
    assert_eq!(first.saved.iter().map(|s| s.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(run.epochs.len(), 3);

    // As after a reload: continue from epoch 1's checkpoint; only epochs 2 and 3 are trained.
    let (_, model) = checkpoint::from_bytes(&first.saved[0].1, Some("compact"), &flex()).unwrap();
    let mut second = Checkpoints { spec: ModelSpec::compact(), saved: vec![] };
    let start = train::Start::Resume { model, epochs_done: 1 };
    let resumed = pollster::block_on(train::train_from(&config, &banded(), &flex(), &mut second, start)).unwrap();
    assert_eq!(resumed.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(), [2, 3]);
    // The schedule picks up where it was: epoch 2's learning rate is the first run's.
    assert!((resumed.epochs[0].lr - run.epochs[1].lr).abs() < 1e-12);

    // The last checkpoint is the trained model itself, BatchNorm statistics included.
    let (_, model) = checkpoint::from_bytes(&first.saved[2].1, None, &flex()).unwrap();
    let images = vec![0.5; 3 * 784];
    let p_saved = pollster::block_on(gradbook::mnist::infer::probabilities(&model.valid(), &images, &flex())).unwrap();
    let p_run = pollster::block_on(gradbook::mnist::infer::probabilities(&run.model, &images, &flex())).unwrap();
    assert_eq!(p_saved, p_run);
    let done = train::Start::Resume { model, epochs_done: 3 };
    let err = pollster::block_on(train::train_from(&config, &banded(), &flex(), &mut second, done)).err().unwrap();
    assert!(err.contains("already finished"), "{err}");
}

#[test]
fn predictions_are_probabilities_and_views_have_the_layer_shapes() {
    let _generator = one_generator();
    use gradbook::mnist::infer;
    let device = flex();
    let model = ModelSpec::compact().init(&device).valid();
    let p = pollster::block_on(infer::probabilities(&model, &[0.25; 2 * 784], &device)).unwrap();
    assert_eq!(p.len(), 20);
    for image in p.chunks(10) {
        assert!((image.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    let e = pollster::block_on(infer::probabilities(&model, &[0.0; 100], &device)).unwrap_err();
    assert!(e.contains("784"), "{e}");
    let e = pollster::block_on(infer::probabilities(&model, &[2.0; 784], &device)).unwrap_err();
    assert!(e.contains("between 0 and 1"), "{e}");

    let view = pollster::block_on(infer::inspect(&model, &[0.5; 784], &device)).unwrap();
    assert_eq!(view.filters.shape, [16, 1, 3, 3]);
    assert_eq!(view.maps.shape, [16, 28, 28]);
    assert_eq!(view.maps.values.len(), 16 * 28 * 28);
    // After the first ReLU, nothing is negative.
    assert!(view.maps.values.iter().all(|&v| v >= 0.0));
}

#[test]
fn the_augmentation_preview_is_the_training_view() {
    use gradbook::mnist::infer;
    let data = banded();
    let same = pollster::block_on(infer::augmented(&data.train, &[0, 5], &AugmentConfig::NONE, 1, &flex())).unwrap();
    assert_eq!(same, data.train.gather(&[0, 5]).0);
    let moved = pollster::block_on(infer::augmented(&data.train, &[0, 5], &AugmentConfig::SEED, 1, &flex())).unwrap();
    assert_eq!(moved.len(), 2 * 784);
    assert_ne!(moved, same);
    assert!(pollster::block_on(infer::augmented(&data.train, &[256], &AugmentConfig::NONE, 1, &flex())).is_err());
}

/// The memory estimate that keeps the page's engine from running out of memory mid-run: about
/// what a run measurably takes, and a refusal naming the largest batch that fits.
#[test]
fn a_batch_the_engine_cannot_hold_is_refused_with_the_largest_that_fits() {
    use gradbook::mnist::memory::{self, PAGE_LIMIT_BYTES};
    let compact = ModelSpec::compact();
    // Measured natively: batch 1,024 of compact peaked at 762 MB resident, 256 at 223 MB.
    let need = memory::training_bytes(&compact, 1024) as f64;
    assert!((650e6..1000e6).contains(&need), "estimate {need} bytes for batch 1024");
    let why = memory::check(&compact, 8192, PAGE_LIMIT_BYTES, "the browser's engine").unwrap_err();
    assert!(why.contains("a batch size of 8192 needs about 6.5 GB") && why.contains("at most 2037"), "{why}");
    assert!(memory::check(&compact, 2037, PAGE_LIMIT_BYTES, "the browser's engine").is_ok());
    assert!(memory::check(&compact, 2038, PAGE_LIMIT_BYTES, "the browser's engine").is_err());
    // Natively the machine decides: the settings' validation holds no limit.
    assert_eq!(memory::engine_limit(), None);
    assert!(TrainConfig { batch_size: 8192, ..TrainConfig::compact() }.validate().is_ok());
}

/// A damaged weights file is refused in words a student can act on, not in burn's own
/// (`Io("Validation error: …")` once reached the page).
#[test]
fn a_truncated_checkpoint_says_so_plainly() {
    let spec = ModelSpec::compact();
    let device = Device::flex();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &spec.init(&device))).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 5, 40] {
        let e = checkpoint::from_bytes(&bytes[..cut], None, &device).unwrap_err();
        assert!(e.contains("cut short or damaged") && !e.contains("Io(") && !e.contains('"'), "cut at {cut}: {e}");
    }
}
