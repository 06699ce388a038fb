// The engine thread: one wasm instance of the Rust core answers both parts of the notebook, so
// the page holds one copy of the engine's code and memory, not one per part.
//
// Which copy: the one with the GPU path (pkg/gradbook.js) only where the browser hands out a
// WebGPU adapter. Elsewhere that code could never run, and the CPU-only build of the same
// crate (pkg/gradbook_cpu.js, `--no-default-features`) is far lighter to download, compile
// and hold (docs/results.md). Both answer the same calls; only the one chosen is fetched, and
// the page is told which, so that only that one is kept for offline use (www/offline.ts).
import cpuModule from "../pkg/gradbook_cpu_bg.wasm?url";
import gpuModule from "../pkg/gradbook_bg.wasm?url";
import { mnistHandlers } from "./mnist/handlers";
import { emit, serve, type Wasm } from "./serve";
import { tinyHandlers } from "./tiny/handlers";

type Gpu = { requestAdapter(): Promise<unknown> };

async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: Gpu }).gpu;
  return !!gpu && !!(await gpu.requestAdapter().catch(() => null));
}

async function start() {
  try {
    const [wasm, module]: [Wasm, string] = (await hasWebGpu())
      ? [await import("../pkg/gradbook.js"), gpuModule]
      : [await import("../pkg/gradbook_cpu.js"), cpuModule];
    const url = new URL(module, self.location.href).href;
    await wasm.default({ module_or_path: url });
    emit("engine", { module: url });
    return { ...tinyHandlers(wasm), ...mnistHandlers(wasm) } as { [method: string]: (...args: any[]) => unknown };
  } catch (e) {
    throw new Error(`the engine did not load: ${e instanceof Error ? e.message : String(e)}`);
  }
}

serve(start());
