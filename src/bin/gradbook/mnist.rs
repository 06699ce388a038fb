//! `gradbook models | mnist | eval | download`: the MNIST engine on the command line.

use std::io::Write;

use burn::module::Module;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::download;
use gradbook::device::{Compute, Preference};
use gradbook::mnist::run::bench::{self, Steps};
use gradbook::mnist::run::checkpoint;
use gradbook::mnist::run::config::{ModelChoice, TrainConfig};
use gradbook::mnist::data::{Mnist, CLASSES};
use gradbook::mnist::run::evaluate::evaluate;
use gradbook::mnist::model::{Architecture, ModelSpec};
use gradbook::mnist::run::plan::Plan;
use gradbook::mnist::run::resumable::Resumable;
use gradbook::mnist::run::report::{first_reaching, EpochMetrics, Evaluation, Outcome, Progress, TestPoint, MILESTONES};
use gradbook::mnist::run::train::{self, Control, Observer, Start};

#[derive(clap::Args)]
pub struct DataArgs {
    /// Folder with the four MNIST IDX files (.gz or raw); default: $MNIST_DIR, else the
    /// platform's cache folder, where they are downloaded once.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Where to compute: flex (CPU), wgpu (GPU), or auto (training: whichever runs the recipe's
    /// first steps faster; evaluation: a hardware GPU if there is one).
    #[arg(long, default_value = "flex", value_parser = Preference::from_str)]
    device: Preference,
}

impl DataArgs {
    fn load(&self) -> Result<Mnist, String> {
        let dir = match (&self.data, std::env::var_os("MNIST_DIR")) {
            (Some(d), _) => d.clone(),
            (None, Some(d)) => PathBuf::from(d),
            (None, None) => {
                let dir = download::cache_dir().ok_or("where is MNIST? pass --data DIR or set MNIST_DIR (`gradbook download DIR` fetches it)")?;
                eprintln!("gradbook: MNIST_DIR is not set: using {} (downloaded once, checked by SHA-256)", dir.display());
                download::ensure(&dir)?;
                dir
            }
        };
        Mnist::from_dir(&dir).map_err(|e| e.to_string())
    }

    /// Where `config` trains, said on stderr.
    fn choose(&self, config: &TrainConfig) -> Result<Compute, String> {
        let choice = pollster::block_on(bench::choose(config, self.device))?;
        eprintln!("gradbook: {}", choice.summary);
        Ok(choice.compute)
    }

    /// Where evaluation runs: no steps to time, so "auto" takes a hardware GPU if there is one.
    fn inference(&self) -> Compute {
        let compute = pollster::block_on(Compute::for_inference(self.device));
        if let Some(reason) = &compute.fallback_reason {
            eprintln!("gradbook: {reason}; using the CPU (flex)");
        }
        compute
    }
}

#[derive(clap::Args)]
pub struct MnistArgs {
    /// A recipe: seed, seed-plain, seed-aug, compact, quick or tiny (its model and settings).
    #[arg(long, default_value = "compact")]
    model: String,
    /// Every setting from a JSON file instead of a recipe (the "settings" object a `--json`
    /// report holds); the flags below still override it.
    #[arg(long, conflicts_with = "model")]
    config: Option<PathBuf>,
    /// Train this model instead of the recipe's: a design as JSON (`{"name", "layers"}`, what
    /// the page's model editor exports), with the recipe's (or `--config`'s) other settings.
    #[arg(long)]
    model_file: Option<PathBuf>,
    #[arg(long)]
    epochs: Option<usize>,
    #[arg(long)]
    batch: Option<usize>,
    #[arg(long)]
    lr: Option<f64>,
    #[arg(long)]
    seed: Option<u64>,
    /// Train on the first N training images only.
    #[arg(long)]
    limit_train: Option<usize>,
    /// Test on the first N test images only.
    #[arg(long)]
    limit_test: Option<usize>,
    /// Cut each batch into this many slices, as the page's CPU workers do (computed here one
    /// after another): the page's numbers for its `workers` setting.
    #[arg(long)]
    workers: Option<usize>,
    /// Write the settings and every epoch's metrics here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Save the run here after every epoch (replacing the file whole, so a killed run leaves
    /// the last finished epoch), with what `--resume` needs; the weights also load in `eval`.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Continue the run saved in this file (by `--save`) exactly where it stopped, with the
    /// settings it holds.
    #[arg(long, conflicts_with_all = ["model", "config", "model_file", "epochs", "batch", "lr", "seed", "limit_train", "limit_test", "workers"])]
    resume: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// The model the weights are for (checked against the file).
    #[arg(long)]
    model: Option<String>,
    /// A file written by `gradbook mnist --save`.
    #[arg(long)]
    weights: PathBuf,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(clap::Args)]
