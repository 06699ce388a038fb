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

/// Columns recorded per iteration, in [`Row::values`] order.
const COLUMNS: usize = 27;

/// One column of a `[L, n]` tensor, as `[L, 1]`.
fn col(t: &Tensor<2>, k: usize) -> Tensor<2> {
    t.clone().narrow(1, k, 1)
}

/// Trains every learning rate of `config` on `device` (autodiff is enabled here).
/// The caller validates the config first.
pub async fn train_all(config: &TinyConfig, device: &Device) -> Result<Vec<Trace>, String> {
    let lrs = &config.learning_rates;
    let l = lrs.len();
    let [i1, i2] = config.inputs;
    let [t1, t2] = config.targets;
    let [b1, b2] = config.bias.unwrap_or([0.0, 0.0]);

    let initial: Vec<f32> = (0..l).flat_map(|_| config.weights.map(|w| w as f32)).collect();
    let mut w = Tensor::<2>::from_data(TensorData::new(initial, [l, 8]), device);
    let lr_col = Tensor::<2>::from_data(
        TensorData::new(lrs.iter().map(|&x| x as f32).collect::<Vec<_>>(), [l, 1]),
        device,
    );

    let mut records = Vec::with_capacity(config.iterations + 1);
    for _ in 0..=config.iterations {
        let wa = w.clone().autodiff().require_grad();
        let (w1, w2, w3, w4) = (col(&wa, 0), col(&wa, 1), col(&wa, 2), col(&wa, 3));
        let (w5, w6, w7, w8) = (col(&wa, 4), col(&wa, 5), col(&wa, 6), col(&wa, 7));

        // The forward pass of `exact::row`, on [L, 1] columns.
        let h1 = w1.mul_scalar(i1) + w2.mul_scalar(i2) + b1;
        let h2 = w3.mul_scalar(i1) + w4.mul_scalar(i2) + b1;
        let a_h1 = sigmoid(h1.clone());
        let a_h2 = sigmoid(h2.clone());
        let o1 = a_h1.clone() * w5 + a_h2.clone() * w6 + b2;
        let o2 = a_h1.clone() * w7 + a_h2.clone() * w8 + b2;
        let a_o1 = sigmoid(o1.clone());
        let a_o2 = sigmoid(o2.clone());
        let e1 = (a_o1.clone() - t1).powi_scalar(2).mul_scalar(0.5);
        let e2 = (a_o2.clone() - t2).powi_scalar(2).mul_scalar(0.5);
        let e_total = e1.clone() + e2.clone();

        let grads = e_total.clone().sum().backward();
        let de_dw = wa
            .grad(&grads)
            .ok_or("autodiff returned no gradient for the weights")?;

        let forward = [h1, a_h1, h2, a_h2, o1, a_o1, o2, a_o2, e1, e2, e_total];
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
                        a_h1: v[9],
                        h2: v[10],
                        a_h2: v[11],
                        o1: v[12],
                        a_o1: v[13],
                        o2: v[14],
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
