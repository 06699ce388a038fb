// The worker side of Engine: answers each request with its handler's result (or its error's
// message), and sends events in between.
import type { Request, Response, WorkerEvent } from "./protocol";

type Handlers = { [method: string]: (...args: any[]) => unknown };

/** The engine's wasm bindings: either build (www/worker.ts) makes the same calls; only their
 *  glue's internals differ. */
export type Wasm = Omit<typeof import("../pkg/gradbook.js"), "default" | "initSync"> & {
  default: (init: { module_or_path: globalThis.Response }) => Promise<unknown>;
};

const scope = self as unknown as Worker;

/** Answers requests with `ready`'s handlers once it resolves (requests wait for it; if it
 *  fails, each gets its error). */
export function serve(ready: Promise<Handlers>): void {
  scope.onmessage = async (event: MessageEvent<Request>) => {
    const { id, method, args } = event.data;
    let response: Response;
    try {
      const handler = (await ready)[method];
      if (!handler) throw new Error(`the worker has no method '${method}'`);
      response = { id, ok: true, result: await handler(...args) };
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        // A trap: wasm32 ran out of its 4 GiB, or the engine aborted. Nothing in this
        // instance can be trusted any more; the page starts a fresh engine.
        response = { id, ok: false, crashed: true, error: `the engine crashed (${e.message}), most likely out of memory` };
      } else {
        response = { id, ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    }
    scope.postMessage(response);
  };
}

export function emit(event: string, data: unknown): void {
  const message: WorkerEvent = { event, data };
  scope.postMessage(message);
}

const turn = new MessageChannel();
const waiting: (() => void)[] = [];
turn.port1.onmessage = () => waiting.shift()?.();

/** Lets the messages already queued for this worker (the page's pause, stop, other calls) be
 *  handled, then goes on. A message to itself, not `setTimeout(0)`: a timer set from a timer's
 *  follow-up, as a long run's reports are, is held back at least 4 ms once nested five deep. */
export function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    turn.port2.postMessage(null);
  });
}
