//! Data parallelism: each batch split into K slices, each slice's gradients computed by a
//! replica of the model ([`super::replica`]), the gradients summed and one update applied.
//!
//! The page runs replicas in Web Workers, one wasm instance each, and passes them bytes; no
//! shared memory, so no special headers and no nightly toolchain. What a run computes depends
//! only on K, never on how many threads share the slices: slice `k` always holds the same
//! images with the same augmentation and dropout seed, every replica starts from the same
//! weights, and the answers are combined in slice order. Natively the coordinator computes
//! every slice itself ([`NoHelpers`]) and gets the page's numbers.
//!
//! Batch norm normalises each slice by the slice's own statistics, as PyTorch's
//! DistributedDataParallel does without SyncBatchNorm; the running statistics the test uses are
//! the slices' average, weighted by their sizes.

use std::future::Future;

use burn::tensor::Device;

use crate::mnist::data::augment::Params;
use super::config::TrainConfig;
use crate::mnist::data::{Split, PIXELS};
use super::evaluate::{self, EVAL_BATCH};
use crate::mnist::model::net::Net;
use super::replica::{decode, encode, Answer, Replica, Slice, SliceResult, Task};
use super::report::Evaluation;
use super::step::Combined;
use crate::mnist::data::rng::{step_seed, Rng};
use crate::mnist::model::values::{self, Which};

/// Threads that answer replica tasks beside the coordinator's own: the page's replica workers.
pub trait Helpers {
    /// How many.
    fn count(&self) -> usize;
    /// Hands helper `h` an encoded [`Task`]; [`Helpers::receive`] gives its answer.
    fn send(&mut self, h: usize, task: &[u8]) -> Result<(), String>;
    /// Helper `h`'s encoded [`Answer`] to the task it was sent last.
    fn receive(&mut self, h: usize) -> impl Future<Output = Result<Reply, String>>;
    /// The helpers failed for good (`why`): the coordinator computes every slice from now on.
    fn lost(&mut self, _why: &str) {}
}

/// What came back from a helper.
pub enum Reply {
    Answer(Vec<u8>),
    /// It crashed and was started afresh, empty (the reason): the task must be sent again.
    Restarted(String),
}

/// No helpers: the coordinator computes every slice.
pub struct NoHelpers;

impl Helpers for NoHelpers {
    fn count(&self) -> usize {
        0
    }
    fn send(&mut self, _: usize, _: &[u8]) -> Result<(), String> {
        Err("there are no helpers to send to".into())
    }
    async fn receive(&mut self, _: usize) -> Result<Reply, String> {
        Err("there are no helpers to hear from".into())
    }
}

/// A replica that keeps crashing on the same task is not retried for ever.
const RESTARTS_PER_TASK: usize = 2;

/// The coordinator: splits, hands out, combines.
pub struct DataParallel<'h, H: Helpers> {
    slices: usize,
    helpers: &'h mut H,
    /// The helpers' [`Task::Setup`], sent again to one that restarts.
    setup: Vec<u8>,
    /// For the coordinator's own slices.
    local: Replica,
    /// Whether the helpers failed for good: then this thread computes every slice.
    alone: bool,
}

impl<'h, H: Helpers> DataParallel<'h, H> {
    /// `config.workers` slices per batch; `helpers` are set up for the run here.
    pub async fn new(config: &TrainConfig, device: &Device, helpers: &'h mut H) -> Result<Self, String> {
        let json = serde_json::to_string(config).map_err(|e| format!("could not describe the run: {e}"))?;
        let setup = encode(&Task::Setup { config: json })?;
        let mut parallel = DataParallel {
            slices: config.workers,
            local: Replica::new(config.clone(), device)?,
            helpers,
            setup,
            alone: false,
        };
        let used = parallel.threads() - 1;
        let setup = parallel.setup.clone();
        let sent = (0..used).try_for_each(|h| parallel.helpers.send(h, &setup));
        let mut ready = sent;
        for h in 0..used {
            if ready.is_ok() {
                ready = parallel.ask(h, &setup).await.map(|_| ());
            }
        }
        if let Err(why) = ready {
            parallel.give_up(&why);
        }
        Ok(parallel)
    }

    /// Threads at work: the coordinator and as many helpers as there are slices left for.
    fn threads(&self) -> usize {
        match self.alone {
            true => 1,
            false => (self.helpers.count() + 1).min(self.slices),
        }
    }

