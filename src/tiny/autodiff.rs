//! The same 2-2-2 network in burn, with gradients from autodiff instead of by hand.
//!
//! All learning rates train in one batched computation: the weights are a `[L, 8]` tensor,
//! one independent network per row. Summing the rows' losses before `backward` keeps them
//! independent, since row r's loss depends on row r's weights alone.
//!
//! Each iteration's numbers stay on the device; they are read back once, at the end, so the
//! GPU never waits on the CPU in between.

use std::future::Future;

use burn::tensor::{activation::sigmoid, Device, Tensor, TensorData};

use super::trace::COLUMNS;
use super::{Row, TinyConfig, Trace};
use crate::clock::now_ms;
use crate::control::Control;

/// Told how far a run is, at most every [`WATCH_EVERY_MS`]: the page shows it, and stops a run
/// the student has replaced with another ([`Control::Stop`]). The page's engine serves quick
/// calls between these, so they must not be far apart.
pub trait Watch {
    fn at(&mut self, done: usize, total: usize) -> impl Future<Output = Control>;
}

/// Nobody watching: the run goes to the end.
pub struct Unwatched;

impl Watch for Unwatched {
    async fn at(&mut self, _: usize, _: usize) -> Control {
        Control::Continue
    }
}

pub const WATCH_EVERY_MS: f64 = 50.0;

/// What a run stopped by its watcher returns.
pub const STOPPED: &str = "stopped before the end";

/// Trains every learning rate of `config` on `device` (autodiff is enabled here).
/// The caller validates the config first.
///
/// Each layer is one batched product instead of one line per neuron: on a GPU every tensor
/// operation is a kernel launch, and launches, not arithmetic, are what a network this small
/// costs.
pub async fn train_all(config: &TinyConfig, device: &Device) -> Result<Vec<Trace>, String> {
    train_watched(config, device, &mut Unwatched).await
}

/// [`train_all`], telling `watch` how far it is and stopping when it says so.
pub async fn train_watched(config: &TinyConfig, device: &Device, watch: &mut impl Watch) -> Result<Vec<Trace>, String> {
    let lrs = &config.learning_rates;
    let l = lrs.len();
    let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();

    let initial: Vec<f32> = (0..l).flat_map(|_| f32s(&config.weights)).collect();
    let mut w = Tensor::<2>::from_data(TensorData::new(initial, [l, 8]), device);
    let lr_col = Tensor::<2>::from_data(TensorData::new(f32s(lrs), [l, 1]), device);
    let ad = device.clone().autodiff();
    let inputs = Tensor::<3>::from_data(TensorData::new(f32s(&config.inputs), [1, 1, 2]), &ad);
    let targets = Tensor::<2>::from_data(TensorData::new(f32s(&config.targets), [1, 2]), &ad);

    let mut records = Vec::with_capacity(config.iterations + 1);
    let mut watched_at = now_ms();
    for iteration in 0..=config.iterations {
        if now_ms() - watched_at >= WATCH_EVERY_MS {
            if watch.at(iteration, config.iterations).await == Control::Stop {
                return Err(STOPPED.into());
            }
            watched_at = now_ms();
        }
        let wa = w.clone().autodiff().require_grad();
        // Zeros added to h and o, tracked: their gradients are ∂E/∂h and ∂E/∂o, the deltas,
        // which autodiff would otherwise compute on the way to ∂E/∂w and not keep.
        let at_h = Tensor::<2>::zeros([l, 2], &ad).require_grad();
        let at_o = Tensor::<2>::zeros([l, 2], &ad).require_grad();
        // Row j of w_in holds the weights into hidden neuron j: [[w1, w2], [w3, w4]];
        // row j of w_out the weights into output j: [[w5, w6], [w7, w8]].
        let w_in = wa.clone().narrow(1, 0, 4).reshape([l, 2, 2]);
        let w_out = wa.clone().narrow(1, 4, 4).reshape([l, 2, 2]);

        // The forward pass of `exact::row`, both neurons of a layer at once: [L, 2] each.
        let mut h = (w_in * inputs.clone()).sum_dim(2).reshape([l, 2]) + at_h.clone(); // h1 = i1·w1 + i2·w2, …
        let mut o_bias = 0.0;
        if let Some([b1, b2]) = config.bias {
            h = h + b1;
            o_bias = b2;
        }
        let a_h = sigmoid(h.clone());
        let mut o = (w_out * a_h.clone().reshape([l, 1, 2])).sum_dim(2).reshape([l, 2]) + at_o.clone(); // o1 = a_h1·w5 + a_h2·w6, …
        if o_bias != 0.0 {
            o = o + o_bias;
        }
        let a_o = sigmoid(o.clone());
        let e = (a_o.clone() - targets.clone()).powi_scalar(2).mul_scalar(0.5); // E1, E2
        let e_total = e.clone().sum_dim(1);

        // Summing the networks' losses keeps them independent: row r's loss depends on row r's
        // weights alone, so each row's gradient is that network's own.
        let grads = e_total.clone().sum().backward();
        let missing = "autodiff returned no gradient";
        let de_dw = wa.grad(&grads).ok_or(missing)?;
        let (de_dh, de_do) = (at_h.grad(&grads).ok_or(missing)?, at_o.grad(&grads).ok_or(missing)?);

        // In the sheet's column order (`trace::COLUMNS`): w, then h1, a_h1, h2, a_h2 (each
        // neuron's input beside its activation), the same for o, the losses, the deltas, ∂E/∂w.
        let beside = |x: Tensor<2>, a: Tensor<2>| Tensor::stack::<3>(vec![x.inner(), a.inner()], 2).reshape([l, 4]);
        let columns = vec![w.clone(), beside(h, a_h), beside(o, a_o), e.inner(), e_total.inner(), de_do, de_dh, de_dw.clone()];
        records.push(Tensor::cat(columns, 1));

        w = w - de_dw * lr_col.clone();
    }

    // One readback for the whole run: [iterations + 1, L, columns].
    let all: Tensor<3> = Tensor::stack(records, 0);
    let data = all
        .into_data_async()
        .await
        .map_err(|e| format!("reading the results back from the device failed: {e:?}"))?;
    let values = data
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| format!("unexpected result data: {e:?}"))?;
    Ok(to_traces(config, &values))
}

/// Splits the flat `[iteration][lr][column]` readback into one trace per learning rate.
fn to_traces(config: &TinyConfig, values: &[f32]) -> Vec<Trace> {
    let l = config.learning_rates.len();
    let n = COLUMNS.len();
    config
        .learning_rates
        .iter()
        .enumerate()
        .map(|(r, &learning_rate)| {
            let rows = (0..=config.iterations)
                .map(|it| {
                    let start = (it * l + r) * n;
                    let v: Vec<f64> = values[start..start + n].iter().map(|&x| x as f64).collect();
                    Row::from_values(it, &v)
                })
                .collect();
            Trace { learning_rate, rows }
        })
        .collect()
}
