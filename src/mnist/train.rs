//! The training loop, shared by the CLI and the browser: async (every readback is awaited,
//! as WebGPU requires), reporting through an [`Observer`] that can stop the run between
//! batches. The running loss and accuracy accumulate on the device and are read back only
//! every `report_every` batches, so the device is not stalled every step.
//!
//! What the loop uses lives beside it: [`super::plan`] (the settings worked out), [`super::step`]
//! (one optimisation step), [`super::evaluate`], [`super::fallback`] (the weights a diverging
//! run keeps), [`super::snapshot`] (a run saved between two batches), [`super::report`].

use std::future::Future;

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};

use super::augment::{self, Params};
use super::average::Average;
use super::checkpoint::{Checkpoint, SavedRun};
use super::clock::Clock;
use super::config::TrainConfig;
use super::data::Mnist;
use super::evaluate::evaluate;
use super::fallback::Fallback;
use super::layers::{kernels, Kernels};
use super::net::Net;
use super::optimizer::Optimizer;
use super::parallel::{DataParallel, Helpers, NoHelpers};
use super::plan::Plan;
use super::report::{EpochMetrics, Evaluation, Outcome, Progress, RunResult, TestPoint};
use super::rng::Rng;
use super::snapshot::{History, Resumable, Sums};
use super::step::{step_seed, Stepper};
use super::tensors::{batch, normalise, read_back};

