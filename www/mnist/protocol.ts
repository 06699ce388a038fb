// Part 2's engine API (www/mnist/handlers.ts). What the Rust core sends back and takes is
// generated from its types (www/generated/engine.ts); only the page's own shapes live here.
import type { AugmentConfig, Backend, DesignCheck, DeviceChoice, EpochMetrics, Evaluation, Inspection, Invalid, ModelChoice, ModelInfo, Place, RunSummary, StepTiming, TrainConfig, TrainRequest } from "../generated/engine";

export type {
  Adapter,
  Architecture,
  AugmentConfig as Augment,
  Backend,
  DesignCheck,
  DesignError,
  DeviceChoice,
  EpochMetrics,
  Evaluation,
  Grid,
  Inspection,
  Invalid,
  Kept,
  Layer,
  Mistake,
  ModelChoice,
  ModelInfo,
  ModelSpec,
  OptimizerConfig as Optimizer,
  Outcome,
  Place,
  Progress,
  RunSummary,
  Schedule,
  StepTiming,
  SummaryRow,
  TrainConfig,
  TestPoint,
  TrainRequest,
} from "../generated/engine";

/** Images as 784 bytes each, and their labels. */
export interface Digits {
  pixels: Uint8Array;
  labels: Uint8Array;
}

export type MnistApi = {
  /** Fetches (or takes from the cache) and parses the four files under `baseUrl`; sends "download" events. */
  load: { args: [baseUrl: string]; result: { train: number; test: number; cached: boolean } };
  models: { args: []; result: ModelInfo[] };
  recipes: { args: []; result: [string, TrainConfig][] };
  validate: { args: [TrainConfig]; result: Invalid | null };
  /** A model (a built-in name or a design) checked layer by layer. */
  checkModel: { args: [ModelChoice]; result: DesignCheck };
  images: { args: ["train" | "test", number[]]; result: Digits };
  augmented: { args: [number[], AugmentConfig, number]; result: Uint8Array };
  /** "auto" times a few steps on WebGPU and the CPU and picks the faster. */
  chooseDevice: { args: [TrainConfig, "auto" | Backend]; result: DeviceChoice };
  /** Times training steps (after warm-up ones) and counts their GPU kernels. */
  bench: { args: [TrainConfig, Backend, number, number]; result: StepTiming };
  /** For tests: destroys the WebGPU device under the engine, as a driver reset would. */
  loseGpu: { args: []; result: boolean };
  crash: { args: []; result: void };
  /** For tests: crashes replica worker `replica` (1-based) of the run under way ("trap", as running out of memory would) or makes it hang; whether there was one. */
  crashReplica: { args: [replica: number, how?: "trap" | "hang"]; result: boolean };
  /** Sends "progress", "epoch" and "checkpoint" events; resolves when the run ends. */
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
}

/** A replica worker went away, and what the run does about it. */
export interface ReplicaEvent {
  /** 1-based (the engine itself computes the first slice); null: all of them. */
  replica: number | null;
  message: string;
}

/** The run saved (after every epoch and every half minute), to resume exactly there. */
export interface CheckpointEvent {
  checkpoint: Uint8Array;
  place: Place;
}

