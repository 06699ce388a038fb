//! The same 2-2-2 network in burn, with gradients from autodiff instead of by hand.
//!
//! All learning rates train in one batched computation: the weights are a `[L, 8]` tensor,
//! one independent network per row. Summing the rows' losses before `backward` keeps them
//! independent, since row r's loss depends on row r's weights alone.
//!
//! Each iteration's numbers stay on the device; they are read back once, at the end, so the
//! GPU never waits on the CPU in between.

use burn::tensor::{activation::sigmoid, Device, Tensor, TensorData};

use super::{Row, TinyConfig, Trace};

/// Columns recorded per iteration: w1..w8, h1, h2, a_h1, a_h2, o1, o2, a_o1, a_o2, E1, E2,
/// E_total, ∂E/∂w1..∂E/∂w8.
const COLUMNS: usize = 27;

/// Trains every learning rate of `config` on `device` (autodiff is enabled here).
/// The caller validates the config first.
///
/// Each layer is one batched product instead of one line per neuron: on a GPU every tensor
/// operation is a kernel launch, and launches, not arithmetic, are what a network this small
/// costs.
pub async fn train_all(config: &TinyConfig, device: &Device) -> Result<Vec<Trace>, String> {
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
    for _ in 0..=config.iterations {
        let wa = w.clone().autodiff().require_grad();
        // Row j of w_in holds the weights into hidden neuron j: [[w1, w2], [w3, w4]];
        // row j of w_out the weights into output j: [[w5, w6], [w7, w8]].
        let w_in = wa.clone().narrow(1, 0, 4).reshape([l, 2, 2]);
        let w_out = wa.clone().narrow(1, 4, 4).reshape([l, 2, 2]);

        // The forward pass of `exact::row`, both neurons of a layer at once: [L, 2] each.
        let mut h = (w_in * inputs.clone()).sum_dim(2).reshape([l, 2]); // h1 = i1·w1 + i2·w2, …
        let mut o_bias = 0.0;
        if let Some([b1, b2]) = config.bias {
            h = h + b1;
            o_bias = b2;
        }
        let a_h = sigmoid(h.clone());
        let mut o = (w_out * a_h.clone().reshape([l, 1, 2])).sum_dim(2).reshape([l, 2]); // o1 = a_h1·w5 + a_h2·w6, …
        if o_bias != 0.0 {
            o = o + o_bias;
        }
        let a_o = sigmoid(o.clone());
        let e = (a_o.clone() - targets.clone()).powi_scalar(2).mul_scalar(0.5); // E1, E2
        let e_total = e.clone().sum_dim(1);

        // Summing the networks' losses keeps them independent: row r's loss depends on row r's
        // weights alone, so each row's gradient is that network's own.
        let grads = e_total.clone().sum().backward();
        let de_dw = wa.grad(&grads).ok_or("autodiff returned no gradient for the weights")?;

        let forward = [h, a_h, o, a_o, e, e_total];
        let mut columns = vec![w.clone()];
        columns.extend(forward.into_iter().map(|t| t.inner()));
        columns.push(de_dw.clone());
        records.push(Tensor::cat(columns, 1));

        w = w - de_dw * lr_col.clone();
    }

    // One readback for the whole run: [iterations + 1, L, COLUMNS].
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
    config
        .learning_rates
        .iter()
        .enumerate()
        .map(|(r, &learning_rate)| {
            let rows = (0..=config.iterations)
                .map(|it| {
                    let start = (it * l + r) * COLUMNS;
                    let v: Vec<f64> = values[start..start + COLUMNS].iter().map(|&x| x as f64).collect();
                    Row {
                        iteration: it,
                        w: std::array::from_fn(|k| v[k]),
                        h1: v[8],
                        h2: v[9],
                        a_h1: v[10],
                        a_h2: v[11],
                        o1: v[12],
                        o2: v[13],
                        a_o1: v[14],
                        a_o2: v[15],
                        E1: v[16],
                        E2: v[17],
                        E_total: v[18],
                        dE_dw: std::array::from_fn(|k| v[19 + k]),
                    }
                })
                .collect();
            Trace { learning_rate, rows }
        })
        .collect()
}
