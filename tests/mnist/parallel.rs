//! Data parallelism (src/mnist/run/parallel.rs): a batch's slices computed by replicas add up to the
//! batch's gradient; a run with K slices gives the same numbers however many threads share them,
//! through crashes and lost helpers, and repeats exactly.

use std::collections::VecDeque;

use burn::optim::GradientsParams;
use gradbook::mnist::run::config::ModelChoice;
use gradbook::mnist::model::Layer;
use gradbook::mnist::run::parallel::{self, Helpers, Reply};
use gradbook::mnist::run::replica::{decode, encode, Replica, Slice, Task};
use gradbook::mnist::run::step::{loss, Stepper};
use gradbook::mnist::model::values;

use super::*;

/// A model without batch norm (whose slices would each see their own statistics) and with
/// biases, pooling and a linear head: every kind of gradient a slice contributes.
fn plain_model() -> ModelSpec {
    use Layer::*;
    ModelSpec {
        name: "plain".into(),
        about: String::new(),
        layers: vec![
            Conv { out: 6, kernel: 3, pad: 1, bias: true },
            Relu,
            MaxPool,
            Depthwise { kernel: 3, pad: 1 },
            Conv { out: 8, kernel: 1, pad: 0, bias: false },
            Relu,
            MaxPool,
            Linear { out: 10 },
        ],
    }
}

/// The summed gradients of a batch's slices, each from its own replica, equal the gradient of the
/// whole batch's mean loss (to float rounding), for every number of slices.
#[test]
fn summed_slice_gradients_equal_the_whole_batch() {
    let _generator = one_generator();
    let config = TrainConfig {
        model: ModelChoice::Design(plain_model()),
        augment: AugmentConfig::NONE,
        label_smoothing: 0.1,
        ..TrainConfig::compact()
    };
    let data = Split::banded(24);
    let indices: Vec<usize> = (0..24).collect();
    let ad = flex().autodiff();
    ad.seed(7);
    let model = config.spec().init(&ad).unwrap();
    let (x, y) = tensors::batch(&data, &indices, &ad);
    let mean = loss(model.forward(tensors::normalise(x)), y, config.label_smoothing).mean();
    let grads = GradientsParams::from_grads(mean.backward(), &model);
    let whole = values::gradients(&model, &grads).into_data().try_to_vec::<f32>().unwrap();
    let weights = values::flat(&model, values::Which::All).into_data().try_to_vec::<f32>().unwrap();
    assert!(whole.iter().any(|g| g.abs() > 1e-3), "the gradient should not vanish");

    for k in [2, 3, 5] {
        let mut replica = Replica::new(config.clone(), &flex()).unwrap();
        let results: Vec<_> = parallel::slice_ranges(24, k)
            .into_iter()
            .map(|r| {
                let (pixels, labels) = data.gather(&indices[r]);
                let slice = Slice { pixels, labels, params: Vec::new(), seed: 0 };
                pollster::block_on(replica.compute(&weights, 24, &slice)).unwrap()
            })
            .collect();
        let sizes: Vec<usize> = parallel::slice_ranges(24, k).iter().map(|r| r.len()).collect();
        let summed = parallel::combine(&results, &sizes).unwrap().grads;
        assert_eq!(summed.len(), whole.len());
        let scale = whole.iter().fold(0f32, |m, g| m.max(g.abs()));
        let worst = summed.iter().zip(&whole).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst <= 1e-5 * scale, "{k} slices: the summed gradients differ from the batch's by up to {worst} (largest {scale})");
    }
}

/// The slices of a batch: contiguous, as equal as can be, none empty.
#[test]
fn a_batch_is_cut_into_even_slices() {
    let lens = |n, k| parallel::slice_ranges(n, k).iter().map(|r| r.len()).collect::<Vec<_>>();
    assert_eq!(lens(32, 2), [16, 16]);
    assert_eq!(lens(32, 3), [11, 11, 10]);
    assert_eq!(lens(3, 4), [1, 1, 1]);
    assert_eq!(parallel::slice_ranges(10, 3)[2], 7..10);
}

/// Replicas answering in this thread, through the same bytes as the page's workers, with faults
/// on request: a crash (answered as a restart, the replica empty again) or a loss for good.
struct Loopback {
    replicas: Vec<Option<Replica>>,
    sent: Vec<Option<Vec<u8>>>,
    /// Which task (counted over all helpers) crashes its replica, and from which on all fail.
    tasks: usize,
    crash_at: VecDeque<usize>,
    fail_from: Option<usize>,
    lost: Vec<String>,
}

impl Loopback {
    fn new(count: usize) -> Self {
        Loopback { replicas: (0..count).map(|_| None).collect(), sent: vec![None; count], tasks: 0, crash_at: VecDeque::new(), fail_from: None, lost: Vec::new() }
    }
}

