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
        let err = config.check().expect_err("should be rejected");
        assert_eq!(err.field, field, "{err}");
    }
    assert!(TinyConfig::default().check().is_ok());
}

/// The scalar engine's gradients (graph.rs, autodiff on a graph of + − · σ ² ½) are the
/// hand-derived chain rule's and burn's, for every weight, with and without biases.
#[test]
fn the_scalar_graph_backpropagates_to_the_chain_rule_and_to_burn() {
    use gradbook::tiny::graph;
    for bias in [None, Some([0.35, 0.6])] {
        let config = TinyConfig { bias, iterations: 20, ..Default::default() };
        let burn = pollster::block_on(autodiff::train_all(&config, &Compute::flex().device)).unwrap();
        for (lr, trace) in config.learning_rates.iter().zip(exact::train_all(&config)) {
            for row in [&trace.rows[0], &trace.rows[20]] {
                let g = graph::network(&config, row.w);
                close(g.named("E_total").unwrap().value, row.E_total, 1e-15, "E_total");
                let burn_row = &burn.iter().find(|t| t.learning_rate == *lr).unwrap().rows[row.iteration];
                for k in 0..8 {
                    let grad = g.named(&format!("w{}", k + 1)).unwrap().grad;
                    close(grad, row.dE_dw[k], 1e-15, &format!("dE/dw{} at η {lr}", k + 1));
                    close(grad, burn_row.dE_dw[k], 1e-6, &format!("burn's dE/dw{} at η {lr}", k + 1));
                }
                // The deltas are the gradients at the neurons' inputs.
                close(g.named("o1").unwrap().grad, row.dE_do[0], 1e-15, "δo1");
                close(g.named("h2").unwrap().grad, row.dE_dh[1], 1e-15, "δh2");
                // Every input comes before the node it feeds.
                for (id, node) in g.nodes.iter().enumerate() {
                    assert!(node.inputs.iter().all(|&i| i < id), "node {id} is computed from a later one");
                }
            }
        }
    }
}

/// Each formula the page shows, evaluated from the numbers it shows, is its cell's value; the
/// updates give the next row's weights; the paths' products add up to ∂E/∂w; the finite
/// differences agree with it to 1e-6.
#[test]
fn every_explained_number_is_its_formula_with_its_numbers() {
    use gradbook::tiny::explain::{explain, Pass};
    for bias in [None, Some([0.35, 0.6])] {
        let config = TinyConfig { bias, iterations: 30, ..Default::default() };
        let traces = exact::train_all(&config);
        for (lr, trace) in config.learning_rates.iter().zip(&traces) {
            for iteration in [0, 1, 12, 29] {
                let e = explain(&config, *lr, iteration).unwrap();
                let row = &trace.rows[iteration];
                assert_eq!(e.formulas.len(), trace::COLUMNS.len(), "one formula per column");
                for f in &e.formulas {
                    let k = trace::column(&f.column).unwrap();
                    close(f.value, row.values()[k], 1e-12, &format!("{} at iteration {iteration}, η {lr}", f.column));
                    // What feeds it: cells of this row, and (for a weight after iteration 0) the row before.
                    assert!(f.feeds.iter().all(|c| trace::column(&c.column).is_some()));
                    assert_eq!(f.feeds.iter().any(|c| c.previous), f.pass == Pass::Update, "{}", f.column);
                }
                let next = &trace.rows[iteration + 1];
                for (k, u) in e.updates.iter().enumerate() {
                    close(u.value, next.w[k], 1e-15, &format!("w{} at iteration {}", k + 1, iteration + 1));
                }
                for k in 0..8 {
                    assert_eq!(e.paths[k].len(), if k < 4 { 2 } else { 1 }, "w{}'s paths", k + 1);
                    let sum: f64 = e.paths[k].iter().map(|p| p.value).sum();
                    close(sum, row.dE_dw[k], 1e-15, &format!("w{}'s paths", k + 1));
                    close(e.numeric[k], row.dE_dw[k], 1e-6, &format!("finite differences for w{}", k + 1));
                }
            }
        }
    }
    // "What feeds ∂E/∂w5": δo1 and a_h1, as the sheet computes it.
    let e = explain(&TinyConfig::default(), 0.5, 0).unwrap();
    let w5 = e.formulas.iter().find(|f| f.column == "dE_dw5").unwrap();
    let feeds: Vec<&str> = w5.feeds.iter().map(|c| c.column.as_str()).collect();
    assert_eq!(feeds, ["dE_do1", "a_h1"]);
}
