//! The training engine, shared by the CLI and the browser: async (every readback is awaited,
//! as WebGPU requires), reporting through an [`Observer`] that can stop the run between
//! batches. The running loss and accuracy accumulate on the device and are read back only
//! every `report_every` batches, so the device is not stalled every step.

use std::future::Future;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{activation::log_softmax, Device, Int, Tensor, TensorData};

use super::augment::{self, Params};
use super::checkpoint::SavedRun;
use super::config::TrainConfig;
use super::data::{Mnist, Split, CLASSES, MEAN, SIDE, STD};
use super::model::{Layer, ModelSpec, Net};
use super::optimizer::Optimizer;
use super::rng::Rng;
use super::snapshot::{Resumable, Sums};

pub use super::report::{EpochMetrics, Evaluation, Kept, Outcome, Progress, RunResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

/// What the engine tells its caller. Returning [`Control::Stop`] ends the run after the
/// current batch; an async observer can also pause (the browser awaits a resume there). Both
/// default to carrying on, so an observer writes only what it watches.
pub trait Observer {
    fn progress(&mut self, _progress: &Progress) -> impl Future<Output = Control> {
        async { Control::Continue }
    }
    /// After each epoch's test.
    fn epoch(&mut self, _metrics: &EpochMetrics) -> impl Future<Output = Control> {
        async { Control::Continue }
    }
    /// After every report and every epoch: the run as it stands, for the observer to save when
    /// it chooses ([`Resumable::to_bytes`] reads the weights and the optimizer back, which
    /// costs a little). Its time, like the observer's other calls, counts as no epoch's.
    fn checkpoint(&mut self, _run: &Resumable<'_>) -> impl Future<Output = Result<(), String>> {
        async { Ok(()) }
    }
}

/// Where a run begins. The models are loaded on the run's device, e.g. by
/// [`super::checkpoint::read`].
pub enum Start {
    Fresh,
    /// From weights alone (a file saved before runs could be resumed exactly), after
    /// `epochs_done` epochs: the schedule picks up there; the optimizer's momentum and the
    /// data order start afresh.
    Weights { model: Net, epochs_done: usize },
    /// From a run saved by [`Observer::checkpoint`]: it continues as if it had never stopped.
    Exact { model: Net, run: SavedRun },
}

impl Start {
    /// How a file from [`super::checkpoint::read`] resumes a run with `epochs_done` finished
    /// epochs: exactly if it holds its run, else from its weights, with a note saying so.
    pub fn from_checkpoint(checkpoint: super::checkpoint::Checkpoint, epochs_done: usize) -> (Start, Option<String>) {
        match checkpoint.run {
            Some(run) => (Start::Exact { model: checkpoint.model, run }, None),
            None => (
                Start::Weights { model: checkpoint.model, epochs_done },
                Some(format!(
                    "this checkpoint holds weights only (saved by an earlier gradbook): its optimizer state is \
                     missing, so the momentum starts again from zero at epoch {}",
                    epochs_done + 1
                )),
            ),
        }
    }
}

/// The seed of the device's generator (dropout) before optimizer step `step`: each step's
/// masks depend only on the run's seed and the step, so a resumed run draws the same ones.
/// Step 0 keeps the run's own seed, which also initialises the weights.
fn step_seed(seed: u64, step: usize) -> u64 {
    Rng::new(seed ^ (step as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)).next_u64()
}

/// The weights a diverging run falls back to: the latest known to give a finite loss that
/// also evaluate to one.
///
/// A report that finds the loss finite vouches for the weights that computed those losses,
/// not for the update after its last batch: the newest snapshot (taken at the last good report)
/// trains the first batch of the next window, whose loss is in the sum that blew up. The one
/// before it trained a batch of the last good window. Weights can still be finite but huge by
/// then (batch norm's batch statistics tame them in training, its running ones do not in
/// evaluation), so each candidate is evaluated: that snapshot, then the end of the last finished
/// epoch, then the run's starting weights.
///
/// Snapshots are taken with [`Module::valid`], never `clone`: a clone shares the batch norms'
/// running statistics (an `Arc`) with the live model, which updates them in place, so the
/// blow-up would reach the kept copy too.
#[derive(Default)]
struct Fallback {
    newest: Option<(Kept, Net)>,
    vouched: Option<(Kept, Net)>,
    epoch: Option<(Kept, Net)>,
}

impl Fallback {
    /// After a report whose loss was finite.
    fn keep(&mut self, epoch: usize, batch: usize, model: &Net) {
        self.vouched = self.newest.replace((Kept::Batch { epoch, batch }, model.valid()));
    }

    /// After an epoch's test.
    fn keep_epoch(&mut self, epoch: usize, model: &Net) {
        self.epoch = Some((Kept::Epoch { epoch }, model.valid()));
    }

    /// The first candidate whose values are finite and whose test loss is too.
    async fn choose(self, start: Net, test: &Split, device: &Device) -> Result<(Kept, Net, Evaluation), String> {
        for (kept, model) in [self.vouched, self.epoch].into_iter().flatten() {
            if super::checkpoint::all_finite(&model).await? {
                let evaluation = evaluate(&model, test, device).await?;
                if evaluation.loss.is_finite() {
                    return Ok((kept, model, evaluation));
                }
            }
        }
        let evaluation = evaluate(&start, test, device).await?;
        Ok((Kept::Start, start, evaluation))
    }
}

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
struct Clock {
    started: f64,
    excluded: f64,
}

impl Clock {
    fn started(seconds_before: f64) -> Self {
        Clock { started: now_ms() - seconds_before * 1000.0, excluded: 0.0 }
    }

    fn seconds(&self) -> f64 {
        (now_ms() - self.started - self.excluded) / 1000.0
    }

    /// Awaits `call`, its time counted as no epoch's.
    async fn outside<T>(&mut self, call: impl Future<Output = T>) -> T {
        let before = now_ms();
        let result = call.await;
        self.excluded += now_ms() - before;
        result
    }
}

/// The model spec a config trains (its dropout switched off when the config says so).
pub fn spec_for(config: &TrainConfig) -> Result<ModelSpec, String> {
    let mut spec = ModelSpec::by_name(&config.model)?;
    if !config.dropout {
        for layer in &mut spec.layers {
            if let Layer::Dropout(p) = layer {
                *p = 0.0;
            }
        }
    }
    Ok(spec)
}

/// One optimisation step at a time: the model, its optimizer state and the loss settings.
pub struct Stepper {
    pub model: Net,
    pub optimizer: Optimizer,
    label_smoothing: f64,
    /// The weights before the first update, taken after the first forward pass: burn creates
    /// parameters lazily on first read, in the order the forward pass reads them, and a copy
    /// taken earlier would read them in another order and change which random draws each gets.
    pub initial: Option<Net>,
}

impl Stepper {
    pub fn new(model: Net, config: &TrainConfig) -> Self {
        Self::with_optimizer(model, Optimizer::new(config.optimizer), config)
    }

    /// Continuing with `optimizer`'s state (a resumed run).
    pub fn with_optimizer(model: Net, optimizer: Optimizer, config: &TrainConfig) -> Self {
        Stepper { model, optimizer, label_smoothing: config.label_smoothing, initial: None }
    }

    /// Forward, loss, backward and update on normalised images `x` (on the autodiff device).
    /// Returns the batch's mean loss and its number of correct predictions, both `[1]` and
    /// still on the device.
    pub fn step(&mut self, x: Tensor<4>, y: Tensor<1, Int>, lr: f64) -> (Tensor<1>, Tensor<1>) {
        let n = y.dims()[0];
        let logits = self.model.forward(x);
        if self.initial.is_none() {
            self.initial = Some(self.model.valid());
        }
        let hits = logits.clone().argmax(1).reshape([n]).equal(y.clone()).float().sum();
        let mean = loss(logits, y, self.label_smoothing).mean();
        let grads = GradientsParams::from_grads(mean.clone().backward(), &self.model);
        self.model = self.optimizer.step(lr, self.model.clone(), grads);
        (mean.inner(), hits.inner())
    }
}

/// The images at `indices` as `[B, 1, 28, 28]` floats in [0, 1], and their labels.
pub fn batch(split: &Split, indices: &[usize], device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
    let (pixels, labels) = split.gather(indices);
    let b = indices.len();
    let x = Tensor::<4>::from_data(
        TensorData::new(pixels.into_iter().map(f32::from).collect::<Vec<_>>(), [b, 1, SIDE, SIDE]),
        device,
    )
    .div_scalar(255.0);
    let y = Tensor::<1, Int>::from_data(TensorData::new(labels.into_iter().map(i64::from).collect::<Vec<_>>(), [b]), device);
    (x, y)
}

pub fn normalise(x: Tensor<4>) -> Tensor<4> {
    x.sub_scalar(MEAN).div_scalar(STD)
}

/// Cross-entropy on log-softmax, with label smoothing ε: (1-ε)·NLL + ε·mean over classes of -log p.
/// Returns the per-image losses `[B]`.
pub fn loss(logits: Tensor<2>, targets: Tensor<1, Int>, smoothing: f64) -> Tensor<1> {
    let b = targets.dims()[0];
    let logp = log_softmax(logits, 1);
    let nll = logp.clone().gather(1, targets.reshape([b, 1])).neg().reshape([b]);
    if smoothing == 0.0 {
        return nll;
    }
    let uniform = logp.mean_dim(1).neg().reshape([b]);
    nll.mul_scalar(1.0 - smoothing) + uniform.mul_scalar(smoothing)
}

/// `t`'s values on the host, read back asynchronously (the only way WebGPU allows), as `E`.
pub(crate) async fn read_back<E: burn::tensor::Element>(t: Tensor<1>) -> Result<Vec<E>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading back from the device failed: {e:?}"))?;
    data.convert::<E>().try_into_vec::<E>().map_err(|e| format!("unexpected data: {e:?}"))
}

