// The four canonical MNIST files, in the order the engine takes them (named by the Rust core,
// src/mnist/data/mod.rs). The site serves them under mnist/ (vite.config.ts copies them there from
// MNIST_DIR).
export { MNIST_FILES } from "../generated/engine";

/** The Cache API store that keeps them in the browser between visits. */
export const MNIST_CACHE = "gradbook-mnist-v1";
