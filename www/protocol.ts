// The messages between the page and the engine worker: one request type per engine call.
import type { BurnRun, ConfigError, TinyConfig, Trace } from "./tiny/types";

export interface Requests {
  tinyDefaults: { args: []; result: TinyConfig };
  tinyValidate: { args: [TinyConfig]; result: ConfigError | null };
  tinyExact: { args: [TinyConfig]; result: Trace[] };
  tinyBurn: { args: [TinyConfig, "wgpu" | "flex"]; result: BurnRun };
  tinyCsv: { args: [Trace[]]; result: string };
}

export type Method = keyof Requests;

export interface Request<M extends Method = Method> {
  id: number;
  method: M;
  args: Requests[M]["args"];
}

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };
