//! The 2-2-2 network: frozen worked numbers, finite differences, and burn's autodiff
//! against the hand-derived chain rule.
#![cfg(not(target_arch = "wasm32"))]

use gradbook::device::Compute;
use gradbook::tiny::{autodiff, exact, trace, TinyConfig};

fn close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!((actual - expected).abs() <= tol, "{what}: {actual} differs from {expected} by more than {tol}");
}

#[test]
fn iteration_zero_matches_the_excel_sheet() {
    let config = TinyConfig::default();
    let r = exact::row(&config, 0, config.weights);
    close(r.E_total, 0.242519857, 1e-9, "E_total");
    close(r.E1, 0.177892843, 1e-9, "E1");
    close(r.E2, 0.064627015, 1e-9, "E2");
    close(r.dE_dw[4], 0.0721571, 1e-7, "dE/dw5");
    close(r.dE_dw[0], 0.00018826, 1e-8, "dE/dw1");
}

#[test]
fn biases_reproduce_the_classic_worked_example() {
    // Matt Mazur's step-by-step example: same weights and inputs, b1 = 0.35, b2 = 0.60.
    let config = TinyConfig { bias: Some([0.35, 0.60]), learning_rates: vec![0.5], iterations: 1, ..Default::default() };
    let t = exact::train(&config, 0.5);
    close(t.rows[0].E_total, 0.298371109, 1e-9, "E_total");
    close(t.rows[0].dE_dw[4], 0.082167041, 1e-9, "dE/dw5");
    close(t.rows[1].w[4], 0.35891648, 1e-8, "w5 after one update");
    close(t.rows[1].w[0], 0.149780716, 1e-9, "w1 after one update");
}

#[test]
fn gradients_match_central_finite_differences() {
    let configs = [
        TinyConfig::default(),
        TinyConfig { bias: Some([0.35, 0.60]), ..Default::default() },
        TinyConfig {
            inputs: [0.9, -0.4],
            targets: [0.7, 0.2],
            weights: [1.1, -0.7, 0.3, 2.0, -1.5, 0.8, 0.05, -0.9],
            ..Default::default()
        },
    ];
    let h = 1e-6;
    for config in configs {
        let r = exact::row(&config, 0, config.weights);
        for k in 0..8 {
            let (mut plus, mut minus) = (config.weights, config.weights);
            plus[k] += h;
            minus[k] -= h;
            let numeric = (exact::row(&config, 0, plus).E_total - exact::row(&config, 0, minus).E_total) / (2.0 * h);
            close(r.dE_dw[k], numeric, 1e-9, &format!("dE/dw{}", k + 1));
        }
    }
}

#[test]
fn every_learning_rate_lowers_the_loss_and_larger_ones_faster() {
    let traces = exact::train_all(&TinyConfig::default());
    let finals: Vec<f64> = traces.iter().map(|t| t.rows.last().unwrap().E_total).collect();
    for (t, last) in traces.iter().zip(&finals) {
        assert!(*last < t.rows[0].E_total, "lr {} did not lower E_total", t.learning_rate);
    }
    assert!(finals.windows(2).all(|w| w[1] < w[0]), "larger learning rates should end lower here: {finals:?}");
}

#[test]
fn burn_autodiff_on_flex_matches_the_chain_rule_over_1000_iterations() {
    for bias in [None, Some([0.35, 0.60])] {
        let config = TinyConfig { iterations: 1000, bias, ..Default::default() };
        let burn = pollster::block_on(autodiff::train_all(&config, &Compute::flex().device)).unwrap();
        let exact = exact::train_all(&config);
        assert_eq!(burn.len(), 6);
        assert_eq!(burn[0].rows.len(), 1001);
        let diff = trace::max_abs_difference(&burn, &exact);
        assert!(diff < 1e-5, "burn and the chain rule differ by {diff} (bias {bias:?})");
    }
}

#[test]
fn csv_has_one_line_per_learning_rate_per_iteration() {
    let config = TinyConfig { iterations: 3, ..Default::default() };
    let csv = trace::to_csv(&exact::train_all(&config));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], trace::csv_header());
    assert!(lines[0].starts_with("lr,iteration,w1,w2,"));
    assert_eq!(lines.len(), 1 + 6 * 4);
    assert!(lines[1].starts_with("0.1,0,0.15,0.2,"));
    assert_eq!(lines[1].split(',').count(), 2 + trace::COLUMNS.len());
    let e_total: f64 = lines[1].split(',').nth(2 + trace::column("E_total").unwrap()).unwrap().parse().unwrap();
    close(e_total, 0.242519857, 1e-9, "E_total in the CSV");
}

