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

use crate::mnist::data::augment::{self, Params};
use super::average::Average;
use super::checkpoint::{Checkpoint, SavedRun};
use crate::clock::Clock;
use super::config::TrainConfig;
use crate::mnist::data::Mnist;
use super::evaluate::evaluate;
use super::fallback::Fallback;
use crate::mnist::kernels::{kernels, Kernels};
use crate::mnist::model::net::Net;
use super::optimizer::Optimizer;
use super::parallel::{DataParallel, Helpers, NoHelpers};
use super::plan::Plan;
use super::report::{EpochMetrics, Evaluation, Outcome, Progress, RunResult, TestPoint};
use crate::mnist::data::rng::Rng;
use super::resumable::Resumable;
use super::snapshot::{History, RunPosition, Sums};
use super::step::Stepper;
use crate::mnist::data::rng::step_seed;
use crate::mnist::data::tensors::{batch, normalise, read_back};

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
                position: RunPosition::epoch_start(1, config.seed),
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
                    position: RunPosition::epoch_start(epochs_done + 1, rng),
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
                let at = s.position;
                if at.epoch == 0 || at.batch >= plan.per_epoch || s.epochs.len() + 1 != at.epoch {
                    return Err("the checkpoint's place in its run is damaged".into());
                }
                let model = trainable(model);
                let optimizer = Optimizer::load(&s.optimizer, &run.optimizer, &model, ad)?;
                let mut stepper = Stepper::with_optimizer(model, optimizer, config);
                stepper.average = (s.averaged > 0).then(|| Average::load(s.averaged, run.average, ad));
                Ok(State { stepper, position: at, history: History { epochs: s.epochs, tests: s.tests } })
            }
        }
    }
}

/// Where the loop begins: the model and its optimizer, the place in the run, the finished
/// epochs.
struct State {
    stepper: Stepper,
    position: RunPosition,
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
    let ad = device.clone().autodiff();
    ad.seed(plan.config.seed);
    let State { stepper, position, history } = start.state(plan, &ad)?;
    let mut run = Run::new(plan, device, ad, stepper, history, position.rng, helpers).await?;
    let end = run.epochs(position, observer).await?;
    run.finish(end).await
}

/// The loop's working state between two batches, beside the [`RunPosition`] it passes along.
struct Run<'a, 'h, H: Helpers> {
    plan: &'a Plan<'a>,
    device: &'a Device,
    /// `device` with autodiff, reseeded every step (dropout's masks).
    ad: Device,
    stepper: Stepper,
    history: History,
    /// The helpers sharing each batch, when the run has several workers on the CPU.
    parallel: Option<DataParallel<'h, H>>,
    /// The shuffle-and-augmentation generator as it is now.
    rng: Rng,
    fallback: Fallback,
    /// The last step's learning rate.
    lr: f64,
    /// The last test, while it is of the weights the loop holds.
    tested: Option<Evaluation>,
    /// The step from which the weights are averaged (none: past the run's end).
    average_from: usize,
    /// The batches of the last epoch after which it is tested too: evenly spaced.
    within_last: Vec<usize>,
}

/// An epoch's loss and hits so far, summed on the device: read back only by a report.
struct Totals {
    loss: Tensor<1>,
    correct: Tensor<1>,
}

impl Totals {
    fn from(sums: &Sums, device: &Device) -> Self {
        let scalar = |v: f64| Tensor::<1>::from_data(TensorData::new(vec![v as f32], [1]), device);
        Totals { loss: scalar(sums.loss), correct: scalar(sums.correct) }
    }
}

impl<'a, 'h, H: Helpers> Run<'a, 'h, H> {
    async fn new(
        plan: &'a Plan<'a>,
        device: &'a Device,
        ad: Device,
        mut stepper: Stepper,
        history: History,
        rng: u64,
        helpers: &'h mut H,
    ) -> Result<Self, String> {
        let config = &plan.config;
        // Several workers share each batch on the CPU; on the GPU one device takes it whole.
        let parallel = match config.workers > 1 && kernels(device) == Kernels::Cpu {
            true => {
                stepper.initialise(&ad);
                Some(DataParallel::new(config, device, helpers).await?)
            }
            false => None,
        };
        let averaged = (config.average_last * plan.total as f64).round() as usize;
        let extra = config.last_epoch_tests;
        Ok(Run {
            plan,
            device,
            ad,
            stepper,
            history,
            parallel,
            rng: Rng::new(rng),
            fallback: Fallback::default(),
            lr: config.lr,
            tested: None,
            average_from: if averaged > 0 { plan.total - averaged } else { usize::MAX },
            within_last: (1..=extra).map(|k| k * plan.per_epoch / (extra + 1)).filter(|&b| b > 0 && b < plan.per_epoch).collect(),
        })
    }

