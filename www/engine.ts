// The page's handle on the engine worker: each call is a promise of the Rust result.
import type { Method, Request, Requests, Response } from "./protocol";

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 0;

worker.onmessage = (event: MessageEvent<Response>) => {
  const r = event.data;
  const p = pending.get(r.id);
  if (!p) return;
  pending.delete(r.id);
  if (r.ok) p.resolve(r.result);
  else p.reject(new Error(r.error));
};

worker.onerror = (event) => {
  const error = new Error(`the engine worker failed: ${event.message}`);
  for (const p of pending.values()) p.reject(error);
  pending.clear();
};

export function call<M extends Method>(method: M, ...args: Requests[M]["args"]): Promise<Requests[M]["result"]> {
  const id = nextId++;
  const request: Request<M> = { id, method, args };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage(request);
  });
}

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