/// Test-set accuracy, loss, confusion matrix and mistakes, in batches of 1000.
pub async fn evaluate(model: &Net, split: &Split, device: &Device) -> Result<Evaluation, String> {
    let model = model.valid();
    let mut confusion = [[0u32; CLASSES]; CLASSES];
    let mut misclassified = Vec::new();
    let mut loss_sum = 0.0;
    let n = split.len();
    for start in (0..n).step_by(1000) {
        let indices: Vec<usize> = (start..(start + 1000).min(n)).collect();
        let (x, y) = batch(split, &indices, device);
        let logits = model.forward(normalise(x));
        let losses = loss(logits.clone(), y, 0.0).sum();
        let predicted = logits.argmax(1).reshape([indices.len()]).float();
        let values = read_back::<f64>(Tensor::cat(vec![losses, predicted], 0)).await?;
        loss_sum += values[0];
        for (k, &i) in indices.iter().enumerate() {
            let (truth, guess) = (split.labels[i] as usize, values[1 + k] as usize);
            confusion[truth][guess.min(CLASSES - 1)] += 1;
            if truth != guess {
                misclassified.push(i as u32);
            }
        }
    }
    let correct: u32 = (0..CLASSES).map(|c| confusion[c][c]).sum();
    Ok(Evaluation {
        loss: loss_sum / n as f64,
        accuracy: 100.0 * correct as f64 / n as f64,
        confusion,
        misclassified,
    })
}

