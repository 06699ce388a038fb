// The engine thread: one wasm instance of the Rust core answers both parts of the notebook, so
// the page holds one copy of the engine's code and memory, not one per part.
//
// Which copy: the one with the GPU path (pkg/gradbook.js) only where the browser hands out a
// WebGPU adapter. Elsewhere that code could never run, and the CPU-only build of the same
// crate (pkg/gradbook_cpu.js, `--no-default-features`) is far lighter to download, compile
// and hold (docs/results.md). Both answer the same calls; only the one chosen is fetched
// (compressed: www/engine-module.ts), and the page is told which, so that only that one is
// kept for offline use (www/offline.ts).
import cpuModule from "../pkg/gradbook_cpu_bg.wasm.xz?url";
import gpuModule from "../pkg/gradbook_bg.wasm.xz?url";
import { loadEngineModule } from "./engine-module";
import { mnistHandlers } from "./mnist/handlers";
import type { EngineLoaded } from "./protocol";
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
    await loadEngineModule(url, (response) => wasm.default({ module_or_path: response }));
    emit("engine", { module: url } satisfies EngineLoaded);
    return { ...tinyHandlers(wasm), ...mnistHandlers(wasm) } as { [method: string]: (...args: any[]) => unknown };
  } catch (e) {
    const error = `the engine did not load: ${e instanceof Error ? e.message : String(e)}`;
    emit("engine", { error } satisfies EngineLoaded);
    throw new Error(error);
  }
}

serve(start());
