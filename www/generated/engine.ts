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

export const TINY_DEFAULTS: TinyConfig = {"inputs":[0.05,0.1],"targets":[0.01,0.99],"weights":[0.15,0.2,0.25,0.3,0.4,0.45,0.5,0.55],"bias":null,"learningRates":[0.1,0.2,0.5,0.8,1.0,2.0],"iterations":40};

export type Row = { iteration: number, w: [number, number, number, number, number, number, number, number], h1: number, a_h1: number, h2: number, a_h2: number, o1: number, a_o1: number, o2: number, a_o2: number, E1: number, E2: number, E_total: number, 
/**
 * The deltas: ∂E_total/∂o1, ∂E_total/∂o2, the error at each output's input, which the
 * output weights' gradients multiply…
 */
dE_do: [number, number], 
/**
 * …and ∂E_total/∂h1, ∂E_total/∂h2, the same one layer back, for the input weights.
 */
dE_dh: [number, number], dE_dw: [number, number, number, number, number, number, number, number], };

export type Column = { name: string, label: string, field: keyof Row, index: number | null, };

export const ROW_COLUMNS: readonly Column[] = [{"name":"w1","label":"w1","field":"w","index":0},{"name":"w2","label":"w2","field":"w","index":1},{"name":"w3","label":"w3","field":"w","index":2},{"name":"w4","label":"w4","field":"w","index":3},{"name":"w5","label":"w5","field":"w","index":4},{"name":"w6","label":"w6","field":"w","index":5},{"name":"w7","label":"w7","field":"w","index":6},{"name":"w8","label":"w8","field":"w","index":7},{"name":"h1","label":"h1","field":"h1","index":null},{"name":"a_h1","label":"a_h1","field":"a_h1","index":null},{"name":"h2","label":"h2","field":"h2","index":null},{"name":"a_h2","label":"a_h2","field":"a_h2","index":null},{"name":"o1","label":"o1","field":"o1","index":null},{"name":"a_o1","label":"a_o1","field":"a_o1","index":null},{"name":"o2","label":"o2","field":"o2","index":null},{"name":"a_o2","label":"a_o2","field":"a_o2","index":null},{"name":"E1","label":"E1","field":"E1","index":null},{"name":"E2","label":"E2","field":"E2","index":null},{"name":"E_total","label":"E_total","field":"E_total","index":null},{"name":"dE_do1","label":"∂E/∂o1","field":"dE_do","index":0},{"name":"dE_do2","label":"∂E/∂o2","field":"dE_do","index":1},{"name":"dE_dh1","label":"∂E/∂h1","field":"dE_dh","index":0},{"name":"dE_dh2","label":"∂E/∂h2","field":"dE_dh","index":1},{"name":"dE_dw1","label":"∂E/∂w1","field":"dE_dw","index":0},{"name":"dE_dw2","label":"∂E/∂w2","field":"dE_dw","index":1},{"name":"dE_dw3","label":"∂E/∂w3","field":"dE_dw","index":2},{"name":"dE_dw4","label":"∂E/∂w4","field":"dE_dw","index":3},{"name":"dE_dw5","label":"∂E/∂w5","field":"dE_dw","index":4},{"name":"dE_dw6","label":"∂E/∂w6","field":"dE_dw","index":5},{"name":"dE_dw7","label":"∂E/∂w7","field":"dE_dw","index":6},{"name":"dE_dw8","label":"∂E/∂w8","field":"dE_dw","index":7}];

export type Trace = { learningRate: number, rows: Array<Row>, };

export type Conclusion = { 
/**
 * Iterations each rate ran.
 */
iterations: number, 
/**
 * A tenth of the starting loss, to two significant digits: "how soon" is measured to it.
 */
threshold: number, rates: Array<RateOutcome>, 
/**
 * The learning rate with the lowest final loss.
 */
best: number, trend: Trend, };

export type RateOutcome = { learningRate: number, finalLoss: number, 
/**
 * The first iteration whose loss is below the threshold, if one is.
 */
reached: number | null, };

export type Trend = "one" | "largerIsLower" | "overshoots";

export type ExactRun = { traces: Array<Trace>, conclusion: Conclusion, };

export type Explanation = { learningRate: number, iteration: number, 
/**
 * Every column of the row, in the step-through's order: forward, then backward.
 */
formulas: Array<Formula>, 
/**
 * w ← w − η·∂E/∂w, which gives the next iteration's weights.
 */
updates: Array<Formula>, 
/**
 * For each weight, its paths from E_total (one for w5…w8, two for w1…w4).
 */
paths: Array<Array<Path>>, 
/**
 * E_total's computation graph, from the scalar engine (graph.rs).
 */
graph: Graph, 
/**
 * Central finite differences (E(w + h) − E(w − h)) / 2h for each weight.
 */
numeric: [number, number, number, number, number, number, number, number], 
/**
 * The step h they use.
 */
step: number, };