#[test]
fn the_column_table_says_where_a_row_keeps_each_number() {
    // What the page reads through `field` and `index` is the number the CSV prints there.
    let config = TinyConfig { bias: Some([0.35, 0.60]), ..Default::default() };
    let row = exact::row(&config, 3, config.weights);
    let json = serde_json::to_value(row).unwrap();
    let values = row.values();
    assert_eq!(values.len(), trace::COLUMNS.len());
    for (c, v) in trace::COLUMNS.iter().zip(&values) {
        let at = &json[c.field];
        let shown = match c.index {
            Some(i) => &at[i],
            None => at,
        };
        assert_eq!(shown.as_f64(), Some(*v), "column {}", c.name);
    }
    assert_eq!(trace::Row::from_values(3, &values), row);
    let names: std::collections::HashSet<_> = trace::COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), trace::COLUMNS.len(), "two columns share a name");
}

#[test]
fn the_deltas_are_the_gradients_at_each_neurons_input() {
    // ∂E/∂w5 = ∂E/∂o1 · a_h1 and ∂E/∂w1 = ∂E/∂h1 · i1: the chain rule's last factor.
    let config = TinyConfig::default();
    let r = exact::row(&config, 0, config.weights);
    close(r.dE_dw[4], r.dE_do[0] * r.a_h1, 1e-15, "dE/dw5");
    close(r.dE_dw[7], r.dE_do[1] * r.a_h2, 1e-15, "dE/dw8");
    close(r.dE_dw[0], r.dE_dh[0] * config.inputs[0], 1e-15, "dE/dw1");
    close(r.dE_dw[3], r.dE_dh[1] * config.inputs[1], 1e-15, "dE/dw4");
    // And they match a finite difference through the forward pass.
    let h = 1e-6;
    let shifted = |bias: [f64; 2]| exact::row(&TinyConfig { bias: Some(bias), ..config.clone() }, 0, config.weights).E_total;
    // A shared bias moves both neurons of a layer: its derivative is the layer's deltas summed.
    close(r.dE_do[0] + r.dE_do[1], (shifted([0.0, h]) - shifted([0.0, -h])) / (2.0 * h), 1e-9, "dE/do1 + dE/do2");
    close(r.dE_dh[0] + r.dE_dh[1], (shifted([h, 0.0]) - shifted([-h, 0.0])) / (2.0 * h), 1e-9, "dE/dh1 + dE/dh2");
}

#[test]
fn the_conclusion_compares_only_when_there_is_something_to_compare() {
    use gradbook::tiny::conclusion::{conclude, Trend};
    let all = conclude(&exact::train_all(&TinyConfig::default()));
    assert_eq!(all.trend, Trend::LargerIsLower);
    assert_eq!(all.best, 2.0);
    assert_eq!(all.threshold, 0.024, "a tenth of 0.2425, to two digits");
    assert_eq!(all.rates.len(), 6);
    let one = conclude(&exact::train_all(&TinyConfig { learning_rates: vec![0.5], ..Default::default() }));
    assert_eq!(one.trend, Trend::One);
    // A larger rate that ends higher than a smaller one: it overshot. (Given out of order.)
    let ending = |learning_rate: f64, losses: &[f64]| trace::Trace {
        learning_rate,
        rows: losses.iter().enumerate().map(|(iteration, &E_total)| trace::Row { iteration, E_total, ..Default::default() }).collect(),
    };
    let wild = conclude(&[ending(1.0, &[0.3, 0.1]), ending(0.5, &[0.3, 0.2]), ending(3.0, &[0.3, 0.25])]);
    assert_eq!((wild.trend, wild.best, wild.threshold), (Trend::Overshoots, 1.0, 0.03));
    assert_eq!(wild.rates.iter().map(|r| r.reached).collect::<Vec<_>>(), [None, None, None]);
}

#[test]
fn bad_settings_name_their_field() {
    let bad = [
        (TinyConfig { learning_rates: vec![0.0], ..Default::default() }, "learningRates"),
        (TinyConfig { learning_rates: vec![-1.0], ..Default::default() }, "learningRates"),
        (TinyConfig { learning_rates: vec![f64::NAN], ..Default::default() }, "learningRates"),
        (TinyConfig { learning_rates: vec![1e9], ..Default::default() }, "learningRates"),
        (TinyConfig { learning_rates: vec![], ..Default::default() }, "learningRates"),
        (TinyConfig { iterations: 0, ..Default::default() }, "iterations"),
        (TinyConfig { iterations: 10_000_000, ..Default::default() }, "iterations"),
        (TinyConfig { inputs: [f64::INFINITY, 0.1], ..Default::default() }, "inputs"),
        (TinyConfig { targets: [1.5, 0.1], ..Default::default() }, "targets"),
        (TinyConfig { weights: [f64::NAN; 8], ..Default::default() }, "weights"),
        (TinyConfig { bias: Some([0.0, 1e6]), ..Default::default() }, "bias"),
    ];
    for (config, field) in bad {
        let err = config.validate().expect_err("should be rejected");
        assert_eq!(err.field, field, "{err}");
    }
    assert!(TinyConfig::default().validate().is_ok());
}