pub struct ModelsArgs {
    /// Print this design's summary instead (a JSON file as `mnist --model-file` takes), or why
    /// it cannot be built.
    #[arg(long)]
    model_file: Option<PathBuf>,
}

pub fn models(args: ModelsArgs) -> Result<(), String> {
    let specs = match &args.model_file {
        Some(path) => vec![design(path)?.spec()],
        None => ModelSpec::all(),
    };
    for spec in specs {
        println!("{}", spec.summary_table().map_err(|e| e.to_string())?);
    }
    Ok(())
}

/// The model design in the JSON file at `path`, checked: it can be built and trained.
fn design(path: &Path) -> Result<ModelChoice, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let spec: ModelSpec = serde_json::from_str(&text).map_err(|e| {
        format!("{}: not a model design: {}", path.display(), gradbook::names::nearest_name(&e.to_string()))
    })?;
    let choice = ModelChoice::Design(spec);
    choice.check().map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(choice)
}

/// The seed's log on stdout, a progress bar on stderr; the run saved after every epoch.
struct Console {
    epoch_started: bool,
    save: Option<PathBuf>,
}

impl Observer for Console {
    async fn progress(&mut self, p: &Progress) -> Control {
        if !self.epoch_started {
            println!("Epoch: {}", p.epoch);
            self.epoch_started = true;
        }
        let per_batch = p.seconds / p.batch as f64;
        let width = 30;
        let filled = width * p.batch / p.batches;
        eprint!(
            "\r  [{}{}] {}/{} {:.1} it/s ETA {:.0} s  loss={:.4} acc={:.2}% lr={:.5}",
            "█".repeat(filled),
            " ".repeat(width - filled),
            p.batch,
            p.batches,
            per_batch.recip(),
            per_batch * (p.batches - p.batch) as f64,
            p.loss,
            p.accuracy,
            p.lr,
        );
        let _ = std::io::stderr().flush();
        Control::Continue
    }

    async fn epoch(&mut self, m: &EpochMetrics) -> Control {
        eprintln!();
        println!("{}  ({:.1} s)\n{}", m.seed_log(), m.seconds, "~".repeat(58));
        self.epoch_started = false;
        Control::Continue
    }

    async fn test(&mut self, t: &TestPoint) -> Control {
        // Each epoch's own test is in its log lines; one within the epoch has a line of its own.
        if t.batch < t.batches {
            eprintln!();
            println!("TEST at epoch {}, batch {}/{}: Test Accuracy: {:.2}%  ({:.1} s into the run)", t.epoch, t.batch, t.batches, t.accuracy, t.seconds);
        }
        Control::Continue
    }

    async fn checkpoint(&mut self, run: &Resumable<'_>) -> Result<(), String> {
        match &self.save {
            Some(path) if run.at_epoch_end() => write_whole(path, &run.to_bytes().await?),
            _ => Ok(()),
        }
    }
}

fn print_confusion(e: &Evaluation) {
    println!("confusion matrix (rows: true digit, columns: predicted)");
    print!("     ");
    for c in 0..CLASSES {
        print!("{c:>6}");
    }
    println!();
    for (t, row) in e.confusion.iter().enumerate() {
        print!("{t:>5}");
        for v in row {
            print!("{v:>6}");
        }
        println!();
    }
}

