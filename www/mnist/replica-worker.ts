// A replica worker: one more copy of the CPU engine, computing slices of each training batch
// for the engine worker (www/mnist/replicas.ts; src/mnist/run/replica.rs says what a slice is).
// It holds no data and no run: every task brings the weights and the images it needs, so a
// fresh replica after a crash answers the same as the one it replaces.
import cpuModule from "../../pkg/gradbook_cpu_bg.wasm.xz?url";
import { loadEngineModule } from "../engine-module";
import { serve } from "../serve";

/** A replica's calls (www/engine.ts carries them). */
export type ReplicaApi = {
  /** An encoded task in, the encoded answer out. */
  answer: { args: [Uint8Array]; result: Uint8Array };
  /** For tests: traps this replica's engine, as running out of memory would. */
  crash: { args: []; result: void };
  /** For tests: this replica never answers again, as a worker stuck loading would not. */
  hang: { args: []; result: void };
};

let hung = false;

async function start(): Promise<{ [M in keyof ReplicaApi]: (...args: ReplicaApi[M]["args"]) => unknown }> {
  const wasm = await import("../../pkg/gradbook_cpu.js");
  await loadEngineModule(new URL(cpuModule, self.location.href).href, (response) => wasm.default({ module_or_path: response }));
  return {
    answer: (task) => (hung ? new Promise(() => {}) : wasm.replicaAnswer(task)),
    crash: () => wasm.mnistCrash(),
    hang: () => void (hung = true),
  };
}

serve(start());