export type Formula = { 
/**
 * The column it fills (for an update: the weight it gives the next iteration).
 */
column: string, 
/**
 * How the page names it: the table's heading (an update's says which iteration it gives).
 */
label: string, pass: Pass, pieces: Array<Piece>, 
/**
 * The cells it is computed from, each once.
 */
feeds: Array<Cell>, value: number, 
/**
 * Where it sits on the diagram: a neuron ("h1"), a weight's edge ("w5"), "E1", "E_total".
 */
at: string, };

export type Pass = "given" | "forward" | "backward" | "update";

export type Piece = { text: string, value: number | null, cell: Cell | null, };

export type Cell = { column: string, previous: boolean, };

export type Factor = { 
/**
 * In symbols: "∂a_o1/∂o1".
 */
symbol: string, pieces: Array<Piece>, value: number, at: string, };

export type Path = { factors: Array<Factor>, value: number, };

export type Graph = { nodes: Array<Node>, };

export type Node = { 
/**
 * The name the sheet gives the value ("h1", "w5"), or "" for an unnamed intermediate.
 */
name: string, op: Op, value: number, 
/**
 * ∂E_total/∂(this node), once `backward` has run.
 */
grad: number, 
/**
 * The nodes this one is computed from.
 */
inputs: Array<number>, };

export type Op = "leaf" | "add" | "sub" | "mul" | "sigmoid" | "square" | "half";

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

export type TrainConfig = { model: ModelChoice, 
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
reportEvery: number, 
/**
 * On the CPU, each batch is cut into this many slices whose gradients are computed side by
 * side, each by a replica of the model (the page's Web Workers; `super::parallel`): what the
 * run computes depends on it (batch norm sees each slice's statistics), not on how many
 * cores share the slices. 1: the whole batch at once, as on the GPU, which ignores it.
 */
workers: number, 
/**
 * Tests of the whole test set spread evenly over the last epoch, besides the one after
 * each epoch: when a short run crosses an accuracy shows to within a fraction of an
 * epoch. Each costs a pass over the test images.
 */
lastEpochTests: number, 
/**
 * The fraction of the run's steps, at its end, whose weights are averaged into the model
 * that is tested and kept (0: the last step's weights).
 */
averageLast: number, };

export const RECIPE_ABOUT: Readonly<Record<string, string>> = {"compact":"our 7,936-parameter model, 15 epochs: 99.55 % on average, the most accurate here and the slowest to get there","quick":"99.4 % in three epochs, a class period's run: about twice compact's parameters (15,408) to come within 0.1 % of it five times sooner","seed":"the exercise's final model and recipe: 19 epochs with augmentation and dropout, about 99.4 %","seed-aug":"the exercise's second experiment: augmentation without dropout","seed-plain":"the exercise's first experiment: no augmentation, no dropout, batch 128","tiny":"the fewest parameters that reach 99.4 % (3,944, under half of compact's): compact's 15 epochs at twice the rate, the last three averaged, for 0.1 % less"};

