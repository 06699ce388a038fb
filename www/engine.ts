// The page's handle on an engine: a Web Worker running the Rust core, each call a promise.
// Both parts of the notebook share one (www/client.ts); a long call yields to the worker's
// event loop every few tens of milliseconds, so the other part's calls get through.
import type { Api, Request, Response, WorkerEvent } from "./protocol";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** A call the engine could not finish because it was started afresh, with nothing loaded
 *  (the listeners of `onRestart` have been told). */
export class EngineRestarted extends Error {}
/** ...because a call took it down (a wasm trap). */
export class EngineCrashed extends EngineRestarted {}

/** A worker that answers calls of the API `A`, and may also send events (progress). */
export class Engine<A extends Api> {
  private worker!: Worker;
  private pending = new Map<number, Pending>();
  private nextId = 0;
  private listeners = new Map<string, ((data: unknown) => void)[]>();
  private restarted: (() => void)[] = [];

  constructor(private readonly create: () => Worker) {
    this.spawn();
  }

  private spawn(): void {
    this.worker = this.create();
    this.worker.onmessage = (event: MessageEvent<Response | WorkerEvent>) => {
      const r = event.data;
      if ("event" in r) return this.listeners.get(r.event)?.forEach((listen) => listen(r.data));
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else if (!r.crashed) p.reject(new Error(r.error));
      else {
        p.reject(new EngineCrashed(r.error));
        this.respawn(new EngineCrashed(r.error));
      }
    };
    this.worker.onerror = (event) => this.failAll(new Error(`the engine worker failed: ${event.message}`));
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /** Calls `listen` with the data of each `event` the worker sends between answers. */
  on(event: string, listen: (data: any) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listen]);
  }

  /** Calls `listen` each time the engine has been started afresh (after a crash, or
   *  `restart`), so that what it held can be loaded again. */
  onRestart(listen: () => void): void {
    this.restarted.push(listen);
  }

  call<M extends keyof A & string>(method: M, ...args: A[M]["args"]): Promise<A[M]["result"]> {
    const id = this.nextId++;
    const request: Request = { id, method, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage(request);
    });
  }

  /** Abandons whatever this worker is computing (its calls reject) and starts a fresh one:
   *  after a GPU failure, which may leave the instance unusable. */
  restart(why: string): void {
    this.respawn(new EngineRestarted(why));
  }

  /** Ends the worker; its calls reject. */
  close(): void {
    this.worker.terminate();
    this.failAll(new Error("the worker was closed"));
  }

  private respawn(error: Error): void {
    this.worker.terminate();
    this.failAll(error);
    this.spawn();
    for (const listen of this.restarted) listen();
  }
}