    /// The helpers failed (not a crash they came back from): carry on without them. Every slice
    /// is computed as before, by this thread; the run's numbers do not change, only its speed.
    fn give_up(&mut self, why: &str) {
        self.alone = true;
        self.helpers.lost(why);
    }

    /// Helper `h`'s answer to `task` (already sent), sending it again (after the setup) to a
    /// helper that crashed and restarted.
    async fn ask(&mut self, h: usize, task: &[u8]) -> Result<Answer, String> {
        let mut restarts = 0;
        loop {
            match self.helpers.receive(h).await? {
                Reply::Answer(bytes) => return match decode::<Result<Answer, String>>(&bytes)? {
                    Ok(answer) => Ok(answer),
                    Err(e) => Err(format!("replica {} failed: {e}", h + 1)),
                },
                // The helpers say so where it happened (the page's log); nothing is lost.
                Reply::Restarted(_) if restarts < RESTARTS_PER_TASK => {
                    if task != self.setup.as_slice() {
                        self.helpers.send(h, &self.setup.clone())?;
                        let setup = self.setup.clone();
                        Box::pin(self.ask(h, &setup)).await?;
                    }
                    self.helpers.send(h, task)?;
                    restarts += 1;
                }
                Reply::Restarted(why) => return Err(format!("replica {} crashed {} times in a row ({why})", h + 1, restarts + 1)),
            }
        }
    }

    /// The images of a batch (`indices` into `split`, with one augmentation draw each or none)
    /// cut into this run's slices, each with its dropout seed for optimizer step `step`.
    pub fn split(&self, split: &Split, indices: &[usize], params: &[Params], seed: u64, step: usize) -> Vec<Slice> {
        slice_ranges(indices.len(), self.slices)
            .into_iter()
            .enumerate()
            .map(|(k, range)| {
                let (pixels, labels) = split.gather(&indices[range.clone()]);
                let params = if params.is_empty() { Vec::new() } else { params[range].to_vec() };
                Slice { pixels, labels, params, seed: slice_seed(seed, step, k) }
            })
            .collect()
    }

    /// One step's slices computed from `model`'s values and combined.
    pub async fn step(&mut self, model: &Net, slices: Vec<Slice>) -> Result<Combined, String> {
        let batch: usize = slices.iter().map(Slice::len).sum();
        let sizes: Vec<usize> = slices.iter().map(Slice::len).collect();
        let values = values::read(model, Which::All).await?;
        let threads = self.threads().min(slices.len());
        // Slice k goes to thread k % threads; thread 0 is this one.
        let mut per_thread: Vec<Vec<Slice>> = vec![Vec::new(); threads];
        for (k, slice) in slices.into_iter().enumerate() {
            per_thread[k % threads].push(slice);
        }
        let mine = std::mem::take(&mut per_thread[0]);
        let tasks: Vec<Vec<u8>> = per_thread
            .into_iter()
            .skip(1)
            .map(|slices| encode(&Task::Step { values: values.clone(), batch, slices }))
            .collect::<Result<_, _>>()?;
        let mut sent = tasks.iter().enumerate().try_for_each(|(h, task)| self.helpers.send(h, task));
        let mut results: Vec<Vec<SliceResult>> = Vec::with_capacity(threads);
        let mut own = Vec::with_capacity(mine.len());
        for slice in &mine {
            own.push(self.local.compute(&values, batch, slice).await?);
        }
        results.push(own);
        for (h, task) in tasks.iter().enumerate() {
            let answer = match sent {
                Ok(()) => self.ask(h, task).await,
                Err(ref why) => Err(why.clone()),
            };
            let slices = match answer {
                Ok(Answer::Step(r)) => r,
                Ok(_) => Err(format!("replica {} answered another task", h + 1))?,
                Err(why) => {
                    // Its slices (and those of any helper after it) are computed here instead.
                    if sent.is_ok() {
                        self.give_up(&why);
                        sent = Err(why);
                    }
                    let Task::Step { slices, .. } = decode::<Task>(task)? else { return Err("a step's task holds no slices".into()) };
                    let mut r = Vec::with_capacity(slices.len());
                    for slice in &slices {
                        r.push(self.local.compute(&values, batch, slice).await?);
                    }
                    r
                }
            };
            results.push(slices);
        }
        // Back in slice order: slice k is thread k % threads's (k / threads)-th.
        let mut iters: Vec<_> = results.into_iter().map(|r| r.into_iter()).collect();
        let ordered: Vec<SliceResult> =
            (0..sizes.len()).map(|k| iters[k % threads].next().ok_or("a replica answered too few slices")).collect::<Result<_, _>>()?;
        combine(&ordered, &sizes)
    }