export const RECIPES: readonly (readonly [string, TrainConfig])[] = [["seed",{"model":"seed","dropout":true,"epochs":19,"batchSize":64,"lr":0.01,"optimizer":{"kind":"sgd","momentum":0.9,"nesterov":false,"weightDecay":0.0},"schedule":{"kind":"step","every":8,"gamma":0.25},"labelSmoothing":0.0,"augment":{"rotation":5.0,"affineRotation":8.0,"translate":0.15,"scale":0.15,"brightness":0.1,"contrast":0.1,"interpolation":"nearest"},"cleanEpochs":0,"seed":1,"limitTrain":null,"limitTest":null,"reportEvery":50,"workers":1,"lastEpochTests":0,"averageLast":0.0}],["seed-plain",{"model":"seed","dropout":false,"epochs":19,"batchSize":128,"lr":0.01,"optimizer":{"kind":"sgd","momentum":0.9,"nesterov":false,"weightDecay":0.0},"schedule":{"kind":"step","every":8,"gamma":0.25},"labelSmoothing":0.0,"augment":{"rotation":0.0,"affineRotation":0.0,"translate":0.0,"scale":0.0,"brightness":0.0,"contrast":0.0,"interpolation":"bilinear"},"cleanEpochs":0,"seed":1,"limitTrain":null,"limitTest":null,"reportEvery":50,"workers":1,"lastEpochTests":0,"averageLast":0.0}],["seed-aug",{"model":"seed","dropout":false,"epochs":19,"batchSize":64,"lr":0.01,"optimizer":{"kind":"sgd","momentum":0.9,"nesterov":false,"weightDecay":0.0},"schedule":{"kind":"step","every":8,"gamma":0.25},"labelSmoothing":0.0,"augment":{"rotation":5.0,"affineRotation":8.0,"translate":0.15,"scale":0.15,"brightness":0.1,"contrast":0.1,"interpolation":"nearest"},"cleanEpochs":0,"seed":1,"limitTrain":null,"limitTest":null,"reportEvery":50,"workers":1,"lastEpochTests":0,"averageLast":0.0}],["compact",{"model":"compact","dropout":false,"epochs":15,"batchSize":32,"lr":0.1,"optimizer":{"kind":"sgd","momentum":0.9,"nesterov":true,"weightDecay":0.00005},"schedule":{"kind":"oneCycle","warmup":0.2,"div":10.0,"finalDiv":100.0},"labelSmoothing":0.05,"augment":{"rotation":0.0,"affineRotation":6.0,"translate":0.08,"scale":0.08,"brightness":0.0,"contrast":0.0,"interpolation":"bilinear"},"cleanEpochs":4,"seed":1,"limitTrain":null,"limitTest":null,"reportEvery":50,"workers":1,"lastEpochTests":0,"averageLast":0.0}],["quick",{"model":"quick","dropout":false,"epochs":3,"batchSize":32,"lr":0.2,"optimizer":{"kind":"sgd","momentum":0.9,"nesterov":true,"weightDecay":0.00005},"schedule":{"kind":"oneCycle","warmup":0.2,"div":10.0,"finalDiv":100.0},"labelSmoothing":0.05,"augment":{"rotation":0.0,"affineRotation":0.0,"translate":0.0,"scale":0.0,"brightness":0.0,"contrast":0.0,"interpolation":"bilinear"},"cleanEpochs":0,"seed":1,"limitTrain":null,"limitTest":null,"reportEvery":50,"workers":1,"lastEpochTests":4,"averageLast":0.0}],["tiny",{"model":"tiny","dropout":false,"epochs":15,"batchSize":32,"lr":0.2,"optimizer":{"kind":"sgd","momentum":0.9,"nesterov":true,"weightDecay":0.00005},"schedule":{"kind":"oneCycle","warmup":0.2,"div":10.0,"finalDiv":100.0},"labelSmoothing":0.0,"augment":{"rotation":0.0,"affineRotation":6.0,"translate":0.08,"scale":0.08,"brightness":0.0,"contrast":0.0,"interpolation":"bilinear"},"cleanEpochs":4,"seed":1,"limitTrain":null,"limitTest":null,"reportEvery":50,"workers":1,"lastEpochTests":0,"averageLast":0.2}]];

export const OPTIMIZER_KINDS: readonly OptimizerConfig[] = [{"kind":"sgd","momentum":0.9,"nesterov":false,"weightDecay":0.0},{"kind":"adam","weightDecay":0.0}];

export const SCHEDULE_KINDS: readonly Schedule[] = [{"kind":"constant"},{"kind":"step","every":8,"gamma":0.25},{"kind":"oneCycle","warmup":0.2,"div":10.0,"finalDiv":100.0}];

export const INTERPOLATIONS: readonly Interpolation[] = ["bilinear","nearest"];

export const WORKER_LIMITS: Readonly<{ max: number; defaultCap: number }> = {"defaultCap":4,"max":16};

export const MNIST_FILES: readonly string[] = ["train-images-idx3-ubyte.gz","train-labels-idx1-ubyte.gz","t10k-images-idx3-ubyte.gz","t10k-labels-idx1-ubyte.gz"];

export const MNIST_SHA256: Readonly<Record<string, string>> = {"t10k-images-idx3-ubyte.gz":"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7","t10k-labels-idx1-ubyte.gz":"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2","train-images-idx3-ubyte.gz":"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db","train-labels-idx1-ubyte.gz":"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"};

export const MNIST_MIRRORS: readonly string[] = ["https://ossci-datasets.s3.amazonaws.com/mnist/","https://storage.googleapis.com/cvdf-datasets/mnist/","https://yann.lecun.com/exdb/mnist/"];

export type TrainRequest = { config: TrainConfig, preference: Preference, resume: Resume | null, };

export type Resume = { checkpoint: Uint8Array, epochsDone: number, };

export type Invalid = { field: string, message: string, };

export type Architecture = "seed" | "compact" | "quick" | "tiny" | "compact-v2" | "compact-v1" | "compact-wide";