/// Trains `config` on `data` on `device` (autodiff is enabled here). Stops early when the
/// observer says so or the loss diverges, keeping the last good weights either way.
pub async fn train(config: &TrainConfig, data: &Mnist, device: &Device, observer: &mut impl Observer) -> Result<RunResult, String> {
    train_from(config, data, device, observer, Start::Fresh).await
}

/// [`train`], beginning at `start`.
pub async fn train_from(
    config: &TrainConfig,
    data: &Mnist,
    device: &Device,
    observer: &mut impl Observer,
    start: Start,
) -> Result<RunResult, String> {
    config.validate()?;
    let train_split = data.train.first(config.limit_train);
    let test_split = data.test.first(config.limit_test);
    if train_split.is_empty() || test_split.is_empty() {
        return Err("no training or test images".into());
    }

    let spec = spec_for(config)?;
    let ad = device.clone().autodiff();
    ad.seed(config.seed);
    let per_epoch = train_split.len().div_ceil(config.batch_size);
    let total = per_epoch * config.epochs;
    // A loaded model goes back onto the autodiff graph as trainable parameters, with this
    // run's dropout, not the architecture's.
    let trainable = |model: Net| model.valid().train().with_dropout_of(&spec);
    let finished = || format!("this run already finished its {} epochs", config.epochs);
    // Where the loop begins: the epoch, the batches of it already done, the generator as that
    // epoch began and as it is now, the epoch's sums so far, and the finished epochs.
    let (mut stepper, first_epoch, first_batch, (first_epoch_rng, first_rng), mut sums, mut epochs) = match start {
        Start::Fresh => (Stepper::new(spec.init(&ad), config), 1, 0, (config.seed, config.seed), Sums::default(), Vec::new()),
        Start::Weights { model, epochs_done } => {
            if epochs_done >= config.epochs {
                return Err(finished());
            }
            // A different but still reproducible shuffle and augmentation.
            let rng = config.seed.wrapping_add(epochs_done as u64);
            (Stepper::new(trainable(model), config), epochs_done + 1, 0, (rng, rng), Sums::default(), Vec::new())
        }
        Start::Exact { model, run } => {
            let s = run.snapshot;
            if s.config != *config {
                return Err("the checkpoint was saved by a run with other settings".into());
            }
            if s.finished() {
                return Err(finished());
            }
            if s.epoch == 0 || s.batch >= per_epoch || s.epochs.len() + 1 != s.epoch {
                return Err("the checkpoint's place in its run is damaged".into());
            }
            let model = trainable(model);
            let optimizer = Optimizer::load(&s.optimizer, &run.optimizer, &model, &ad)?;
            let stepper = Stepper::with_optimizer(model, optimizer, config);
            (stepper, s.epoch, s.batch, (s.epoch_rng, s.rng), s.sums, s.epochs)
        }
    };
    let mut rng = Rng::new(first_rng);
    let mut fallback = Fallback::default();
    let mut lr = config.lr;
    let mut final_evaluation = None;
    let mut outcome = Outcome::Completed;

    for epoch in first_epoch..=config.epochs {
        let resumed = epoch == first_epoch && first_batch > 0;
        // The epoch's order comes first from the generator; a resumed epoch redraws it from
        // the state saved as the epoch began, then carries on from the saved current state.
        let epoch_rng = if resumed { first_epoch_rng } else { rng.state() };
        let order = {
            let mut r = Rng::new(epoch_rng);
            let order = r.permutation(train_split.len());
            if !resumed {
                rng = r;
            }
            order
        };
        if !resumed {
            sums = Sums::default();
        }
        // Running sums, kept on the device until read back.
        let mut loss_sum = Tensor::<1>::from_data(TensorData::new(vec![sums.loss as f32], [1]), device);
        let mut correct = Tensor::<1>::from_data(TensorData::new(vec![sums.correct as f32], [1]), device);
        // Training time only: the observer's calls (a paused page waits in one) are left out.
        let mut clock = Clock::started(sums.seconds);
        // The last `clean_epochs` epochs see the images as they are.
        let augment = !config.augment.is_identity() && epoch + config.clean_epochs <= config.epochs;
        let skip = if resumed { first_batch } else { 0 };

        for (b, indices) in order.chunks(config.batch_size).enumerate().skip(skip) {
            let step = (epoch - 1) * per_epoch + b;
            if step > 0 {
                ad.seed(step_seed(config.seed, step));
            }
            lr = config.schedule.lr(config.lr, step, per_epoch, total);
            let (x, y) = batch(&train_split, indices, &ad);
            let x = if augment {
                let params: Vec<Params> = indices.iter().map(|_| config.augment.draw(&mut rng)).collect();
                augment::apply(x, &params, config.augment.interpolation)
            } else {
                x
            };
            let n = indices.len();
            let (mean, hits) = stepper.step(normalise(x), y, lr);
            loss_sum = loss_sum + mean.mul_scalar(n as f64);
            correct = correct + hits;
            sums.seen += n;

            let last = b + 1 == per_epoch;
            if (b + 1) % config.report_every == 0 || last {
                let v = read_back::<f64>(Tensor::cat(vec![loss_sum.clone(), correct.clone()], 0)).await?;
                (sums.loss, sums.correct) = (v[0], v[1]);
                if !sums.loss.is_finite() {
                    let start = stepper.initial.take().unwrap_or_else(|| stepper.model.valid());
                    let (kept, model, evaluation) = fallback.choose(start, &test_split, device).await?;
                    let outcome = Outcome::Diverged { epoch, batch: b + 1, kept };
                    return Ok(RunResult { epochs, model, evaluation: Some(evaluation), outcome });
                }
                fallback.keep(epoch, b + 1, &stepper.model);
                let seconds = clock.seconds();
                let progress = Progress {
                    epoch,
                    epochs: config.epochs,
                    batch: b + 1,
                    batches: per_epoch,
                    loss: sums.loss / sums.seen as f64,
                    recent_loss: (sums.loss - sums.loss_before) / (sums.seen - sums.seen_before) as f64,
                    accuracy: 100.0 * sums.correct / sums.seen as f64,
                    lr,
                    images_per_second: sums.seen as f64 / seconds.max(1e-9),
                    seconds,
                };
                (sums.seen_before, sums.loss_before) = (sums.seen, sums.loss);
                sums.seconds = seconds;
                let control = clock.outside(observer.progress(&progress)).await;
                if !last {
                    let run = Resumable::new(&spec, &stepper, config, &epochs, (epoch, b + 1), (epoch_rng, rng.state()), sums);
                    clock.outside(observer.checkpoint(&run)).await?;
                }
                if control == Control::Stop {
                    let model = stepper.model.valid();
                    let evaluation = evaluate(&model, &test_split, device).await.ok();
                    return Ok(RunResult { epochs, model, evaluation, outcome: Outcome::Stopped { epoch, batch: b + 1 } });
                }
            }
        }

        let evaluation = evaluate(&stepper.model, &test_split, device).await?;
        let metrics = EpochMetrics {
            epoch,
            train_loss: sums.loss / sums.seen as f64,
            train_accuracy: 100.0 * sums.correct / sums.seen as f64,
            test_loss: evaluation.loss,
            test_accuracy: evaluation.accuracy,
            lr,
            seconds: clock.seconds(),
        };
        epochs.push(metrics.clone());
        final_evaluation = Some(evaluation);
        fallback.keep_epoch(epoch, &stepper.model);
        let control = observer.epoch(&metrics).await;
        let next = (rng.state(), rng.state());
        let run = Resumable::new(&spec, &stepper, config, &epochs, (epoch + 1, 0), next, Sums::default());
        observer.checkpoint(&run).await?;
        if control == Control::Stop && epoch < config.epochs {
            outcome = Outcome::Stopped { epoch, batch: per_epoch };
            break;
        }
    }
    Ok(RunResult { epochs, model: stepper.model.valid(), evaluation: final_evaluation, outcome })
}
