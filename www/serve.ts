// The worker side of Engine: answers each request with its handler's result (or its error's
// message), and sends events in between.
import type { Request, Response, WorkerEvent } from "./protocol";

type Handlers = { [method: string]: (...args: any[]) => unknown };

const scope = self as unknown as Worker;

export function serve(ready: Promise<unknown>, handlers: Handlers): void {
  scope.onmessage = async (event: MessageEvent<Request>) => {
    const { id, method, args } = event.data;
    let response: Response;
    try {
      await ready;
      const handler = handlers[method];
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
