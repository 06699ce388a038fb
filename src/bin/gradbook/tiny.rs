//! `gradbook tiny`: the Excel sheet as CSV, from the exact f64 path or from burn.

use std::str::FromStr;

use gradbook::device::{Backend, Compute};
use gradbook::tiny::{self, trace, TinyConfig};

#[derive(clap::ValueEnum, Clone, Copy, PartialEq)]
pub enum Engine {
    /// The hand-derived chain rule in f64 (the Excel columns).
    Exact,
    /// burn's autodiff, all learning rates in one batched computation (f32).
    Burn,
}

#[derive(clap::Args)]
pub struct TinyArgs {
    /// Learning rates, comma-separated; one independent network each.
    #[arg(long = "lr", value_delimiter = ',', default_value = "0.1,0.2,0.5,0.8,1.0,2.0")]
    learning_rates: Vec<f64>,
    /// Updates to make; rows 0..=N are printed (row 0 holds the initial weights).
    #[arg(long, default_value_t = 40)]
    iterations: usize,
    /// Fixed biases b1 (both hidden neurons) and b2 (both outputs), e.g. 0.35,0.60.
    #[arg(long, value_parser = pair)]
    bias: Option<[f64; 2]>,
    #[arg(long, value_enum, default_value = "exact")]
    engine: Engine,
    /// Where burn computes: flex (CPU) or wgpu (GPU).
    #[arg(long, default_value = "flex", value_parser = Backend::from_str)]
    device: Backend,
    /// i1,i2.
    #[arg(long, value_parser = pair, default_value = "0.05,0.10")]
    inputs: [f64; 2],
    /// t1,t2.
    #[arg(long, value_parser = pair, default_value = "0.01,0.99")]
    targets: [f64; 2],
    /// w1,...,w8.
    #[arg(long, value_parser = eight, default_value = "0.15,0.20,0.25,0.30,0.40,0.45,0.50,0.55")]
    weights: [f64; 8],
    /// Print every row as CSV instead of a summary.
    #[arg(long)]
    csv: bool,
}

fn numbers<const N: usize>(s: &str) -> Result<[f64; N], String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != N {
        return Err(format!("expected {N} comma-separated numbers, got {}", parts.len()));
    }
    let mut out = [0.0; N];
    for (o, p) in out.iter_mut().zip(parts) {
        *o = p.parse().map_err(|_| format!("'{p}' is not a number"))?;
    }
    Ok(out)
}

fn pair(s: &str) -> Result<[f64; 2], String> {
    numbers::<2>(s)
}

fn eight(s: &str) -> Result<[f64; 8], String> {
    numbers::<8>(s)
}

pub fn run(args: TinyArgs) -> Result<(), String> {
    let config = TinyConfig {
        inputs: args.inputs,
        targets: args.targets,
        weights: args.weights,
        bias: args.bias,
        learning_rates: args.learning_rates,
        iterations: args.iterations,
    };
    config.check().map_err(|e| e.to_string())?;

    let traces = match args.engine {
        Engine::Exact => tiny::exact::train_all(&config),
        Engine::Burn => {
            let compute = pollster::block_on(Compute::init(args.device));
            if let Some(reason) = &compute.fallback_reason {
                eprintln!("gradbook: {reason}; using the CPU (flex)");
            }
            pollster::block_on(tiny::autodiff::train_all(&config, &compute.device))?
        }
    };

    if args.csv {
        print!("{}", trace::to_csv(&traces));
        return Ok(());
    }
    let conclusion = tiny::conclusion::conclude(&traces);
    let reach_heading = format!("iterations to E<{}", conclusion.threshold);
    println!("{:>8} {:>14} {:>14} {:>22}", "lr", "E_total(0)", "E_total(end)", reach_heading);
    for (t, r) in traces.iter().zip(&conclusion.rates) {
        let reach = r.reached.map_or("not reached".to_string(), |i| i.to_string());
        println!("{:>8} {:>14.9} {:>14.9} {:>22}", t.learning_rate, t.rows[0].E_total, r.final_loss, reach);
    }
    Ok(())
}
