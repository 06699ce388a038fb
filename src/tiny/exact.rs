//! The hand-derived chain rule in f64: the Excel sheet's columns, one line each.
//!
//! Each gradient sits beside the forward line it differentiates, and the names match the
//! equations the notebook typesets (`a_h1`, `dE_da_o1`, `dE_dw5`…).

use super::{Row, TinyConfig, Trace};

pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Forward and backward pass at weights `w`: every column of one sheet row.
#[allow(non_snake_case)]
pub fn row(config: &TinyConfig, iteration: usize, w: [f64; 8]) -> Row {
    let [i1, i2] = config.inputs;
    let [t1, t2] = config.targets;
    let [b1, b2] = config.bias.unwrap_or([0.0, 0.0]);
    let [w1, w2, w3, w4, w5, w6, w7, w8] = w;

    // Forward: inputs → hidden → outputs → loss.
    let h1 = i1 * w1 + i2 * w2 + b1;
    let h2 = i1 * w3 + i2 * w4 + b1;
    let a_h1 = sigmoid(h1);
    let a_h2 = sigmoid(h2);
    let o1 = a_h1 * w5 + a_h2 * w6 + b2;
    let o2 = a_h1 * w7 + a_h2 * w8 + b2;
    let a_o1 = sigmoid(o1);
    let a_o2 = sigmoid(o2);
    let E1 = 0.5 * (t1 - a_o1).powi(2);
    let E2 = 0.5 * (t2 - a_o2).powi(2);
    let E_total = E1 + E2;

    // Backward, output layer: ∂E/∂o = ∂E/∂a_o · σ'(o), and σ'(o) = a_o(1 − a_o).
    let dE_da_o1 = a_o1 - t1;
    let dE_da_o2 = a_o2 - t2;
    let dE_do1 = dE_da_o1 * a_o1 * (1.0 - a_o1);
    let dE_do2 = dE_da_o2 * a_o2 * (1.0 - a_o2);
    let dE_dw5 = dE_do1 * a_h1; // ∂o1/∂w5 = a_h1
    let dE_dw6 = dE_do1 * a_h2; // ∂o1/∂w6 = a_h2
    let dE_dw7 = dE_do2 * a_h1; // ∂o2/∂w7 = a_h1
    let dE_dw8 = dE_do2 * a_h2; // ∂o2/∂w8 = a_h2

    // Backward, hidden layer: a_h1 feeds both outputs, so both paths add up.
    let dE_da_h1 = dE_do1 * w5 + dE_do2 * w7;
    let dE_da_h2 = dE_do1 * w6 + dE_do2 * w8;
    let dE_dh1 = dE_da_h1 * a_h1 * (1.0 - a_h1);
    let dE_dh2 = dE_da_h2 * a_h2 * (1.0 - a_h2);
    let dE_dw1 = dE_dh1 * i1; // ∂h1/∂w1 = i1
    let dE_dw2 = dE_dh1 * i2; // ∂h1/∂w2 = i2
    let dE_dw3 = dE_dh2 * i1; // ∂h2/∂w3 = i1
    let dE_dw4 = dE_dh2 * i2; // ∂h2/∂w4 = i2

    Row {
        iteration,
        w,
        h1,
        a_h1,
        h2,
        a_h2,
        o1,
        a_o1,
        o2,
        a_o2,
        E1,
        E2,
        E_total,
        dE_do: [dE_do1, dE_do2],
        dE_dh: [dE_dh1, dE_dh2],
        dE_dw: [dE_dw1, dE_dw2, dE_dw3, dE_dw4, dE_dw5, dE_dw6, dE_dw7, dE_dw8],
    }
}

/// Plain gradient descent for one learning rate: row 0 at the initial weights, then
/// `w ← w − η·∂E_total/∂w` for each iteration.
pub fn train(config: &TinyConfig, learning_rate: f64) -> Trace {
    let mut w = config.weights;
    let mut rows = Vec::with_capacity(config.iterations + 1);
    for iteration in 0..=config.iterations {
        let r = row(config, iteration, w);
        for (wk, gk) in w.iter_mut().zip(r.dE_dw) {
            *wk -= learning_rate * gk;
        }
        rows.push(r);
    }
    Trace { learning_rate, rows }
}

/// Every learning rate of the config, each trained on its own copy of the initial weights.
pub fn train_all(config: &TinyConfig) -> Vec<Trace> {
    config.learning_rates.iter().map(|&lr| train(config, lr)).collect()
}
