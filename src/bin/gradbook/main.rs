//! `gradbook`: the notebook's engine on the command line, for scripted runs and benchmarks.

#[cfg(not(target_arch = "wasm32"))]
mod tiny;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;

    #[derive(Parser)]
    #[command(name = "gradbook", version, about = "Backprop by hand, and tiny CNNs on MNIST")]
    enum Command {
        /// Train the 2-2-2 sigmoid network of the Excel exercise for several learning rates.
        Tiny(tiny::TinyArgs),
    }

    let result = match Command::parse() {
        Command::Tiny(args) => tiny::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gradbook: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

// The CLI is native only; this keeps `cargo test --target wasm32-unknown-unknown` building.
#[cfg(target_arch = "wasm32")]
fn main() {}
