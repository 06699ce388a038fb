// The messages between the page and an engine worker, whatever its API: a request per call,
// its answer, and events in between. Each part names its own calls (www/tiny/protocol.ts,
// www/mnist/protocol.ts).
/** What any worker API looks like: per method, its arguments and its result. */
export type Api = { [method: string]: { args: unknown[]; result: unknown } };

/** The API a worker's handlers answer: each handler's arguments, and what its result resolves
 *  to. Each part writes its calls once, as handlers (www/tiny/handlers.ts,
 *  www/mnist/handlers.ts), and the page's calls are checked against them; where a handler hands
 *  a call to the engine, its types are the Rust boundary's (pkg/gradbook.d.ts). */
export type ApiOf<H> = { [M in keyof H]: H[M] extends (...args: infer A) => infer R ? { args: A; result: Awaited<R> } : never };

export interface Request {
  id: number;
  method: string;
  args: unknown[];
}

/** Sent by a worker between answers, e.g. a training run's progress. */
export interface WorkerEvent {
  event: string;
  data: unknown;
}

export type Response =
  | { id: number; ok: true; result: unknown }
  // `crashed`: the call trapped the wasm instance (out of memory, an abort), which is unusable now.
  | { id: number; ok: false; error: string; crashed?: boolean };

/** The `engine` event: the worker has loaded its engine's module (which one: the page keeps it
 *  for offline use), or could not (why: the page says so, where it would show the first run). */
export type EngineLoaded = { module: string } | { error: string };