pub fn mnist(args: MnistArgs) -> Result<(), String> {
    let (config, start) = match &args.resume {
        Some(path) => resumed(path)?,
        None => (settings(&args)?, Start::Fresh),
    };
    // An output that cannot be written should fail now, not after the training it would keep.
    for path in [&args.save, &args.json].into_iter().flatten() {
        check_writable(path)?;
    }
    let data = args.data.load()?;
    let plan = Plan::new(&config, &data)?;
    let spec = &plan.spec;
    let compute = args.data.choose(&config)?;
    // A run resumed on the GPU: its weights move there (they were loaded on the CPU).
    let start = match start {
        Start::Exact { model, run } => Start::Exact { model: model.to_device(&compute.device), run },
        other => other,
    };
    println!("{}", spec.summary_table().map_err(|e| e.to_string())?);

    let mut console = Console { epoch_started: false, save: args.save.clone() };
    let run = pollster::block_on(train::train_from(&plan, &compute.device, &mut console, start));
    if console.epoch_started {
        // A run that ended mid-epoch left the progress bar without its newline.
        eprintln!();
    }
    let run = run?;
    if let Some(e) = &run.evaluation {
        print_confusion(e);
        println!("misclassified: {} test images", e.misclassified.len());
    }
    println!("{}", time_to(&run.tests));
    // The weights first: they are the run's work. Each output is tried even if another failed.
    let mut failures = Vec::new();
    if let (Some(path), Outcome::Diverged { .. }) = (&args.save, &run.outcome) {
        // The file holds the last epoch's run; the kept weights replace it, as weights only (a
        // run resumed from them would diverge again).
        let saved = pollster::block_on(checkpoint::to_bytes(spec, &run.model)).and_then(|bytes| write_whole(path, &bytes));
        failures.extend(saved.err());
    }
    if let Some(path) = &args.json {
        let report = serde_json::json!({
            "settings": config,
            "model": spec.name,
            "parameters": spec.num_params().ok(),
            "device": compute.backend,
            "epochs": run.epochs,
            "tests": run.tests,
            "timeTo": MILESTONES.iter().map(|&m| (format!("{m}"), first_reaching(&run.tests, m).map(|t| t.seconds))).collect::<std::collections::BTreeMap<_, _>>(),
            "outcome": run.outcome,
            "final": run.evaluation,
        });
        let written = serde_json::to_string_pretty(&report).map_err(|e| e.to_string()).and_then(|text| write(path, text.as_bytes()));
        failures.extend(written.err());
    }
    failures.extend(run.outcome.message());
    match failures.is_empty() {
        true => Ok(()),
        false => Err(failures.join("; ")),
    }
}

/// When the run's tests first reached each milestone accuracy, in words.
fn time_to(tests: &[TestPoint]) -> String {
    let said: Vec<String> = MILESTONES
        .iter()
        .map(|&m| match first_reaching(tests, m) {
            Some(t) => format!("{m} % after {:.1} s (epoch {:.2})", t.seconds, t.at()),
            None => format!("{m} % not reached"),
        })
        .collect();
    format!("test accuracy: {}", said.join("; "))
}

/// The settings the flags ask for: a recipe or a `--config` file, then the overrides.
fn settings(args: &MnistArgs) -> Result<TrainConfig, String> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_str::<TrainConfig>(&text).map_err(|e| {
                format!("{}: not a training configuration: {}", path.display(), gradbook::names::nearest_name(&e.to_string()))
            })?
        }
        None => TrainConfig::recipe(&args.model)?,
    };
    if let Some(path) = &args.model_file {
        config.model = design(path)?;
    }
    config.epochs = args.epochs.unwrap_or(config.epochs);
    config.batch_size = args.batch.unwrap_or(config.batch_size);
    config.lr = args.lr.unwrap_or(config.lr);
    config.seed = args.seed.unwrap_or(config.seed);
    config.limit_train = args.limit_train.or(config.limit_train);
    config.limit_test = args.limit_test.or(config.limit_test);
    config.workers = args.workers.unwrap_or(config.workers);
    config.check().map_err(|e| e.message)?;
    Ok(config)
}

/// The run saved in `path`, to continue with its own settings.
fn resumed(path: &Path) -> Result<(TrainConfig, Start), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let checkpoint = checkpoint::read(&bytes, None, &burn::tensor::Device::flex()).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(run) = checkpoint.run else {
        return Err(format!(
            "{}: holds weights only (a diverged run's, or saved by an earlier gradbook), not a run to resume",
            path.display()
        ));
    };
    let snapshot = &run.snapshot;
    if snapshot.finished() {
        return Err(format!("{}: this run already finished its {} epochs", path.display(), snapshot.config.epochs));
    }
    eprintln!("gradbook: resuming the {} run at {}", snapshot.config.model, snapshot.describe());
    Ok((snapshot.config.clone(), Start::Exact { model: checkpoint.model, run }))
}

