// The page's handle on an engine: a Web Worker running the Rust core, each call a promise.
// A run that is superseded is abandoned by restarting its worker: wasm cannot be interrupted
// mid-computation any other way.
import type { Api, Request, Response, WorkerEvent } from "./protocol";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** A call that took its engine down (a wasm trap): the engine has been started afresh, with
 *  nothing loaded, and `onCrash` has been told. */
export class EngineCrashed extends Error {}

/** A worker that answers calls of the API `A`, and may also send events (progress). */
export class Engine<A extends Api> {
  private worker!: Worker;
  private pending = new Map<number, Pending>();
  private nextId = 0;
  /** Called with each event the worker sends between answers. */
  onEvent: (event: WorkerEvent) => void = () => {};
  /** Called after a crash has restarted the engine, so that what it held can be loaded again. */
  onCrash: () => void = () => {};

  constructor(private readonly create: () => Worker) {
    this.spawn();
  }

  private spawn(): void {
    this.worker = this.create();
    this.worker.onmessage = (event: MessageEvent<Response | WorkerEvent>) => {
      const r = event.data;
      if ("event" in r) return this.onEvent(r);
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else if (!r.crashed) p.reject(new Error(r.error));
      else {
        p.reject(new EngineCrashed(r.error));
        this.respawn(new EngineCrashed(r.error));
        this.onCrash();
      }
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

  call<M extends keyof A & string>(method: M, ...args: A[M]["args"]): Promise<A[M]["result"]> {
    const id = this.nextId++;
    const request: Request = { id, method, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage(request);
    });
  }

  /** Abandons whatever this worker is computing (its calls reject) and starts a fresh one. */
  restart(): void {
    this.respawn(new Error("superseded"));
  }

  private respawn(error: Error): void {
    this.worker.terminate();
    this.failAll(error);
    this.spawn();
  }
}