export type ModelChoice = Architecture | ModelSpec;

export type ModelSpec = { name: string, 
/**
 * One line about it; a design may leave it empty.
 */
about: string, layers: Array<Layer>, };

export type Layer = { "kind": "conv", out: number, kernel: number, pad: number, bias: boolean, } | { "kind": "depthwise", kernel: number, pad: number, } | { "kind": "relu" } | { "kind": "batchNorm" } | { "kind": "dropout", p: number, } | { "kind": "maxPool" } | { "kind": "avgPool", kernel: number, } | { "kind": "globalAvgPool" } | { "kind": "linear", out: number, };

export type DesignError = { layer: number | null, message: string, };

export type DesignCheck = { rows: Array<SummaryRow>, total: number, error: DesignError | null, };

export const MODEL_BUDGETS: readonly number[] = [20000,8000];

export type LayerPreset = { label: string, layer: Layer, };

export const LAYER_PRESETS: readonly LayerPreset[] = [{"label":"3×3 conv","layer":{"kind":"conv","out":8,"kernel":3,"pad":1,"bias":false}},{"label":"1×1 conv (mixes channels)","layer":{"kind":"conv","out":8,"kernel":1,"pad":0,"bias":false}},{"label":"depthwise 3×3 conv","layer":{"kind":"depthwise","kernel":3,"pad":1}},{"label":"batch norm","layer":{"kind":"batchNorm"}},{"label":"ReLU","layer":{"kind":"relu"}},{"label":"dropout","layer":{"kind":"dropout","p":0.1}},{"label":"2×2 max-pool","layer":{"kind":"maxPool"}},{"label":"average pool","layer":{"kind":"avgPool","kernel":2}},{"label":"global average pool","layer":{"kind":"globalAvgPool"}},{"label":"linear","layer":{"kind":"linear","out":10}}];

export const MODEL_LIMITS: Readonly<Record<string, number>> = {"name":40,"side":28,"width":1024};

export type LayerKind = "conv" | "depthwise" | "relu" | "batchNorm" | "dropout" | "maxPool" | "avgPool" | "globalAvgPool" | "linear";

export type SummaryRow = { kind: LayerKind, 
/**
 * The layer in words: "Conv 3×3 1→16, pad 1".
 */
layer: string, shape: [number, number, number], params: number, receptiveField: number, };

export type ModelInfo = { rows: Array<SummaryRow>, total: number, name: string, 
/**
 * One line about it; a design may leave it empty.
 */
about: string, layers: Array<Layer>, };

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

export type TestPoint = { epoch: number, 
/**
 * The batches of the epoch done (all of them at its end).
 */
batch: number, batches: number, 
/**
 * The run's time when the test finished, its tests included and its pauses not.
 */
seconds: number, accuracy: number, loss: number, };

export const MILESTONES: readonly number[] = [99.0,99.4];

export type Evaluation = { loss: number, accuracy: number, 
/**
 * `confusion[true][predicted]`.
 */
confusion: number[][], 
/**
 * The images predicted wrongly, in test-set order.
 */
misclassified: Array<Mistake>, };

export type Mistake = { index: number, label: number, predicted: number, };

export type Outcome = { "kind": "completed" } | { "kind": "stopped", epoch: number, batch: number, } | { "kind": "diverged", epoch: number, batch: number, kept: Kept, };

export type Kept = { "kind": "batch", epoch: number, batch: number, } | { "kind": "epoch", epoch: number, } | { "kind": "start" };

export type Place = { epoch: number, batch: number, };

export type RunSummary = { epochs: Array<EpochMetrics>, tests: Array<TestPoint>, evaluation: Evaluation | null, outcome: Outcome, 
/**
 * Why the run ended early, in words (stopped, diverged), if it did.
 */
message: string | null, 
/**
 * How a resumed run began, if not exactly where it stopped (an old weights-only file).
 */
note: string | null, backend: Backend, fallbackReason: string | null, };

export type Backend = "flex" | "wgpu";

export type Preference = "auto" | "flex" | "wgpu";

export const PREFERENCES: readonly Preference[] = ["auto","flex","wgpu"];

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

export type Grid = { shape: Array<number>, values: Array<number>, };

export type Inspection = { filters: Grid, maps: Grid, probabilities: Array<number>, };

export type DeviceChoice = { backend: Backend, adapter: Adapter | null, 
/**
 * The badge's line, e.g. "WebGPU (SwiftShader Device, software) 1,150 ms/step · CPU 120
 * ms/step → training on the CPU".
 */
summary: string, timings: Array<StepTiming>, };
