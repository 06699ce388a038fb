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
    assert_eq!(lines[0], trace::CSV_HEADER);
    assert_eq!(lines.len(), 1 + 6 * 4);
    assert!(lines[1].starts_with("0.1,0,0.15,0.2,"));
    assert_eq!(lines[1].split(',').count(), 29);
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
