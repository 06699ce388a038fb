// The engine's thread: every Rust call runs here, so the page never freezes while it trains.
import init, * as wasm from "../pkg/gradbook.js";
import type { Method, Request, Response } from "./protocol";

const ready = init();

const handlers: { [M in Method]: (...args: any[]) => unknown } = {
  tinyDefaults: () => wasm.tinyDefaults(),
  tinyValidate: (config) => wasm.tinyValidate(config),
  tinyExact: (config) => wasm.tinyExact(config),
  tinyBurn: (config, backend) => wasm.tinyBurn(config, backend),
  tinyCsv: (traces) => wasm.tinyCsv(traces),
};

self.onmessage = async (event: MessageEvent<Request>) => {
  const { id, method, args } = event.data;
  let response: Response;
  try {
    await ready;
    response = { id, ok: true, result: await handlers[method](...args) };
  } catch (e) {
    response = { id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  (self as unknown as Worker).postMessage(response);
};
