// Part 1's calls, as the engine worker (www/worker.ts) answers them.
import { emit, yieldToMessages, type Wasm } from "../serve";
import type { TinyApi } from "./protocol";

// A burn run is superseded by the next one asked for: it stops at its next report, within
// about 50 ms, instead of the whole engine being restarted (which would lose Part 2's data).
let burnRun = 0;

export const tinyHandlers = (wasm: Wasm): { [M in keyof TinyApi]: (...args: TinyApi[M]["args"]) => unknown } => ({
  tinyValidate: (config) => wasm.tinyValidate(config),
  tinyExact: (config) => wasm.tinyExact(config),
  tinyBurn: (config, backend) => {
    const mine = ++burnRun;
    return wasm.tinyBurn(config, backend, async (done: number, total: number) => {
      emit("tinyProgress", { done, total });
      // Lets the page's other calls (Part 2's too) in before the run goes on.
      await yieldToMessages();
      return mine === burnRun ? "go" : "stop";
    });
  },
  tinyCsv: (traces) => wasm.tinyCsv(traces),
  tinyExplain: (config, learningRate, iteration) => wasm.tinyExplain(config, learningRate, iteration),
});
