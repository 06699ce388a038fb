//! Training runs: stopping, divergence (the last good weights kept), resuming from a checkpoint.

use super::*;

struct Recorder {
    progress: usize,
    stop_after: Option<usize>,
}

impl Observer for Recorder {
    async fn progress(&mut self, _: &Progress) -> Control {
        self.progress += 1;
        if Some(self.progress) == self.stop_after { Control::Stop } else { Control::Continue }
    }
}

/// Trains `config` on the real files on the CPU; returns the run and how many progress reports came.
fn train_with(config: &TrainConfig, stop_after: Option<usize>) -> (report::RunResult, usize) {
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
        optimizer: gradbook::mnist::run::config::OptimizerConfig::Sgd { momentum: 0.99, nesterov: false, weight_decay: 0.0 },
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
        optimizer: gradbook::mnist::run::config::OptimizerConfig::Sgd { momentum: 0.9, nesterov: false, weight_decay: 0.0 },
        schedule: Schedule::OneCycle { warmup: 0.99, div: 1e4, final_div: 1e4 },
        ..config
    };
    let mut saved = Checkpoints::at_epoch_ends();
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

/// Records the run's checkpoints: `(epoch, batches done)` and the bytes, at every report or
/// only after each epoch.
struct Checkpoints {
    every_report: bool,
    saved: Vec<((usize, usize), Vec<u8>)>,
}

impl Checkpoints {
    fn at_epoch_ends() -> Self {
        Checkpoints { every_report: false, saved: Vec::new() }
    }

    fn at_every_report() -> Self {
        Checkpoints { every_report: true, saved: Vec::new() }
    }

    fn at(&self, place: (usize, usize)) -> &[u8] {
        &self.saved.iter().find(|s| s.0 == place).unwrap_or_else(|| panic!("no checkpoint at {place:?}")).1
    }
}

impl Observer for Checkpoints {
    async fn checkpoint(&mut self, run: &Resumable<'_>) -> Result<(), String> {
        if self.every_report || run.at_epoch_end() {
            self.saved.push(((run.position.epoch, run.position.batch), run.to_bytes().await?));
        }
        Ok(())
    }
}

/// Continues the run saved in `bytes` to its end.
fn resume(config: &TrainConfig, data: &Mnist, bytes: &[u8]) -> Result<report::RunResult, String> {
    let checkpoint = checkpoint::read(bytes, None, &flex())?;
    let (start, note) = train::Start::from_checkpoint(checkpoint, 0);
    assert!(note.is_none(), "{note:?}");
    pollster::block_on(train::train_from(&Plan::new(config, data).unwrap(), &flex(), &mut Checkpoints::at_epoch_ends(), start))
}

/// The metrics two runs must share: all but the time taken.
fn results(epochs: &[EpochMetrics]) -> Vec<(usize, f64, f64, f64, f64, f64)> {
    epochs.iter().map(|e| (e.epoch, e.train_loss, e.train_accuracy, e.test_loss, e.test_accuracy, e.lr)).collect()
}

