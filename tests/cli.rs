//! The `gradbook` binary as a user runs it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn gradbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gradbook")).args(args).output().expect("run gradbook")
}

#[test]
fn tiny_csv_prints_the_sheet() {
    let out = gradbook(&["tiny", "--lr", "0.1,0.2,0.5,0.8,1.0,2.0", "--iterations", "40", "--csv"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 6 * 41);
    assert!(lines[0].starts_with("lr,iteration,w1,"));
    let first: Vec<f64> = lines[1].split(',').map(|v| v.parse().unwrap()).collect();
    let e_total = first[2 + gradbook::tiny::trace::column("E_total").unwrap()];
    assert!((e_total - 0.242519857).abs() < 1e-9, "E_total at iteration 0: {e_total}");
}

#[test]
fn tiny_burn_engine_agrees_with_exact() {
    let exact = gradbook(&["tiny", "--iterations", "20", "--bias", "0.35,0.60", "--csv"]);
    let burn = gradbook(&["tiny", "--iterations", "20", "--bias", "0.35,0.60", "--engine", "burn", "--csv"]);
    assert!(exact.status.success() && burn.status.success());
    let parse = |o: &std::process::Output| -> Vec<f64> {
        String::from_utf8_lossy(&o.stdout).lines().skip(1).flat_map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap()).collect::<Vec<_>>()).collect()
    };
    let (a, b) = (parse(&exact), parse(&burn));
    assert_eq!(a.len(), b.len());
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-5, "engines differ by {worst}");
}

#[test]
fn bad_input_exits_nonzero_with_one_line() {
    for (args, reason) in [
        (vec!["tiny", "--lr", "0"], "gradbook: learningRates: 0 must be a number greater than 0"),
        (vec!["tiny", "--lr", "abc"], "error: invalid value 'abc' for '--lr <LEARNING_RATES>'"),
        (vec!["tiny", "--iterations", "0"], "gradbook: iterations: must be between 1 and 20000"),
        (vec!["tiny", "--weights", "1,2,3"], "expected 8 comma-separated numbers, got 3"),
        (vec!["tiny", "--targets", "0.5,NaN"], "gradbook: targets: NaN is outside 0…1"),
        (vec!["mnist", "--lr=1e308", "--data", "/tmp"], "gradbook: the learning rate must be between 0 and 10, got 1e308"),
    ] {
        let out = gradbook(&args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        // The reason on the first line; for a malformed value, clap adds its "--help" hint.
        assert!(lines[0].contains(reason), "{args:?}: {err}");
        let hint = lines.get(1).is_none_or(|l| l.starts_with("For more information, try '--help'"));
        assert!(lines.len() <= 2 && hint, "{args:?}: more than one line of reason: {err}");
    }
}

#[test]
fn models_prints_every_summary() {
    let out = gradbook(&["models"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("seed") && text.contains("9320"), "{text}");
    assert!(text.contains("compact") && text.contains("7936"), "{text}");
}

/// The page's exported design, as a file the CLI takes.
const EVERY_KIND: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/every-kind.json");

#[test]
fn models_prints_a_design_file_or_where_it_fails() {
    let out = gradbook(&["models", "--model-file", EVERY_KIND]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("every-kind — one layer of every kind") && text.contains("AvgPool 2×2") && text.contains("582"), "{text}");
    let broken = std::env::temp_dir().join(format!("gradbook-broken-design-{}.json", std::process::id()));
    let design = std::fs::read_to_string(EVERY_KIND).unwrap().replace(r#""kind": "avgPool", "kernel": 2"#, r#""kind": "avgPool", "kernel": 16"#);
    std::fs::write(&broken, design).unwrap();
    let file = broken.to_str().unwrap();
    for args in [vec!["models", "--model-file", file], vec!["mnist", "--model-file", file, "--data", "/tmp"]] {
        let out = gradbook(&args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("layer 9: a 16×16 average pool needs at least 16×16 input, the maps are 14×14 here"), "{args:?}: {err}");
    }
    std::fs::write(&broken, r#"{"name": "x", "layers": [{"kind": "conv", "out": 8, "kernal": 3}]}"#).unwrap();
    let err = String::from_utf8_lossy(&gradbook(&["models", "--model-file", broken.to_str().unwrap()]).stderr).into_owned();
    assert!(err.contains("not a model design") && err.contains("kernal"), "{err}");
    let _ = std::fs::remove_file(broken);
}

#[test]
#[ignore = "needs MNIST_DIR"]
fn a_design_file_trains_and_its_weights_evaluate_without_naming_it() {
    let weights = std::env::temp_dir().join(format!("gradbook-design-{}.bin", std::process::id()));
    let w = weights.to_str().unwrap();
    let out = gradbook(&["mnist", "--model-file", EVERY_KIND, "--epochs", "1", "--limit-train", "512", "--limit-test", "200", "--save", w]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("every-kind") && text.contains("TEST set"), "{text}");
    // The file names its layers: eval rebuilds the model from it alone.
    let out = gradbook(&["eval", "--weights", w]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with("every-kind (582 parameters): test loss"), "{text}");
    let _ = std::fs::remove_file(weights);
}

#[test]
fn mnist_without_data_says_where_to_get_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .args(["mnist", "--epochs", "1", "--data", "/nonexistent-mnist"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent-mnist") && err.contains("MNIST_DIR"), "{err}");
    let out = gradbook(&["mnist", "--model", "lenet"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown recipe"));
    let out = gradbook(&["mnist", "--lr=-1", "--data", "/tmp"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("learning rate"));
}

#[test]
fn eval_refuses_a_file_that_is_not_a_checkpoint() {
    let path = std::env::temp_dir().join("gradbook-not-weights.bin");
    std::fs::write(&path, b"hello").unwrap();
    let out = gradbook(&["eval", "--weights", path.to_str().unwrap(), "--data", "/tmp"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a gradbook MNIST checkpoint"));
}

#[test]
#[ignore = "needs MNIST_DIR"]
fn download_verifies_files_already_present() {
    let dir = std::env::var("MNIST_DIR").expect("MNIST_DIR");
    let out = gradbook(&["download", &dir]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr).matches("present, checksum OK").count(), 4);

    // A corrupted copy is caught (and, with no network here, not silently replaced).
    let copy = std::env::temp_dir().join("gradbook-mnist-corrupt");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "gz") {
            std::fs::copy(&p, copy.join(p.file_name().unwrap())).unwrap();
        }
    }
    let labels = copy.join("t10k-labels-idx1-ubyte.gz");
    let mut bytes = std::fs::read(&labels).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&labels, bytes).unwrap();
    let out = gradbook(&["mnist", "--data", copy.to_str().unwrap(), "--epochs", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("t10k-labels-idx1-ubyte"));
}

#[test]
fn an_output_that_cannot_be_written_fails_before_training() {
    let weights = std::env::temp_dir().join(format!("gradbook-never-written-{}.bin", std::process::id()));
    let started = std::time::Instant::now();
    // The data folder does not exist either: the output is checked before anything is read.
    let out = gradbook(&["mnist", "--json", "/nonexistent-dir/a.json", "--save", weights.to_str().unwrap(), "--data", "/nonexistent-mnist"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write /nonexistent-dir/a.json"), "{err}");
    assert!(!weights.exists(), "the check leaves no file behind");
    assert!(started.elapsed().as_secs() < 10, "it fails at once, not after training");
}

#[test]
#[ignore = "needs MNIST_DIR"]
fn a_diverged_run_saves_weights_that_evaluate() {
    let weights = std::env::temp_dir().join(format!("gradbook-diverged-{}.bin", std::process::id()));
    let w = weights.to_str().unwrap();
    let out = gradbook(&["mnist", "--model", "seed-plain", "--lr", "10", "--epochs", "1", "--limit-train", "3000", "--limit-test", "500", "--save", w]);
    assert!(!out.status.success(), "a diverged run exits non-zero");
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("gradbook: diverged at epoch 1") && last.contains("kept the weights"), "on a line of its own: {err}");
    let out = gradbook(&["eval", "--weights", w]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains("NaN") && text.contains("test accuracy"), "{text}");
}

#[test]
fn a_misspelt_setting_is_refused_with_the_name_meant() {
    let path = std::env::temp_dir().join(format!("gradbook-misspelt-{}.json", std::process::id()));
    let mut settings = serde_json::to_value(gradbook::mnist::TrainConfig::compact()).unwrap();
    settings["limit_train"] = serde_json::json!(100);
    std::fs::write(&path, settings.to_string()).unwrap();
    let out = gradbook(&["mnist", "--config", path.to_str().unwrap(), "--data", "/nonexistent-mnist"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown setting 'limit_train' (did you mean 'limitTrain'?)"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// `--save` keeps the run after every epoch; a run killed in the middle of an epoch and
/// continued with `--resume` ends with the very weights, optimizer state and metrics of a run
/// never killed.
#[test]
#[ignore = "needs MNIST_DIR"]
fn a_killed_run_resumed_from_its_file_ends_bit_identical() {
    use gradbook::mnist::run::checkpoint;
    let dir = std::env::temp_dir().join(format!("gradbook-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (whole, killed) = (dir.join("whole.bin"), dir.join("killed.bin"));
    let run = ["mnist", "--model", "compact", "--epochs", "2", "--limit-train", "6000", "--limit-test", "300", "--save"];
    let out = gradbook(&[&run[..], &[whole.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut child = Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .args(run)
        .arg(&killed)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The file appears after epoch 1; a moment later the run is in epoch 2.
    while !killed.exists() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before epoch 1 was saved");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "the run finished before it could be killed");
    child.kill().unwrap();
    child.wait().unwrap();

    let device = burn::tensor::Device::flex();
    let read = |path: &std::path::Path| checkpoint::read(&std::fs::read(path).unwrap(), None, &device).unwrap();
    let saved = read(&killed).run.expect("the file holds the run");
    assert_eq!((saved.snapshot.position.epoch, saved.snapshot.position.batch), (2, 0), "the file holds epoch 1's end");
    let out = gradbook(&["mnist", "--resume", killed.to_str().unwrap(), "--save", killed.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("resuming the compact run at the start of epoch 2"));

    let (a, b) = (read(&whole), read(&killed));
    let values = |c: &checkpoint::Checkpoint| pollster::block_on(checkpoint::all_values(&c.model)).unwrap();
    assert!(values(&a) == values(&b), "the weights differ");
    let (a, b) = (a.run.unwrap(), b.run.unwrap());
    assert!(a.optimizer == b.optimizer, "the momentum differs");
    let results = |s: &gradbook::mnist::run::snapshot::Snapshot| s.epochs.iter().map(|e| (e.train_loss, e.test_loss, e.test_accuracy)).collect::<Vec<_>>();
    assert_eq!(results(&a.snapshot), results(&b.snapshot));
    assert!(!dir.join("killed.bin.partial").exists(), "no partial file is left");
    // A finished run has nothing left to resume.
    let out = gradbook(&["mnist", "--resume", killed.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already finished its 2 epochs"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A mirror on this machine: serves `dir`'s files over HTTP/1.1, each answer changed by `serve`
/// (the file's bytes in, the bytes to send and the length to announce out), one connection at a
/// time, until the test ends.
fn mirror(dir: PathBuf, serve: fn(&str, Vec<u8>) -> (Vec<u8>, usize)) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut request = String::new();
            BufReader::new(&stream).read_line(&mut request).unwrap();
            let name = request.split(' ').nth(1).unwrap_or("/").trim_start_matches('/').to_string();
            match std::fs::read(dir.join(&name)) {
                Ok(bytes) => {
                    let (body, length) = serve(&name, bytes);
                    let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n");
                    let _ = stream.write_all(&body);
                }
                Err(_) => {
                    let _ = write!(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                }
            }
        }
    });
    url
}

/// `gradbook` with no MNIST_DIR, its cache folder under `cache`, fetching from `mirror`.
fn without_data(args: &[&str], cache: &Path, mirror: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .args(args)
        .env_remove("MNIST_DIR")
        .env("XDG_CACHE_HOME", cache)
        .env("GRADBOOK_MNIST_MIRRORS", mirror)
        .output()
        .expect("run gradbook")
}

#[test]
#[ignore = "needs MNIST_DIR (served from a local mirror)"]
fn without_mnist_dir_the_files_are_downloaded_once_checked_and_nothing_bad_is_kept() {
    let dir = PathBuf::from(std::env::var("MNIST_DIR").expect("MNIST_DIR"));
    let cache = std::env::temp_dir().join(format!("gradbook-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let files = cache.join("gradbook").join("mnist");
    let quick = ["mnist", "--epochs", "1", "--limit-train", "64", "--limit-test", "64"];

    // A corrupted test-labels file: the checksum names it, and it is not kept.
    let corrupt = mirror(dir.clone(), |name, mut bytes| {
        if name.starts_with("t10k-labels") {
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0xff;
        }
        let n = bytes.len();
        (bytes, n)
    });
    let out = without_data(&quick, &cache, &corrupt);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("t10k-labels-idx1-ubyte") && (err.contains("checksum mismatch") || err.contains("not a valid gzip")), "{err}");
    assert!(!files.join("t10k-labels-idx1-ubyte.gz").exists() && !files.join("t10k-labels-idx1-ubyte.gz.part").exists());

    // A server that stops halfway through a file: curl's error, and nothing kept.
    let cut = mirror(dir.clone(), |_, bytes| {
        let n = bytes.len();
        (bytes[..n / 2].to_vec(), n)
    });
    let out = without_data(&quick, &cache, &cut);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("could not download") && err.contains("offline"), "{err}");
    assert!(!files.join("t10k-labels-idx1-ubyte.gz").exists() && !files.join("t10k-labels-idx1-ubyte.gz.part").exists());

    // A good mirror: the files land in the cache folder, and the run trains.
    let good = mirror(dir.clone(), |_, bytes| {
        let n = bytes.len();
        (bytes, n)
    });
    let out = without_data(&quick, &cache, &good);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("downloaded, checksum OK") && err.contains(&files.display().to_string()), "{err}");
    // Offline afterwards (a mirror nobody answers): the cached files are used, nothing fetched.
    let out = without_data(&quick, &cache, "http://127.0.0.1:9/");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("present, checksum OK").count(), 4, "{err}");
    assert!(!err.contains("fetching"), "{err}");
    let _ = std::fs::remove_dir_all(&cache);
}
