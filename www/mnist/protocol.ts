// Part 2's engine API: its calls are written once, as the engine worker answers them
// (www/mnist/handlers.ts), with the Rust boundary's types. What the Rust core sends back and
// takes is generated from its types (www/generated/engine.ts); only the page's own shapes
// (its events) live here.
import type { EpochMetrics, Place } from "../generated/engine";

export type { MnistApi } from "./handlers";

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

