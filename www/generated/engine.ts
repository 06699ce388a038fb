// Generated from the Rust types (src/boundary.rs `typescript`): do not edit.
// `GRADBOOK_WRITE_TYPES=1 cargo test --test typescript` writes it again.

export type TinyConfig = { 
/**
 * i1, i2.
 */
inputs: [number, number], 
/**
 * t1, t2: what a_o1 and a_o2 should become.
 */
targets: [number, number], 
/**
 * w1..w8 before the first update.
 */
weights: [number, number, number, number, number, number, number, number], 
/**
 * Optional fixed biases: b1 added to both hidden neurons, b2 to both outputs. Never trained.
 */
bias: [number, number] | null, 
/**
 * One independent network is trained per learning rate.
 */
learningRates: Array<number>, 
/**
 * Updates to make; the trace has `iterations + 1` rows (row 0 holds the initial weights).
 */
iterations: number, };

export type ConfigError = { field: string, message: string, };

export type Row = { iteration: number, w: [number, number, number, number, number, number, number, number], h1: number, a_h1: number, h2: number, a_h2: number, o1: number, a_o1: number, o2: number, a_o2: number, E1: number, E2: number, E_total: number, dE_dw: [number, number, number, number, number, number, number, number], };

export type Trace = { learningRate: number, rows: Array<Row>, };

export type BurnRun = { traces: Array<Trace>, backend: Backend, 
/**
 * Where it ran, in words: "the CPU", "WebGPU on SwiftShader Device, software".
 */
device: string, fallbackReason: string | null, maxAbsDifference: number, millis: number, };

export type AugmentConfig = { 
/**
 * RandomRotation: degrees, ±.
 */
rotation: number, 
/**
 * RandomAffine's own rotation: degrees, ±.
 */
affineRotation: number, 
/**
 * RandomAffine translate: fraction of the image size, ±.
 */
translate: number, 
/**
 * RandomAffine scale: the factor is drawn from [1 - scale, 1 + scale].
 */
scale: number, 
/**
 * ColorJitter brightness: factor in [1 - b, 1 + b].
 */
brightness: number, 
/**
 * ColorJitter contrast: factor in [1 - c, 1 + c].
 */
contrast: number, 
/**
 * How the geometric transforms resample (reports written before this existed are bilinear).
 */
interpolation: Interpolation, };

export type Interpolation = "bilinear" | "nearest";

export type OptimizerConfig = { "kind": "sgd", momentum: number, nesterov: boolean, weightDecay: number, } | { "kind": "adam", weightDecay: number, };

export type Schedule = { "kind": "constant" } | { "kind": "step", every: number, gamma: number, } | { "kind": "oneCycle", warmup: number, div: number, finalDiv: number, };

export type TrainConfig = { 
/**
 * A [`super::model::ModelSpec`] name.
 */
model: string, 
/**
 * Keep the model's dropout layers (false sets their probability to zero).
 */
dropout: boolean, epochs: number, batchSize: number, lr: number, optimizer: OptimizerConfig, schedule: Schedule, 
/**
 * 0 = plain cross-entropy (log-softmax + NLL).
 */
labelSmoothing: number, augment: AugmentConfig, 
/**
 * The last this many epochs train on the images as they are, without augmentation: the
 * model settles on the distribution it is tested on while the learning rate is small.
 * (More than `epochs` means no augmentation at all.)
 */
cleanEpochs: number, 
/**
 * Sent as a JS number (integers up to 2⁵³ are exact).
 */
seed: number, 
/**
 * Use only the first N training / test images (quick runs, tests).
 */
limitTrain: number | null, limitTest: number | null, 
/**
 * Read the running loss back from the device every this many batches.
 */
reportEvery: number, };

export type Invalid = { field: string, message: string, };

export type SummaryRow = { layer: string, shape: [number, number, number], params: number, receptiveField: number, };

export type ModelInfo = { name: string, about: string, rows: Array<SummaryRow>, total: number, };

export type Progress = { epoch: number, 
/**
 * Of `epochs`.
 */
epochs: number, 
/**
 * 1-based, of `batches`.
 */
batch: number, batches: number, 
/**
 * Mean loss over this epoch's batches so far.
 */
loss: number, 
/**
 * Mean loss over the batches since the previous report (what a per-batch plot shows).
 */
recentLoss: number, 
/**
 * Of this epoch's training images so far, in %.
 */
accuracy: number, lr: number, imagesPerSecond: number, 
/**
 * Since this epoch started.
 */
seconds: number, };

export type EpochMetrics = { epoch: number, trainLoss: number, trainAccuracy: number, testLoss: number, testAccuracy: number, 
/**
 * The learning rate at the epoch's last step.
 */
lr: number, seconds: number, };

export type Evaluation = { loss: number, accuracy: number, 
/**
 * `confusion[true][predicted]`.
 */
confusion: number[][], 
/**
 * Indices (in the test set) of the images predicted wrongly.
 */
misclassified: Array<number>, };

export type Outcome = { "kind": "completed" } | { "kind": "stopped", epoch: number, batch: number, } | { "kind": "diverged", epoch: number, batch: number, kept: Kept, };

export type Kept = { "kind": "batch", epoch: number, batch: number, } | { "kind": "epoch", epoch: number, } | { "kind": "start" };

export type Place = { epoch: number, batch: number, };

export type RunSummary = { epochs: Array<EpochMetrics>, evaluation: Evaluation | null, outcome: Outcome, 
/**
 * Why the run ended early, in words (stopped, diverged), if it did.
 */
message: string | null, 
/**
 * How a resumed run began, if not exactly where it stopped (an old weights-only file).
 */
note: string | null, backend: Backend, fallbackReason: string | null, };

export type Backend = "flex" | "wgpu";

export type Adapter = { 
/**
 * The driver's name for it, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)" or "NVIDIA H200"; in a
 * browser the adapter's description, which may be empty.
 */
name: string, 
/**
 * The graphics API under wgpu: Vulkan, Metal, Dx12, Gl, or BrowserWebGpu.
 */
api: string, 
/**
 * A CPU emulating a GPU: the driver says so (a CPU device type, or the browser's
 * fallback adapter), or the name is a known software renderer.
 */
software: boolean, };

export type StepTiming = { model: string, batch: number, device: Backend, 
/**
 * The GPU adapter, when on wgpu.
 */
adapter: Adapter | null, 
/**
 * Mean wall time of a timed step, the device waited for at the end.
 */
msPerStep: number, 
/**
 * Kernel launches per step (on wgpu; none on the CPU, which launches no kernels).
 */
kernelsPerStep: number | null, 
/**
 * The launches of one step by kernel name, most frequent first.
 */
kernels: Array<[string, number]>, };

export type DeviceChoice = { backend: Backend, adapter: Adapter | null, 
/**
 * The badge's line, e.g. "WebGPU (SwiftShader Device, software) 1,150 ms/step · CPU 120
 * ms/step → training on the CPU".
 */
summary: string, timings: Array<StepTiming>, };
