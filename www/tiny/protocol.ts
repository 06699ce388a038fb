// Part 1's engine API (www/tiny/handlers.ts, in the page's one engine worker): one entry per call, its arguments and its result.
import type { BurnRun, ConfigError, ExactRun, Explanation, TinyConfig, Trace } from "./types";

export type TinyApi = {
  tinyValidate: { args: [TinyConfig]; result: ConfigError | null };
  tinyExact: { args: [TinyConfig]; result: ExactRun };
  tinyBurn: { args: [TinyConfig, "wgpu" | "flex"]; result: BurnRun };
  tinyCsv: { args: [Trace[]]; result: string };
  tinyExplain: { args: [TinyConfig, number, number]; result: Explanation };
};