/// Writes `bytes` to `path` whole: to a file beside it, then renamed over it, so a run killed
/// while saving leaves the previous file, never half of one.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    write(&partial, bytes)?;
    std::fs::rename(&partial, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Fails if `path` cannot be written, leaving no file behind that was not there.
fn check_writable(path: &Path) -> Result<(), String> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

pub fn eval(args: EvalArgs) -> Result<(), String> {
    let bytes = std::fs::read(&args.weights).map_err(|e| format!("cannot read {}: {e}", args.weights.display()))?;
    let compute = args.data.inference();
    let (spec, model) = checkpoint::from_bytes(&bytes, args.model.as_deref(), &compute.device)
        .map_err(|e| format!("{}: {e}", args.weights.display()))?;
    let data = args.data.load()?;
    let e = pollster::block_on(evaluate(&model, &data.test, &compute.device))?;
    let params = spec.num_params().map_err(|e| e.to_string())?;
    println!("{} ({params} parameters): test loss {:.4}, test accuracy {:.2}%", spec.name, e.loss, e.accuracy);
    print_confusion(&e);
    Ok(())
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// A recipe whose model, optimizer and loss are timed, or a model name (timed with the
    /// `compact` recipe's optimizer and loss).
    #[arg(long, default_value = "compact")]
    model: String,
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Timed steps (after 10 warm-up steps).
    #[arg(long, default_value_t = 100)]
    steps: usize,
    /// Where to compute: flex (CPU), wgpu (GPU), or auto (time both as `gradbook mnist
    /// --device auto` does before training, and say which it would take).
    #[arg(long, default_value = "flex", value_parser = Preference::from_str)]
    device: Preference,
    /// Write the figures here as JSON (`{"model", "batch", "device", "adapter", "msPerStep",
    /// "kernelsPerStep", "kernels"}`; with auto, the choice and both timings).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also list one step's kernel launches by kernel name (wgpu).
    #[arg(long)]
    kernels: bool,
}

/// Training steps on inputs of MNIST's shape, like bench/pytorch_mnist.py, without augmentation
/// or data loading: what the two frameworks themselves cost.
pub fn bench(args: BenchArgs) -> Result<(), String> {
    let mut config = TrainConfig::recipe(&args.model).or_else(|recipe_error| {
        (args.model.parse::<Architecture>())
            .map(|model| TrainConfig { model: model.into(), ..TrainConfig::compact() })
            .map_err(|model_error| format!("{recipe_error}; {model_error}"))
    })?;
    config.batch_size = args.batch;
    config.check().map_err(|e| e.message)?;
    if let Some(path) = &args.json {
        check_writable(path)?;
    }
    let report = match args.device {
        Preference::Auto => {
            let choice = pollster::block_on(bench::choose(&config, Preference::Auto))?;
            println!("{}", choice.summary);
            choice.timings.iter().for_each(print_timing);
            serde_json::json!({ "choice": choice.summary, "chosen": choice.compute.backend, "timings": choice.timings })
        }
        forced => {
            let compute = pollster::block_on(bench::choose(&config, forced))?.compute;
            // The kernels of 5 steps are counted after the timed ones.
            let steps = Steps { warmup: 10, timed: args.steps, counted: 5 };
            let timing = pollster::block_on(bench::bench(&config, &compute, steps))?;
            print_timing(&timing);
            if args.kernels {
                for (name, per_step) in &timing.kernels {
                    println!("{per_step:>8.1}  {name}");
                }
            }
            serde_json::to_value(&timing).map_err(|e| e.to_string())?
        }
    };
    if let Some(path) = &args.json {
        write(path, serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?.as_bytes())?;
    }
    Ok(())
}

fn print_timing(t: &bench::StepTiming) {
    let on = match &t.adapter {
        Some(a) => format!("{:?} ({}, {})", t.device, a.describe(), a.api),
        None => format!("{:?}", t.device),
    };
    let kernels = t.kernels_per_step.map(|k| format!(", {k:.0} kernels/step")).unwrap_or_default();
    println!(
        "gradbook {} {} batch {} on {on}: {:.2} ms/step{kernels}, {:.1} s/epoch (training steps only)",
        env!("CARGO_PKG_VERSION"),
        t.model,
        t.batch,
        t.ms_per_step,
        t.ms_per_step / 1000.0 * (60_000.0 / t.batch as f64)
    );
}