/// A run stopped anywhere (between two epochs or in the middle of one) and resumed from its
/// checkpoint ends with the very weights of the run never stopped, bit for bit: the momentum,
/// the schedule's step, the data order, the augmentation's and dropout's draws all carry on.
#[test]
fn a_resumed_run_ends_bit_identical_to_one_never_stopped() {
    let _generator = one_generator();
    let data = banded();
    let recipes = [
        // Nesterov SGD, one-cycle, augmentation, label smoothing.
        TrainConfig { epochs: 2, batch_size: 32, report_every: 2, ..TrainConfig::compact() },
        // The same, each batch in three slices (the page's workers; computed here one by one),
        // and tested three times within the last epoch besides its end.
        TrainConfig { epochs: 2, batch_size: 32, report_every: 2, workers: 3, last_epoch_tests: 3, ..TrainConfig::compact() },
        // Its weights averaged over the last 60 % of the run (the average saved and resumed too).
        TrainConfig { epochs: 2, batch_size: 32, report_every: 2, average_last: 0.6, ..TrainConfig::compact() },
        // Momentum SGD, StepLR, dropout: the device's generator too.
        TrainConfig { epochs: 2, batch_size: 64, report_every: 1, schedule: Schedule::Step { every: 1, gamma: 0.5 }, ..TrainConfig::seed() },
        TrainConfig {
            epochs: 2,
            batch_size: 64,
            report_every: 3,
            lr: 0.003,
            optimizer: gradbook::mnist::run::config::OptimizerConfig::Adam { weight_decay: 1e-4 },
            ..TrainConfig::seed()
        },
    ];
    for config in recipes {
        let mut saved = Checkpoints::at_every_report();
        let whole = pollster::block_on(train::train(&config, &data, &flex(), &mut saved)).unwrap();
        assert_eq!(whole.outcome, Outcome::Completed);
        // In the middle of epoch 1, between the epochs, and early in epoch 2.
        for place in [(1, config.report_every), (2, 0), (2, config.report_every)] {
            let resumed = resume(&config, &data, saved.at(place)).unwrap();
            let name = format!("{} {:?} from {place:?}", config.model, config.optimizer);
            assert!(weights(&resumed.model) == weights(&whole.model), "{name}: the weights differ");
            assert_eq!(results(&resumed.epochs), results(&whole.epochs), "{name}");
            let tests = |r: &report::RunResult| r.tests.iter().map(|t| (t.epoch, t.batch, t.accuracy, t.loss)).collect::<Vec<_>>();
            assert_eq!(tests(&resumed), tests(&whole), "{name}: the tests differ");
        }
        // The file after the last epoch holds a finished run.
        let err = resume(&config, &data, saved.at((3, 0))).err().unwrap();
        assert!(err.contains("already finished"), "{err}");
    }
}

/// A file holding weights only (as gradbook wrote before) still resumes, from its weights, and
/// says that the optimizer state is missing.
#[test]
fn weights_alone_resume_with_a_note_that_the_momentum_starts_again() {
    let _generator = one_generator();
    let config = TrainConfig { epochs: 3, batch_size: 64, report_every: 4, ..TrainConfig::compact() };
    let mut first = Checkpoints::at_epoch_ends();
    let run = pollster::block_on(train::train(&config, &banded(), &flex(), &mut first)).unwrap();
    assert_eq!(first.saved.iter().map(|s| s.0).collect::<Vec<_>>(), [(2, 0), (3, 0), (4, 0)]);
    assert_eq!(run.epochs.len(), 3);

    let (spec, model) = checkpoint::from_bytes(first.at((2, 0)), Some("compact"), &flex()).unwrap();
    let old = pollster::block_on(checkpoint::to_bytes(&spec, &model)).unwrap();
    let (start, note) = train::Start::from_checkpoint(checkpoint::read(&old, None, &flex()).unwrap(), 1);
    let note = note.expect("a note");
    assert!(note.contains("optimizer state is missing") && note.contains("epoch 2"), "{note}");
    let resumed = pollster::block_on(train::train_from(&Plan::new(&config, &banded()).unwrap(), &flex(), &mut Checkpoints::at_epoch_ends(), start)).unwrap();
    assert_eq!(resumed.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(), [2, 3]);
    // The schedule picks up where it was: epoch 2's learning rate is the first run's.
    assert!((resumed.epochs[0].lr - run.epochs[1].lr).abs() < 1e-12);

    // The last checkpoint is the trained model itself, BatchNorm statistics included.
    let (_, model) = checkpoint::from_bytes(first.at((4, 0)), None, &flex()).unwrap();
    let images = vec![0.5; 3 * 784];
    let p_saved = pollster::block_on(gradbook::mnist::model::infer::probabilities(&model.valid(), &images, &flex())).unwrap();
    let p_run = pollster::block_on(gradbook::mnist::model::infer::probabilities(&run.model, &images, &flex())).unwrap();
    assert_eq!(p_saved, p_run);
    let done = train::Start::Weights { model, epochs_done: 3 };
    let err = pollster::block_on(train::train_from(&Plan::new(&config, &banded()).unwrap(), &flex(), &mut Checkpoints::at_epoch_ends(), done)).err().unwrap();
    assert!(err.contains("already finished"), "{err}");
}