    /// Every epoch from `from` on (a resumed one from its saved batch); how the loop ended.
    async fn epochs(&mut self, from: RunPosition, observer: &mut impl Observer) -> Result<End, String> {
        for epoch in from.epoch..=self.plan.config.epochs {
            let at = match epoch == from.epoch && from.batch > 0 {
                true => from,
                false => RunPosition::epoch_start(epoch, self.rng.state()),
            };
            if let Some(end) = self.epoch(at, observer).await? {
                return Ok(end);
            }
        }
        Ok(End::Completed)
    }

    /// One epoch from `at`: its batches, reports and tests; `Some` when the run ends in it.
    async fn epoch(&mut self, mut at: RunPosition, observer: &mut impl Observer) -> Result<Option<End>, String> {
        let plan = self.plan;
        let config = &plan.config;
        // The epoch's order comes first from the generator as the epoch began; a resumed epoch
        // draws it again, then carries on from the generator's saved current state.
        let mut r = Rng::new(at.epoch_rng);
        let order = r.permutation(plan.train.len());
        if at.batch == 0 {
            self.rng = r;
        }
        let mut totals = Totals::from(&at.sums, self.device);
        // Training time only: the observer's calls (a paused page waits in one) are left out.
        let mut clock = Clock::started(at.sums.seconds);
        // The last `clean_epochs` epochs see the images as they are.
        let augment = !config.augment.is_identity() && at.epoch + config.clean_epochs <= config.epochs;
        for (b, indices) in order.chunks(config.batch_size).enumerate().skip(at.batch) {
            self.step((at.epoch - 1) * plan.per_epoch + b, indices, augment, &mut totals).await?;
            at.batch = b + 1;
            at.sums.seen += indices.len();
            // A test within the last epoch comes before the report, so the checkpoint after it
            // holds it.
            if at.epoch == config.epochs && self.within_last.contains(&at.batch) {
                let evaluation = self.test().await?;
                let seconds = clock.seconds();
                if self.tested_at(&at, evaluation, seconds, &mut clock, observer).await == Control::Stop {
                    return Ok(Some(End::Stopped { epoch: at.epoch, batch: at.batch }));
                }
            }
            let report = at.batch % config.report_every == 0 || at.batch == plan.per_epoch;
            let control = match report {
                true => match self.report(&mut at, &totals, &mut clock, observer).await? {
                    Some(control) => control,
                    None => return Ok(Some(End::Diverged { epoch: at.epoch, batch: at.batch })),
                },
                false => clock.outside(observer.between()).await,
            };
            if control == Control::Stop {
                // These weights have no test yet: the previous epoch's is not theirs.
                self.tested = None;
                return Ok(Some(End::Stopped { epoch: at.epoch, batch: at.batch }));
            }
        }
        let evaluation = self.test().await?;
        let seconds = clock.seconds();
        let metrics = EpochMetrics {
            epoch: at.epoch,
            train_loss: at.sums.loss / at.sums.seen as f64,
            train_accuracy: 100.0 * at.sums.correct / at.sums.seen as f64,
            test_loss: evaluation.loss,
            test_accuracy: evaluation.accuracy,
            lr: self.lr,
            seconds,
        };
        let control = self.tested_at(&at, evaluation, seconds, &mut clock, observer).await;
        self.history.epochs.push(metrics.clone());
        self.fallback.keep_epoch(at.epoch, &self.stepper.model);
        let control = control.and(observer.epoch(&metrics).await);
        let next = RunPosition::epoch_start(at.epoch + 1, self.rng.state());
        observer.checkpoint(&self.resumable(next)).await?;
        let stop = control == Control::Stop && at.epoch < config.epochs;
        Ok(stop.then_some(End::Stopped { epoch: at.epoch, batch: plan.per_epoch }))
    }

    /// One optimisation step on the batch `indices`, its loss and hits added to `totals`.
    async fn step(&mut self, step: usize, indices: &[usize], augment: bool, totals: &mut Totals) -> Result<(), String> {
        let plan = self.plan;
        let config = &plan.config;
        if step > 0 {
            self.ad.seed(step_seed(config.seed, step));
        }
        self.lr = plan.lr(step);
        let params: Vec<Params> = match augment {
            true => indices.iter().map(|_| config.augment.draw(&mut self.rng)).collect(),
            false => Vec::new(),
        };
        match &mut self.parallel {
            None => {
                let (x, y) = batch(&plan.train, indices, &self.ad);
                let x = if augment { augment::apply(x, &params, config.augment.interpolation) } else { x };
                let (mean, hits) = self.stepper.step(normalise(x), y, self.lr);
                totals.loss = totals.loss.clone() + mean.mul_scalar(indices.len() as f64);
                totals.correct = totals.correct.clone() + hits;
            }
            Some(parallel) => {
                let slices = parallel.split(&plan.train, indices, &params, config.seed, step);
                let combined = parallel.step(&self.stepper.model, slices).await?;
                self.stepper.apply(&combined, self.lr)?;
                let scalar = |v: f64| Tensor::<1>::from_data(TensorData::new(vec![v as f32], [1]), self.device);
                totals.loss = totals.loss.clone() + scalar(combined.loss);
                totals.correct = totals.correct.clone() + scalar(combined.correct);
            }
        }
        if step >= self.average_from {
            self.stepper.average_in();
        }
        Ok(())
    }

