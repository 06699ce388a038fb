// Part 2's engine API (www/mnist/worker.ts), and the shapes of what the Rust core sends back
// (src/mnist, src/web/mnist.rs), field for field.

export interface Augment {
  rotation: number;
  affineRotation: number;
  translate: number;
  scale: number;
  brightness: number;
  contrast: number;
  /** One smooth bilinear pass (colour in floating point), or torchvision's way on PIL images:
   *  nearest-neighbour per transform, then 8-bit brightness/contrast in a random order. */
  interpolation: "bilinear" | "nearest";
}

export type Optimizer =
  | { kind: "sgd"; momentum: number; nesterov: boolean; weightDecay: number }
  | { kind: "adam"; weightDecay: number };

export type Schedule =
  | { kind: "constant" }
  | { kind: "step"; every: number; gamma: number }
  | { kind: "oneCycle"; warmup: number; div: number; finalDiv: number };

export interface TrainConfig {
  model: string;
  dropout: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: Optimizer;
  schedule: Schedule;
  labelSmoothing: number;
  augment: Augment;
  cleanEpochs: number;
  seed: number;
  limitTrain: number | null;
  limitTest: number | null;
  reportEvery: number;
}

export interface SummaryRow {
  layer: string;
  shape: [number, number, number];
  params: number;
  receptiveField: number;
}

export interface ModelInfo {
  name: string;
  about: string;
  rows: SummaryRow[];
  total: number;
}

export interface Progress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  recentLoss: number;
  accuracy: number;
  lr: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  lr: number;
  seconds: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  confusion: number[][];
  misclassified: number[];
}

export type Outcome =
  | { kind: "completed" }
  | { kind: "stopped"; epoch: number; batch: number }
  | { kind: "diverged"; epoch: number; batch: number; kept: Kept };

/** Which weights a diverged run kept (src/mnist/train.rs `Kept`). */
export type Kept = { kind: "batch"; epoch: number; batch: number } | { kind: "epoch"; epoch: number } | { kind: "start" };

export type Backend = "wgpu" | "flex";

export interface Adapter {
  name: string;
  api: string;
  software: boolean;
}

/** One benchmark (src/mnist/bench.rs). */
export interface StepTiming {
  model: string;
  batch: number;
  device: Backend;
  adapter: Adapter | null;
  msPerStep: number;
  kernelsPerStep: number | null;
  kernels?: [string, number][];
}

/** Where a run trains, decided by the engine (src/mnist/bench.rs `choose`). */
export interface DeviceChoice {
  backend: Backend;
  adapter: Adapter | null;
  /** The badge's line, e.g. "WebGPU (SwiftShader Device, software) 1,150 ms/step · CPU 120 ms/step → training on the CPU". */
  summary: string;
  timings: StepTiming[];
}

export interface RunSummary {
  epochs: EpochMetrics[];
  evaluation: Evaluation | null;
  outcome: Outcome;
  message: string | null;
  backend: Backend;
  fallbackReason: string | null;
}

export interface Grid {
  shape: number[];
  values: number[];
}

export interface Inspection {
  filters: Grid;
  maps: Grid;
  probabilities: number[];
}

/** Images as 784 bytes each, and their labels. */
export interface Digits {
  pixels: Uint8Array;
  labels: Uint8Array;
}

export interface TrainRequest {
  config: TrainConfig;
  backend: Backend;
  /** A checkpoint to continue from, taken after `epochsDone` epochs. */
  resume: Uint8Array | null;
  epochsDone: number;
}

export type MnistApi = {
  /** Fetches (or takes from the cache) and parses the four files under `baseUrl`; sends "download" events. */
  load: { args: [baseUrl: string]; result: { train: number; test: number; cached: boolean } };
  models: { args: []; result: ModelInfo[] };
  recipes: { args: []; result: [string, TrainConfig][] };
  validate: { args: [TrainConfig]; result: Invalid | null };
  images: { args: ["train" | "test", number[]]; result: Digits };
  augmented: { args: [number[], Augment, number]; result: Uint8Array };
  /** "auto" times a few steps on WebGPU and the CPU and picks the faster. */
  chooseDevice: { args: [TrainConfig, "auto" | Backend]; result: DeviceChoice };
  /** Times training steps (after warm-up ones) and counts their GPU kernels. */
  bench: { args: [TrainConfig, Backend, number, number]; result: StepTiming };
  /** For tests: destroys the WebGPU device under the engine, as a driver reset would. */
  loseGpu: { args: []; result: boolean };
  crash: { args: []; result: void };
  /** Sends "progress" and "epoch" events; resolves when the run ends. */
  train: { args: [TrainRequest]; result: RunSummary };
  pause: { args: []; result: void };
  resume: { args: []; result: void };
  stop: { args: []; result: void };
  loadWeights: { args: [Uint8Array, string | null]; result: string };
  weights: { args: []; result: Uint8Array };
  evaluate: { args: []; result: Evaluation };
  predict: { args: [Float32Array]; result: Float32Array };
  inspect: { args: [Float32Array]; result: Inspection };
};

export interface DownloadEvent {
  file: string;
  loaded: number;
  total: number | null;
}

export interface EpochEvent {
  metrics: EpochMetrics;
  checkpoint: Uint8Array;
}

/** Why settings cannot train (Rust's `config::Invalid`): the setting at fault, as a form field
 *  path (`optimizer.momentum`), and the rule. */
export interface Invalid {
  field: string;
  message: string;
}