    /// `model` on `split`: the test images shared between the threads at multiples of the test
    /// batch, so the result is the one a single engine gets.
    pub async fn test(&mut self, model: &Net, split: &Split) -> Result<Evaluation, String> {
        let values = values::read(model, Which::All).await?;
        let n = split.len();
        let batches = n.div_ceil(EVAL_BATCH);
        let threads = self.threads().min(batches).max(1);
        let parts: Vec<std::ops::Range<usize>> =
            slice_ranges(batches, threads).into_iter().map(|r| r.start * EVAL_BATCH..(r.end * EVAL_BATCH).min(n)).collect();
        let tasks: Vec<Vec<u8>> = parts[1..]
            .iter()
            .map(|r| {
                let (pixels, labels) = (split.images[r.start * PIXELS..r.end * PIXELS].to_vec(), split.labels[r.clone()].to_vec());
                encode(&Task::Test { values: values.clone(), pixels, labels })
            })
            .collect::<Result<_, _>>()?;
        let mut sent = tasks.iter().enumerate().try_for_each(|(h, task)| self.helpers.send(h, task));
        let r = &parts[0];
        let (mut losses, mut predicted) =
            self.local.test(&values, &split.images[r.start * PIXELS..r.end * PIXELS], &split.labels[r.clone()]).await?;
        for (h, task) in tasks.iter().enumerate() {
            let answer = match sent {
                Ok(()) => self.ask(h, task).await,
                Err(ref why) => Err(why.clone()),
            };
            let (l, p) = match answer {
                Ok(Answer::Test { losses, predicted }) => (losses, predicted),
                Ok(_) => Err(format!("replica {} answered another task", h + 1))?,
                Err(why) => {
                    if sent.is_ok() {
                        self.give_up(&why);
                        sent = Err(why);
                    }
                    let r = &parts[h + 1];
                    self.local.test(&values, &split.images[r.start * PIXELS..r.end * PIXELS], &split.labels[r.clone()]).await?
                }
            };
            losses.extend(l);
            predicted.extend(p);
        }
        if predicted.len() != n {
            return Err(format!("the replicas tested {} of {n} images", predicted.len()));
        }
        Ok(evaluate::evaluation(&split.labels, &losses, &predicted))
    }
}

/// `n` items cut into at most `k` contiguous ranges, the first `n % k` one longer; none empty.
pub fn slice_ranges(n: usize, k: usize) -> Vec<std::ops::Range<usize>> {
    let k = k.clamp(1, n.max(1));
    let (base, extra) = (n / k, n % k);
    let mut start = 0;
    (0..k)
        .map(|i| {
            let len = base + usize::from(i < extra);
            start += len;
            start - len..start
        })
        .filter(|r| !r.is_empty())
        .collect()
}

/// The dropout seed of slice `k` at optimizer step `step`.
pub fn slice_seed(seed: u64, step: usize, k: usize) -> u64 {
    Rng::new(step_seed(seed, step) ^ (k as u64 + 1).wrapping_mul(0xd1b5_4a32_d192_ed03)).next_u64()
}

/// The slices' gradients summed and their running statistics averaged (by size), in slice order.
pub fn combine(results: &[SliceResult], sizes: &[usize]) -> Result<Combined, String> {
    let first = results.first().ok_or("no slices to combine")?;
    let total: usize = sizes.iter().sum();
    let mut grads = vec![0.0f32; first.grads.len()];
    let mut buffers = vec![0.0f64; first.buffers.len()];
    let (mut loss, mut correct) = (0.0, 0.0);
    for (r, &n) in results.iter().zip(sizes) {
        if r.grads.len() != grads.len() || r.buffers.len() != buffers.len() {
            return Err("the replicas' answers do not fit one model".into());
        }
        for (g, v) in grads.iter_mut().zip(&r.grads) {
            *g += v;
        }
        let weight = n as f64 / total as f64;
        for (b, v) in buffers.iter_mut().zip(&r.buffers) {
            *b += weight * *v as f64;
        }
        loss += r.loss;
        correct += r.correct;
    }
    Ok(Combined { grads, buffers: buffers.into_iter().map(|b| b as f32).collect(), loss, correct })
}