    /// A report: the epoch's sums read back into `at`, the observer told and handed a
    /// checkpoint (within an epoch: its end has its own). `None` when the loss diverged.
    async fn report(&mut self, at: &mut RunPosition, totals: &Totals, clock: &mut Clock, observer: &mut impl Observer) -> Result<Option<Control>, String> {
        let plan = self.plan;
        let sums = &mut at.sums;
        let v = read_back::<f64>(Tensor::cat(vec![totals.loss.clone(), totals.correct.clone()], 0)).await?;
        (sums.loss, sums.correct) = (v[0], v[1]);
        if !sums.loss.is_finite() {
            return Ok(None);
        }
        self.fallback.keep(at.epoch, at.batch, &self.stepper.model);
        let seconds = clock.seconds();
        let progress = Progress {
            epoch: at.epoch,
            epochs: plan.config.epochs,
            batch: at.batch,
            batches: plan.per_epoch,
            loss: sums.loss / sums.seen as f64,
            recent_loss: (sums.loss - sums.loss_before) / (sums.seen - sums.seen_before) as f64,
            accuracy: 100.0 * sums.correct / sums.seen as f64,
            lr: self.lr,
            images_per_second: sums.seen as f64 / seconds.max(1e-9),
            seconds,
        };
        (sums.seen_before, sums.loss_before) = (sums.seen, sums.loss);
        sums.seconds = seconds;
        let control = clock.outside(observer.progress(&progress)).await;
        if at.batch < plan.per_epoch {
            at.rng = self.rng.state();
            clock.outside(observer.checkpoint(&self.resumable(*at))).await?;
        }
        Ok(Some(control))
    }

    /// A test of the weights the loop holds at `at`, `seconds` into the epoch: kept in the
    /// history and told.
    async fn tested_at(
        &mut self,
        at: &RunPosition,
        evaluation: Evaluation,
        seconds: f64,
        clock: &mut Clock,
        observer: &mut impl Observer,
    ) -> Control {
        let point = TestPoint {
            epoch: at.epoch,
            batch: at.batch,
            batches: self.plan.per_epoch,
            seconds: self.history.seconds() + seconds,
            accuracy: evaluation.accuracy,
            loss: evaluation.loss,
        };
        self.history.tests.push(point.clone());
        self.tested = Some(evaluation);
        clock.outside(observer.test(&point)).await
    }

    /// The weights the loop would keep now, on the test images: shared between the replicas
    /// when the run has them.
    async fn test(&mut self) -> Result<Evaluation, String> {
        let model = self.stepper.kept().await?;
        match &mut self.parallel {
            None => evaluate(&model, &self.plan.test, self.device).await,
            Some(parallel) => parallel.test(&model, &self.plan.test).await,
        }
    }

    fn resumable(&self, position: RunPosition) -> Resumable<'_> {
        Resumable { plan: self.plan, stepper: &self.stepper, history: &self.history, position }
    }

    /// The one exit: the weights to keep and their test, by how the loop ended.
    async fn finish(mut self, end: End) -> Result<RunResult, String> {
        let (model, evaluation, outcome) = match end {
            End::Completed => (self.stepper.kept().await?, self.tested, Outcome::Completed),
            End::Stopped { epoch, batch } => {
                let model = self.stepper.kept().await?;
                // Stopped after a test, that test stands; else the weights are tested now (and
                // a failing test does not undo the stop).
                let evaluation = match self.tested {
                    Some(e) => Some(e),
                    None => evaluate(&model, &self.plan.test, self.device).await.ok(),
                };
                (model, evaluation, Outcome::Stopped { epoch, batch })
            }
            End::Diverged { epoch, batch } => {
                let start = self.stepper.initial.take().unwrap_or_else(|| self.stepper.model.valid());
                let (kept, model, evaluation) = self.fallback.choose(start, &self.plan.test, self.device).await?;
                (model, Some(evaluation), Outcome::Diverged { epoch, batch, kept })
            }
        };
        Ok(RunResult { epochs: self.history.epochs, tests: self.history.tests, model, evaluation, outcome })
    }
}
