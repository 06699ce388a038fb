// The four canonical MNIST files, in the order the engine takes them. The site serves them
// under mnist/ (vite.config.ts copies them there from MNIST_DIR).
export const MNIST_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

/** The Cache API store that keeps them in the browser between visits. */
export const MNIST_CACHE = "gradbook-mnist-v1";
