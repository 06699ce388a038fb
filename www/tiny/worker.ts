// Part 1's engine thread: every Rust call runs here, so the page never freezes while it trains.
import init, * as wasm from "../../pkg/gradbook.js";
import { serve } from "../serve";
import type { TinyApi } from "./protocol";

const handlers: { [M in keyof TinyApi]: (...args: TinyApi[M]["args"]) => unknown } = {
  tinyDefaults: () => wasm.tinyDefaults(),
  tinyValidate: (config) => wasm.tinyValidate(config),
  tinyExact: (config) => wasm.tinyExact(config),
  tinyBurn: (config, backend) => wasm.tinyBurn(config, backend),
  tinyCsv: (traces) => wasm.tinyCsv(traces),
};

serve(init(), handlers as { [method: string]: (...args: any[]) => unknown });