/// A checkpoint resumes only the run it came from.
#[test]
fn a_checkpoint_refuses_other_settings() {
    let _generator = one_generator();
    let config = TrainConfig { epochs: 2, batch_size: 64, report_every: 4, ..TrainConfig::compact() };
    let mut saved = Checkpoints::at_epoch_ends();
    pollster::block_on(train::train(&config, &banded(), &flex(), &mut saved)).unwrap();
    let other = TrainConfig { lr: 0.2, ..config };
    let err = resume(&other, &banded(), saved.at((2, 0))).err().unwrap();
    assert!(err.contains("other settings"), "{err}");
}

/// A run tests after each epoch and, where it asks, within its last epoch at evenly spaced
/// batches; each test carries the run's time, which only grows.
#[test]
fn tests_within_the_last_epoch_come_where_asked() {
    let _generator = one_generator();
    let config = TrainConfig { epochs: 2, batch_size: 32, report_every: 4, last_epoch_tests: 3, ..TrainConfig::compact() };
    struct Tests(Vec<(usize, usize)>);
    impl Observer for Tests {
        async fn test(&mut self, t: &report::TestPoint) -> Control {
            self.0.push((t.epoch, t.batch));
            Control::Continue
        }
    }
    let mut seen = Tests(Vec::new());
    let run = pollster::block_on(train::train(&config, &banded(), &flex(), &mut seen)).unwrap();
    // 256 images in batches of 32: 8 batches an epoch; three tests within the second at 2, 4, 6.
    let at: Vec<(usize, usize)> = run.tests.iter().map(|t| (t.epoch, t.batch)).collect();
    assert_eq!(at, [(1, 8), (2, 2), (2, 4), (2, 6), (2, 8)]);
    assert_eq!(seen.0, at, "the observer hears of every test");
    assert!(run.tests.windows(2).all(|w| w[0].seconds <= w[1].seconds), "the run's time only grows");
    assert_eq!(run.tests.last().unwrap().accuracy, run.evaluation.as_ref().unwrap().accuracy);
    assert_eq!(run.tests[0].accuracy, run.epochs[0].test_accuracy);
}

/// A run that averages its last steps' weights tests and keeps the average: not the last
/// step's weights, and the mean of every step's it covers.
#[test]
fn an_averaged_run_keeps_the_mean_of_its_last_steps() {
    let _generator = one_generator();
    let config = TrainConfig { epochs: 1, batch_size: 32, report_every: 8, average_last: 0.25, ..TrainConfig::compact() };
    // 8 steps: the last 2 averaged. Its steps one by one, to average them here too.
    let mut saved = Checkpoints::at_every_report();
    let run = pollster::block_on(train::train(&config, &banded(), &flex(), &mut saved)).unwrap();
    let plain = pollster::block_on(train::train(&TrainConfig { average_last: 0.0, ..config.clone() }, &banded(), &flex(), &mut Checkpoints::at_epoch_ends())).unwrap();
    let (a, b) = (weights(&run.model), weights(&plain.model));
    assert!(a != b, "the kept weights should be the average, not the last step's");
    assert_eq!(run.tests.last().unwrap().accuracy, run.evaluation.as_ref().unwrap().accuracy);
    // The saved run at its end holds an average over 2 steps.
    let checkpoint = checkpoint::read(saved.at((2, 0)), None, &flex()).unwrap();
    let snapshot = checkpoint.run.unwrap();
    assert_eq!(snapshot.snapshot.averaged, 2);
    assert_eq!(snapshot.average.len(), a.len());
    let worst = snapshot.average.iter().zip(&a).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max);
    assert!(worst == 0.0, "the file's average is the kept model ({worst})");
}
