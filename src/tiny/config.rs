//! The settings of one "by hand" experiment, with the Excel sheet's values as defaults.

use serde::{Deserialize, Serialize};

use crate::settings::Invalid;

/// Learning rates above this are rejected as a typo rather than an experiment.
pub const MAX_LEARNING_RATE: f64 = 100.0;
/// Rows are kept for every iteration of every learning rate, so the count is bounded.
pub const MAX_ITERATIONS: usize = 20_000;
/// At most this many learning rates are compared at once.
pub const MAX_LEARNING_RATES: usize = 12;
/// Inputs, weights and biases beyond this saturate every sigmoid; nothing is left to learn.
pub const MAX_MAGNITUDE: f64 = 100.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TinyConfig {
    /// i1, i2.
    pub inputs: [f64; 2],
    /// t1, t2: what a_o1 and a_o2 should become.
    pub targets: [f64; 2],
    /// w1..w8 before the first update.
    pub weights: [f64; 8],
    /// Optional fixed biases: b1 added to both hidden neurons, b2 to both outputs. Never trained.
    pub bias: Option<[f64; 2]>,
    /// One independent network is trained per learning rate.
    pub learning_rates: Vec<f64>,
    /// Updates to make; the trace has `iterations + 1` rows (row 0 holds the initial weights).
    pub iterations: usize,
}

impl Default for TinyConfig {
    /// The values of the original Excel sheet.
    fn default() -> Self {
        Self {
            inputs: [0.05, 0.10],
            targets: [0.01, 0.99],
            weights: [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55],
            bias: None,
            learning_rates: vec![0.1, 0.2, 0.5, 0.8, 1.0, 2.0],
            iterations: 40,
        }
    }
}

fn error(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid::new(field, message)
}

fn check_magnitude(field: &'static str, values: &[f64]) -> Result<(), Invalid> {
    for v in values {
        if !v.is_finite() {
            return Err(error(field, format!("{v} is not a finite number")));
        }
        if v.abs() > MAX_MAGNITUDE {
            return Err(error(field, format!("{v} is too large (at most ±{MAX_MAGNITUDE})")));
        }
    }
    Ok(())
}

impl TinyConfig {
    /// Checks every field; the first problem found is returned.
    pub fn check(&self) -> Result<(), Invalid> {
        check_magnitude("inputs", &self.inputs)?;
        check_magnitude("weights", &self.weights)?;
        if let Some(bias) = &self.bias {
            check_magnitude("bias", bias)?;
        }
        for t in self.targets {
            if !(0.0..=1.0).contains(&t) {
                return Err(error(
                    "targets",
                    format!("{t} is outside 0…1, which a sigmoid output can never reach"),
                ));
            }
        }
        if self.learning_rates.is_empty() {
            return Err(error("learningRates", "give at least one learning rate"));
        }
        if self.learning_rates.len() > MAX_LEARNING_RATES {
            return Err(error("learningRates", format!("at most {MAX_LEARNING_RATES} learning rates")));
        }
        for &lr in &self.learning_rates {
            if !lr.is_finite() || lr <= 0.0 {
                return Err(error("learningRates", format!("{lr} must be a number greater than 0")));
            }
            if lr > MAX_LEARNING_RATE {
                return Err(error(
                    "learningRates",
                    format!("{lr} is absurdly large (at most {MAX_LEARNING_RATE})"),
                ));
            }
        }
        if self.iterations == 0 || self.iterations > MAX_ITERATIONS {
            return Err(error("iterations", format!("must be between 1 and {MAX_ITERATIONS}")));
        }
        Ok(())
    }
}
