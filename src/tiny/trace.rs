//! One row of the Excel sheet per iteration, its columns described once, and the CSV both
//! engines print.

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
    /// The deltas: ∂E_total/∂o1, ∂E_total/∂o2, the error at each output's input, which the
    /// output weights' gradients multiply…
    pub dE_do: [f64; 2],
    /// …and ∂E_total/∂h1, ∂E_total/∂h2, the same one layer back, for the input weights.
    pub dE_dh: [f64; 2],
    pub dE_dw: [f64; 8],
}

/// All iterations for one learning rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    pub learning_rate: f64,
    pub rows: Vec<Row>,
}

/// One number of a row: its CSV header, its heading on the page, and where a [`Row`] keeps it
/// (a field, and the index into it when the field is an array).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
pub struct Column {
    pub name: &'static str,
    pub label: &'static str,
    #[ts(type = "keyof Row")]
    pub field: &'static str,
    pub index: Option<usize>,
}

/// Writes [`COLUMNS`] and the [`Row`] accessors that follow it from one list, so the order the
/// CSV, the page's table, the engines' readback and the tests use cannot drift apart.
macro_rules! columns {
    ($($name:literal $label:literal => $field:ident $([$i:literal])?),* $(,)?) => {
        /// Every number of a row, in the sheet's order (the iteration comes before them).
        pub const COLUMNS: &[Column] =
            &[$(Column { name: $name, label: $label, field: stringify!($field), index: columns!(@index $($i)?) }),*];

        impl Row {
            /// The row's numbers in [`COLUMNS`] order.
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$field $([$i])?),*]
            }

            /// The row at `iteration` whose numbers are `values`, in [`COLUMNS`] order.
            pub fn from_values(iteration: usize, values: &[f64]) -> Row {
                let mut row = Row { iteration, ..Row::default() };
                let mut v = values.iter().copied();
                $(row.$field $([$i])? = v.next().unwrap_or(f64::NAN);)*
                row
            }
        }
    };
    (@index) => { None };
    (@index $i:literal) => { Some($i) };
}

columns! {
    "w1" "w1" => w[0], "w2" "w2" => w[1], "w3" "w3" => w[2], "w4" "w4" => w[3],
    "w5" "w5" => w[4], "w6" "w6" => w[5], "w7" "w7" => w[6], "w8" "w8" => w[7],
    "h1" "h1" => h1, "a_h1" "a_h1" => a_h1, "h2" "h2" => h2, "a_h2" "a_h2" => a_h2,
    "o1" "o1" => o1, "a_o1" "a_o1" => a_o1, "o2" "o2" => o2, "a_o2" "a_o2" => a_o2,
    "E1" "E1" => E1, "E2" "E2" => E2, "E_total" "E_total" => E_total,
    "dE_do1" "∂E/∂o1" => dE_do[0], "dE_do2" "∂E/∂o2" => dE_do[1],
    "dE_dh1" "∂E/∂h1" => dE_dh[0], "dE_dh2" "∂E/∂h2" => dE_dh[1],
    "dE_dw1" "∂E/∂w1" => dE_dw[0], "dE_dw2" "∂E/∂w2" => dE_dw[1], "dE_dw3" "∂E/∂w3" => dE_dw[2],
    "dE_dw4" "∂E/∂w4" => dE_dw[3], "dE_dw5" "∂E/∂w5" => dE_dw[4], "dE_dw6" "∂E/∂w6" => dE_dw[5],
    "dE_dw7" "∂E/∂w7" => dE_dw[6], "dE_dw8" "∂E/∂w8" => dE_dw[7],
}

/// Where the column `name` sits in [`COLUMNS`] (for a CSV line, add the two leading columns).
pub fn column(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| c.name == name)
}

/// The CSV's first line: the learning rate and the iteration, then [`COLUMNS`].
pub fn csv_header() -> String {
    let names: Vec<&str> = ["lr", "iteration"].into_iter().chain(COLUMNS.iter().map(|c| c.name)).collect();
    names.join(",")
}

/// The whole experiment as one CSV: a header, then one line per learning rate per iteration.
/// Rust's shortest round-trip formatting keeps full precision.
pub fn to_csv(traces: &[Trace]) -> String {
    let mut out = csv_header();
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
