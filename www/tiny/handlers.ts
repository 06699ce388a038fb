// Part 1's calls, as the engine worker (www/worker.ts) answers them.
import type { ApiOf } from "../protocol";
import { emit, yieldToMessages, type Wasm } from "../serve";
import type { Backend } from "../generated/engine";
import type { TinyConfig } from "./types";

// A burn run is superseded by the next one asked for: it stops at its next report, within
// about 50 ms, instead of the whole engine being restarted (which would lose Part 2's data).
let burnRun = 0;

export const tinyHandlers = (wasm: Wasm) => ({
  tinyValidate: wasm.tinyValidate,
  tinyExact: wasm.tinyExact,
  tinyBurn: (config: TinyConfig, backend: Backend) => {
    const mine = ++burnRun;
    return wasm.tinyBurn(config, backend, async (done: number, total: number) => {
      emit("tinyProgress", { done, total });
      // Lets the page's other calls (Part 2's too) in before the run goes on.
      await yieldToMessages();
      return mine === burnRun ? "go" : "stop";
    });
  },
  tinyCsv: wasm.tinyCsv,
  tinyExplain: wasm.tinyExplain,
});

export type TinyApi = ApiOf<ReturnType<typeof tinyHandlers>>;
