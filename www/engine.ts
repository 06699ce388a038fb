// The page's handles on the engine: Web Workers running the Rust core, each call a promise.
//
// Two workers, because a burn run can take a while (seconds to minutes on a software GPU) and
// must never hold up the quick calls — validating a field, the exact path, the CSV — that the
// page makes while the student types. A run that is superseded is abandoned by restarting its
// worker: wasm cannot be interrupted mid-computation any other way.
import type { Method, Request, Requests, Response } from "./protocol";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class Engine {
  private worker!: Worker;
  private pending = new Map<number, Pending>();
  private nextId = 0;

  constructor() {
    this.spawn();
  }

  private spawn(): void {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (event: MessageEvent<Response>) => {
      const r = event.data;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(new Error(r.error));
    };
    this.worker.onerror = (event) => this.failAll(new Error(`the engine worker failed: ${event.message}`));
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  call<M extends Method>(method: M, ...args: Requests[M]["args"]): Promise<Requests[M]["result"]> {
    const id = this.nextId++;
    const request: Request<M> = { id, method, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage(request);
    });
  }

  /** Abandons whatever this worker is computing (its calls reject) and starts a fresh one. */
  restart(): void {
    this.worker.terminate();
    this.failAll(new Error("superseded"));
    this.spawn();
  }
}

/** Quick calls: defaults, validation, the exact path, CSV. */
export const sheet = new Engine();
/** burn training runs. */
export const trainer = new Engine();

/** WebGPU if this browser can actually hand out an adapter; checked here so the worker's
 *  wgpu init is only asked when it can succeed. */
export async function preferredBackend(): Promise<"wgpu" | "flex"> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return "flex";
  try {
    return (await gpu.requestAdapter()) ? "wgpu" : "flex";
  } catch {
    return "flex";
  }
}
