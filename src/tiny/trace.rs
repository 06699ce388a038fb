//! One row of the Excel sheet per iteration, and the CSV both engines print.

use serde::{Deserialize, Serialize};

/// Every number of one iteration, named as in the sheet and in the notebook's equations.
/// The gradients are those computed at this row's weights; the next row's weights are
/// `w - lr * dE_dw`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
#[allow(non_snake_case)] // E1, E_total and dE_dw1 read as in the equations.
pub struct Row {
    pub iteration: usize,
    pub w: [f64; 8],
    pub h1: f64,
    pub a_h1: f64,
    pub h2: f64,
    pub a_h2: f64,
    pub o1: f64,
    pub a_o1: f64,
    pub o2: f64,
    pub a_o2: f64,
    pub E1: f64,
    pub E2: f64,
    pub E_total: f64,
    pub dE_dw: [f64; 8],
}

/// All iterations for one learning rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    pub learning_rate: f64,
    pub rows: Vec<Row>,
}

pub const CSV_HEADER: &str = "lr,iteration,w1,w2,w3,w4,w5,w6,w7,w8,h1,a_h1,h2,a_h2,o1,a_o1,o2,a_o2,E1,E2,E_total,dE_dw1,dE_dw2,dE_dw3,dE_dw4,dE_dw5,dE_dw6,dE_dw7,dE_dw8";

impl Row {
    /// The row's numbers in CSV column order (after `lr` and `iteration`).
    pub fn values(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(27);
        v.extend_from_slice(&self.w);
        v.extend_from_slice(&[
            self.h1, self.a_h1, self.h2, self.a_h2, self.o1, self.a_o1, self.o2, self.a_o2,
        ]);
        v.extend_from_slice(&[self.E1, self.E2, self.E_total]);
        v.extend_from_slice(&self.dE_dw);
        v
    }
}

/// The whole experiment as one CSV: a header, then one line per learning rate per iteration.
/// Rust's shortest round-trip formatting keeps full precision.
pub fn to_csv(traces: &[Trace]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for trace in traces {
        for row in &trace.rows {
            out.push_str(&format!("{},{}", trace.learning_rate, row.iteration));
            for v in row.values() {
                out.push_str(&format!(",{v}"));
            }
            out.push('\n');
        }
    }
    out
}

/// The largest absolute difference between two sets of traces, over every number of every
/// row: how far burn's autodiff strays from the hand-derived chain rule.
pub fn max_abs_difference(a: &[Trace], b: &[Trace]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(ta, tb)| ta.rows.iter().zip(&tb.rows))
        .flat_map(|(ra, rb)| ra.values().into_iter().zip(rb.values()))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// The first iteration at which `E_total` falls below `threshold`, if it ever does.
pub fn iterations_to_reach(trace: &Trace, threshold: f64) -> Option<usize> {
    trace.rows.iter().find(|r| r.E_total < threshold).map(|r| r.iteration)
}
