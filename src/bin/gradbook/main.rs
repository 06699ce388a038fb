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

/// mimalloc 3's `mi_option_purge_delay` (its header's `mi_option_e`; the sys crate names no
/// constant for it).
#[cfg(not(target_arch = "wasm32"))]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;

    // mimalloc still hands freed pages back to the OS 10 ms later, and a training step frees
    // and reallocates the same megabytes every few milliseconds: each page then faults back in
    // zeroed (`clear_page`, 7 % of a `seed` step on one thread). Keep them: a run's memory
    // stays at its peak, which it reaches every step anyway.
    // SAFETY: an option setter, called before any thread starts.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };

    #[derive(Parser)]
    #[command(name = "gradbook", version, about = "Backprop by hand, and tiny CNNs on MNIST")]
    enum Command {
        /// Train the 2-2-2 sigmoid network of the Excel exercise for several learning rates.
        Tiny(tiny::TinyArgs),
        /// Print every MNIST model's layers, output shapes, parameters and receptive fields.
        Models(mnist::ModelsArgs),
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
        Command::Models(args) => mnist::models(args),
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