impl Helpers for Loopback {
    fn count(&self) -> usize {
        self.replicas.len()
    }
    fn send(&mut self, h: usize, task: &[u8]) -> Result<(), String> {
        self.sent[h] = Some(task.to_vec());
        Ok(())
    }
    async fn receive(&mut self, h: usize) -> Result<Reply, String> {
        let task = self.sent[h].take().expect("a task was sent");
        self.tasks += 1;
        if self.fail_from.is_some_and(|n| self.tasks >= n) {
            return Err("the worker could not start".into());
        }
        if self.crash_at.front() == Some(&self.tasks) {
            self.crash_at.pop_front();
            self.replicas[h] = None;
            return Ok(Reply::Restarted("a test crash".into()));
        }
        let answer = Replica::answer(&mut self.replicas[h], decode::<Task>(&task)?).await;
        Ok(Reply::Answer(encode(&answer)?))
    }
    fn lost(&mut self, why: &str) {
        self.lost.push(why.to_string());
    }
}

fn run_with(config: &TrainConfig, data: &Mnist, helpers: &mut impl Helpers) -> report::RunResult {
    let plan = Plan::new(config, data).unwrap();
    pollster::block_on(train::train_with(&plan, &flex(), &mut Quiet, train::Start::Fresh, helpers)).unwrap()
}

struct Quiet;
impl Observer for Quiet {}

/// What a run computes depends on its slices (K), not on the threads that compute them: alone,
/// with three helpers, with a helper crashing twice, with helpers that fail for good (the
/// coordinator takes their slices): the same weights and metrics, bit for bit. With batch norm
/// (each slice's own statistics, the running ones averaged), augmentation and label smoothing.
#[test]
fn a_run_with_slices_gives_the_same_numbers_however_they_are_shared() {
    let _generator = one_generator();
    let data = banded();
    let config = TrainConfig {
        epochs: 3,
        batch_size: 16,
        report_every: 4,
        workers: 4,
        schedule: Schedule::Constant,
        lr: 0.05,
        ..TrainConfig::compact()
    };
    let alone = run_with(&config, &data, &mut parallel::NoHelpers);
    assert_eq!(alone.outcome, Outcome::Completed);
    let e = alone.evaluation.as_ref().unwrap();
    assert!(e.accuracy > 30.0, "three epochs on the banded digits should beat chance (10 %), got {}%", e.accuracy);

    let same = |run: &report::RunResult, how: &str| {
        assert!(weights(&run.model) == weights(&alone.model), "{how}: the weights differ");
        let metrics = |r: &report::RunResult| r.epochs.iter().map(|e| (e.train_loss, e.train_accuracy, e.test_loss, e.test_accuracy)).collect::<Vec<_>>();
        assert_eq!(metrics(run), metrics(&alone), "{how}");
        assert_eq!(run.evaluation.as_ref().unwrap().misclassified.len(), e.misclassified.len(), "{how}");
    };
    same(&run_with(&config, &data, &mut parallel::NoHelpers), "run again");
    let mut three = Loopback::new(3);
    same(&run_with(&config, &data, &mut three), "three helpers");
    assert!(three.tasks > 3 * 16, "the helpers should have computed slices ({} tasks)", three.tasks);
    let mut one = Loopback::new(1);
    same(&run_with(&config, &data, &mut one), "one helper, two slices each");
    let mut crashing = Loopback::new(3);
    crashing.crash_at = VecDeque::from([2, 20]);
    same(&run_with(&config, &data, &mut crashing), "a helper crashing twice");
    assert!(crashing.lost.is_empty(), "a crash is recovered, not a loss");
    let mut failing = Loopback::new(3);
    failing.fail_from = Some(30);
    same(&run_with(&config, &data, &mut failing), "helpers lost mid-run");
    assert_eq!(failing.lost.len(), 1, "said once: {:?}", failing.lost);

    // Other slices are another run (batch norm sees other statistics), equally deterministic.
    let two = run_with(&TrainConfig { workers: 2, ..config.clone() }, &data, &mut Loopback::new(1));
    assert!(weights(&two.model) != weights(&alone.model), "two slices and four should not give the same weights");
}

/// Without batch norm and dropout, slices change nothing but rounding: a run with four of them
/// starts from the very weights of a run with one, and ends close to it.
#[test]
fn slices_start_from_the_weights_one_engine_starts_from() {
    let _generator = one_generator();
    let config = TrainConfig { model: ModelChoice::Design(plain_model()), epochs: 1, batch_size: 32, report_every: 4, ..TrainConfig::compact() };
    let ad = flex().autodiff();
    let first = |parallel: bool| {
        ad.seed(config.seed);
        let mut stepper = Stepper::new(config.spec().init(&ad).unwrap(), &config);
        if parallel {
            stepper.initialise(&ad);
        } else {
            let (x, y) = tensors::batch(&banded().train, &(0..32).collect::<Vec<_>>(), &ad);
            stepper.step(tensors::normalise(x), y, config.lr);
        }
        weights(stepper.initial.as_ref().unwrap())
    };
    assert!(first(true) == first(false), "the starting weights differ");

    let one = run_with(&config, &banded(), &mut parallel::NoHelpers);
    let four = run_with(&TrainConfig { workers: 4, ..config.clone() }, &banded(), &mut Loopback::new(3));
    let (a, b) = (weights(&one.model), weights(&four.model));
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max);
    assert!(worst < 1e-3, "an epoch with four slices should end within rounding of one slice, differs by {worst}");
}


