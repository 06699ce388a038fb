//! What the runs show (the notebook's last Part 1 cell and the CLI's table), computed from
//! them rather than written in advance: each learning rate's final loss, how soon it fell to a
//! tenth of where it began, and what comparing them says.

use serde::Serialize;

use super::Trace;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Conclusion {
    /// Iterations each rate ran.
    pub iterations: usize,
    /// A tenth of the starting loss, to two significant digits: "how soon" is measured to it.
    pub threshold: f64,
    pub rates: Vec<RateOutcome>,
    /// The learning rate with the lowest final loss.
    pub best: f64,
    pub trend: Trend,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RateOutcome {
    pub learning_rate: f64,
    pub final_loss: f64,
    /// The first iteration whose loss is below the threshold, if one is.
    pub reached: Option<usize>,
}

/// What comparing the learning rates shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Trend {
    /// Only one learning rate: nothing to compare.
    One,
    /// Each larger rate ends at a lower loss: the steps never overshoot here.
    LargerIsLower,
    /// Some larger rate ends higher than a smaller one: past some size a step overshoots.
    Overshoots,
}

/// The conclusion of `traces` (one per learning rate, all from the same start; at least one).
pub fn conclude(traces: &[Trace]) -> Conclusion {
    let start = traces.first().and_then(|t| t.rows.first()).map_or(f64::NAN, |r| r.E_total);
    let threshold = format!("{:.1e}", start / 10.0).parse().unwrap_or(f64::NAN);
    let rates: Vec<RateOutcome> = traces
        .iter()
        .map(|t| RateOutcome {
            learning_rate: t.learning_rate,
            final_loss: t.rows.last().map_or(f64::NAN, |r| r.E_total),
            reached: super::trace::iterations_to_reach(t, threshold),
        })
        .collect();
    let best = rates.iter().min_by(|a, b| a.final_loss.total_cmp(&b.final_loss)).map_or(f64::NAN, |r| r.learning_rate);
    let mut by_rate = rates.clone();
    by_rate.sort_by(|a, b| a.learning_rate.total_cmp(&b.learning_rate));
    by_rate.dedup_by(|a, b| a.learning_rate == b.learning_rate);
    let trend = match by_rate.len() {
        0 | 1 => Trend::One,
        _ if by_rate.windows(2).all(|w| w[1].final_loss <= w[0].final_loss) => Trend::LargerIsLower,
        _ => Trend::Overshoots,
    };
    let iterations = traces.first().map_or(0, |t| t.rows.len().saturating_sub(1));
    Conclusion { iterations, threshold, rates, best, trend }
}
