//! `gradbook`: the notebook's engine on the command line, for scripted runs and benchmarks.

#[cfg(not(target_arch = "wasm32"))]
mod download;
#[cfg(not(target_arch = "wasm32"))]
mod mnist;
#[cfg(not(target_arch = "wasm32"))]
mod tiny;

// Flex allocates a fresh buffer per tensor op; glibc's malloc returns the big ones to the OS
// each time and page-faults them back in, a third of a training step. mimalloc keeps them.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;

    #[derive(Parser)]
    #[command(name = "gradbook", version, about = "Backprop by hand, and tiny CNNs on MNIST")]
    enum Command {
        /// Train the 2-2-2 sigmoid network of the Excel exercise for several learning rates.
        Tiny(tiny::TinyArgs),
        /// Print every MNIST model's layers, output shapes, parameters and receptive fields.
        Models,
        /// Train an MNIST recipe, printing the seed notebook's log.
        Mnist(mnist::MnistArgs),
        /// Test accuracy and confusion matrix of saved weights.
        Eval(mnist::EvalArgs),
        /// Time MNIST training steps (compare with bench/pytorch_mnist.py).
        Bench(mnist::BenchArgs),
        /// Fetch the MNIST files into a folder and verify their checksums.
        Download(download::DownloadArgs),
    }

    let result = match Command::parse() {
        Command::Tiny(args) => tiny::run(args),
        Command::Models => mnist::models(),
        Command::Mnist(args) => mnist::mnist(args),
        Command::Eval(args) => mnist::eval(args),
        Command::Bench(args) => mnist::bench(args),
        Command::Download(args) => download::run(args),
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