pub use crate::control::Control;

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
    /// After every test, each epoch's (before [`Observer::epoch`]) and any within the last epoch.
    fn test(&mut self, _test: &TestPoint) -> impl Future<Output = Control> {
        async { Control::Continue }
    }
    /// After every step that no report follows: where a step is long, a stop (or pause) need
    /// not wait for the next report. Cheap to call; the observer decides how often to look.
    fn between(&mut self) -> impl Future<Output = Control> {
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
    pub fn from_checkpoint(checkpoint: Checkpoint, epochs_done: usize) -> (Start, Option<String>) {
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

    /// The loop's state where this start puts it, on the autodiff device `ad`.
    fn state(self, plan: &Plan, ad: &Device) -> Result<State, String> {
        let config = &plan.config;
        let finished = || format!("this run already finished its {} epochs", config.epochs);
        // A loaded model goes back onto the autodiff graph as trainable parameters, with this
        // run's dropout, not the architecture's.
        let trainable = |model: Net| model.valid().train().with_dropout_of(&plan.spec);
        match self {
            Start::Fresh => Ok(State {
                stepper: Stepper::new(plan.spec.init(ad).map_err(|e| e.to_string())?, config),
                epoch: 1,
                batch: 0,
                epoch_rng: config.seed,
                rng: config.seed,
                sums: Sums::default(),
                history: History::default(),
            }),
            Start::Weights { model, epochs_done } => {
                if epochs_done >= config.epochs {
                    return Err(finished());
                }
                // A different but still reproducible shuffle and augmentation.
                let rng = config.seed.wrapping_add(epochs_done as u64);
                Ok(State {
                    stepper: Stepper::new(trainable(model), config),
                    epoch: epochs_done + 1,
                    batch: 0,
                    epoch_rng: rng,
                    rng,
                    sums: Sums::default(),
                    history: History::default(),
                })
            }
            Start::Exact { model, run } => {
                let s = run.snapshot;
                if s.config != *config {
                    return Err("the checkpoint was saved by a run with other settings".into());
                }
                if s.finished() {
                    return Err(finished());
                }
                if s.epoch == 0 || s.batch >= plan.per_epoch || s.epochs.len() + 1 != s.epoch {
                    return Err("the checkpoint's place in its run is damaged".into());
                }
                let model = trainable(model);
                let optimizer = Optimizer::load(&s.optimizer, &run.optimizer, &model, ad)?;
                let mut stepper = Stepper::with_optimizer(model, optimizer, config);
                stepper.average = (s.averaged > 0).then(|| Average::load(s.averaged, run.average, ad));
                Ok(State {
                    stepper,
                    epoch: s.epoch,
                    batch: s.batch,
                    epoch_rng: s.epoch_rng,
                    rng: s.rng,
                    sums: s.sums,
                    history: History { epochs: s.epochs, tests: s.tests },
                })
            }
        }
    }
}

/// Where the loop begins: the epoch, the batches of it already done, the generator as that
/// epoch began and as it is now, the epoch's sums so far, and the finished epochs.
struct State {
    stepper: Stepper,
    epoch: usize,
    batch: usize,
    epoch_rng: u64,
    rng: u64,
    sums: Sums,
    history: History,
}

/// Why the loop ended, before the weights to keep are chosen.
enum End {
    Completed,
    Stopped { epoch: usize, batch: usize },
    Diverged { epoch: usize, batch: usize },
}

/// Trains `config` on `data` on `device` (autodiff is enabled here). Stops early when the
/// observer says so or the loss diverges, keeping the last good weights either way.
pub async fn train(config: &TrainConfig, data: &Mnist, device: &Device, observer: &mut impl Observer) -> Result<RunResult, String> {
    train_from(&Plan::new(config, data)?, device, observer, Start::Fresh).await
}

/// Runs `plan`, beginning at `start`; a run with several workers computes each of their slices
/// here, one after another.
pub async fn train_from(plan: &Plan<'_>, device: &Device, observer: &mut impl Observer, start: Start) -> Result<RunResult, String> {
    train_with(plan, device, observer, start, &mut NoHelpers).await
}

/// [`train_from`], with `helpers` computing slices of each batch beside this thread when the
/// run has several workers and trains on the CPU (`super::parallel`).
pub async fn train_with(
    plan: &Plan<'_>,
    device: &Device,
    observer: &mut impl Observer,
    start: Start,
    helpers: &mut impl Helpers,
) -> Result<RunResult, String> {
    let config = &plan.config;
    let ad = device.clone().autodiff();
    ad.seed(config.seed);
    let State { mut stepper, epoch: first_epoch, batch: first_batch, epoch_rng: first_epoch_rng, rng, mut sums, mut history } =
        start.state(plan, &ad)?;
    // Several workers share each batch on the CPU; on the GPU one device takes it whole.
    let mut parallel = match config.workers > 1 && kernels(device) == Kernels::Cpu {
        true => {
            stepper.initialise(&ad);
            Some(DataParallel::new(config, device, helpers).await?)
        }
        false => None,
    };
    let mut rng = Rng::new(rng);
    let mut fallback = Fallback::default();
    let mut lr = config.lr;
    let mut last_evaluation = None;
    let mut end = End::Completed;
    // The step from which the weights are averaged (none: past the run's end).
    let averaged = (config.average_last * plan.total as f64).round() as usize;
    let average_from = if averaged > 0 { plan.total - averaged } else { usize::MAX };
    // Where the last epoch is tested besides its end: evenly spaced batches.
    let extra = config.last_epoch_tests;
    let within_last: Vec<usize> = (1..=extra).map(|k| k * plan.per_epoch / (extra + 1)).filter(|&b| b > 0 && b < plan.per_epoch).collect();

    'run: for epoch in first_epoch..=config.epochs {
        let resumed = epoch == first_epoch && first_batch > 0;
        // The epoch's order comes first from the generator; a resumed epoch redraws it from
        // the state saved as the epoch began, then carries on from the saved current state.
        let epoch_rng = if resumed { first_epoch_rng } else { rng.state() };
        let order = {
            let mut r = Rng::new(epoch_rng);
            let order = r.permutation(plan.train.len());
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
            let step = (epoch - 1) * plan.per_epoch + b;
            if step > 0 {
                ad.seed(step_seed(config.seed, step));
            }
            lr = plan.lr(step);
            let params: Vec<Params> = match augment {
                true => indices.iter().map(|_| config.augment.draw(&mut rng)).collect(),
                false => Vec::new(),
            };
            let n = indices.len();
            match &mut parallel {
                None => {
                    let (x, y) = batch(&plan.train, indices, &ad);
                    let x = if augment { augment::apply(x, &params, config.augment.interpolation) } else { x };
                    let (mean, hits) = stepper.step(normalise(x), y, lr);
                    loss_sum = loss_sum + mean.mul_scalar(n as f64);
                    correct = correct + hits;
                }
                Some(parallel) => {
                    let slices = parallel.split(&plan.train, indices, &params, config.seed, step);
                    let combined = parallel.step(&stepper.model, slices).await?;
                    stepper.apply(&combined, lr)?;
                    loss_sum = loss_sum + Tensor::from_data(TensorData::new(vec![combined.loss as f32], [1]), device);
                    correct = correct + Tensor::from_data(TensorData::new(vec![combined.correct as f32], [1]), device);
                }
            }
            sums.seen += n;
            if step >= average_from {
                stepper.average_in();
            }

            // A test within the last epoch comes before the report, so the checkpoint after it
            // holds it.
            if epoch == config.epochs && within_last.contains(&(b + 1)) {
                let evaluation = test(&stepper.kept().await?, &mut parallel, plan, device).await?;
                let point = TestPoint {
                    epoch,
                    batch: b + 1,
                    batches: plan.per_epoch,
                    seconds: history.seconds() + clock.seconds(),
                    accuracy: evaluation.accuracy,
                    loss: evaluation.loss,
                };
                history.tests.push(point.clone());
                if clock.outside(observer.test(&point)).await == Control::Stop {
                    last_evaluation = Some(evaluation);
                    end = End::Stopped { epoch, batch: b + 1 };
                    break 'run;
                }
            }
            let last = b + 1 == plan.per_epoch;
            let report = (b + 1) % config.report_every == 0 || last;
            if !report && clock.outside(observer.between()).await == Control::Stop {
                last_evaluation = None;
                end = End::Stopped { epoch, batch: b + 1 };
                break 'run;
            }
            if report {
                let v = read_back::<f64>(Tensor::cat(vec![loss_sum.clone(), correct.clone()], 0)).await?;
                (sums.loss, sums.correct) = (v[0], v[1]);
                if !sums.loss.is_finite() {
                    end = End::Diverged { epoch, batch: b + 1 };
                    break 'run;
                }
                fallback.keep(epoch, b + 1, &stepper.model);
                let seconds = clock.seconds();
                let progress = Progress {
                    epoch,
                    epochs: config.epochs,
                    batch: b + 1,
                    batches: plan.per_epoch,
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
                    let run = Resumable::new(plan, &stepper, &history, (epoch, b + 1), (epoch_rng, rng.state()), sums);
                    clock.outside(observer.checkpoint(&run)).await?;
                }
                if control == Control::Stop {
                    // These weights have no test yet: the previous epoch's is not theirs.
                    last_evaluation = None;
                    end = End::Stopped { epoch, batch: b + 1 };
                    break 'run;
                }
            }
        }

        let evaluation = test(&stepper.kept().await?, &mut parallel, plan, device).await?;
        let seconds = clock.seconds();
        let point = TestPoint {
            epoch,
            batch: plan.per_epoch,
            batches: plan.per_epoch,
            seconds: history.seconds() + seconds,
            accuracy: evaluation.accuracy,
            loss: evaluation.loss,
        };
        history.tests.push(point.clone());
        let control = clock.outside(observer.test(&point)).await;
        let metrics = EpochMetrics {
            epoch,
            train_loss: sums.loss / sums.seen as f64,
            train_accuracy: 100.0 * sums.correct / sums.seen as f64,
            test_loss: evaluation.loss,
            test_accuracy: evaluation.accuracy,
            lr,
            seconds,
        };
        history.epochs.push(metrics.clone());
        last_evaluation = Some(evaluation);
        fallback.keep_epoch(epoch, &stepper.model);
        let control = control.and(observer.epoch(&metrics).await);
        let next = (rng.state(), rng.state());
        let run = Resumable::new(plan, &stepper, &history, (epoch + 1, 0), next, Sums::default());
        observer.checkpoint(&run).await?;
        if control == Control::Stop && epoch < config.epochs {
            end = End::Stopped { epoch, batch: plan.per_epoch };
            break;
        }
    }

    // The one exit: the weights to keep and their test, by how the loop ended.
    let (model, evaluation, outcome) = match end {
        End::Completed => (stepper.kept().await?, last_evaluation, Outcome::Completed),
        End::Stopped { epoch, batch } => {
            let model = stepper.kept().await?;
            // Stopped after an epoch's test, that test stands; else the weights are tested now
            // (and a failing test does not undo the stop).
            let evaluation = match last_evaluation {
                Some(e) => Some(e),
                None => evaluate(&model, &plan.test, device).await.ok(),
            };
            (model, evaluation, Outcome::Stopped { epoch, batch })
        }
        End::Diverged { epoch, batch } => {
            let start = stepper.initial.take().unwrap_or_else(|| stepper.model.valid());
            let (kept, model, evaluation) = fallback.choose(start, &plan.test, device).await?;
            (model, Some(evaluation), Outcome::Diverged { epoch, batch, kept })
        }
    };
    Ok(RunResult { epochs: history.epochs, tests: history.tests, model, evaluation, outcome })
}

/// The model on the test images: shared between the replicas when the run has them.
async fn test(model: &Net, parallel: &mut Option<DataParallel<'_, impl Helpers>>, plan: &Plan<'_>, device: &Device) -> Result<Evaluation, String> {
    match parallel {
        None => evaluate(model, &plan.test, device).await,
        Some(parallel) => parallel.test(model, &plan.test).await,
    }
}
