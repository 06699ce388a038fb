// The shapes the Rust core sends and takes (src/tiny/config.rs, src/tiny/trace.rs).

export interface TinyConfig {
  inputs: [number, number];
  targets: [number, number];
  weights: number[]; // w1..w8
  bias: [number, number] | null;
  learningRates: number[];
  iterations: number;
}

/** One row of the Excel sheet: every number of one iteration. */
export interface Row {
  iteration: number;
  w: number[];
  h1: number;
  a_h1: number;
  h2: number;
  a_h2: number;
  o1: number;
  a_o1: number;
  o2: number;
  a_o2: number;
  E1: number;
  E2: number;
  E_total: number;
  dE_dw: number[];
}

export interface Trace {
  learningRate: number;
  rows: Row[];
}

export interface ConfigError {
  field: string;
  message: string;
}

export interface BurnRun {
  traces: Trace[];
  backend: "wgpu" | "flex";
  /** Where it ran, in the engine's words: "the CPU", "WebGPU on SwiftShader Device, software". */
  device: string;
  fallbackReason: string | null;
  maxAbsDifference: number;
  millis: number;
}
