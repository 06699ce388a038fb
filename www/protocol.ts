// The messages between the page and the engine worker: one request type per engine call.
import type { BurnRun, ConfigError, TinyConfig, Trace } from "./tiny/types";

export type Requests = {
  tinyDefaults: { args: []; result: TinyConfig };
  tinyValidate: { args: [TinyConfig]; result: ConfigError | null };
  tinyExact: { args: [TinyConfig]; result: Trace[] };
  tinyBurn: { args: [TinyConfig, "wgpu" | "flex"]; result: BurnRun };
  tinyCsv: { args: [Trace[]]; result: string };
};

export type Method = keyof Requests;

/** What any worker API looks like: per method, its arguments and its result. */
export type Api = { [method: string]: { args: unknown[]; result: unknown } };

export interface Request {
  id: number;
  method: string;
  args: unknown[];
}

/** Sent by a worker between answers, e.g. a training run's progress. */
export interface WorkerEvent {
  event: string;
  data: unknown;
}

export type Response =
  | { id: number; ok: true; result: unknown }
  // `crashed`: the call trapped the wasm instance (out of memory, an abort), which is unusable now.
  | { id: number; ok: false; error: string; crashed?: boolean };
