// An engine's wasm module as the page fetches it: xz-compressed (scripts/build-wasm.sh), 2.2 MB
// for the GPU engine where a host's gzip of the plain module is 3.6. Decoded in the engine
// worker as it arrives and handed to the compiler as a stream, so compiling starts with the
// first bytes, as it would for the plain file.
import { XzReadableStream } from "xz-decompress";

/** Fetches the module at `url` (a `.wasm.xz`) and hands it, decoding, to `init` (the bindings'
 *  own, which compiles and instantiates a streaming response). A file damaged or cut short on
 *  the way fails xz's checks: said as such, not as the compiler's "failed to read". */
export async function loadEngineModule(url: string, init: (module: Response) => Promise<unknown>): Promise<void> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`could not fetch ${url}: ${response.status} ${response.statusText}`);
  const decoded = new XzReadableStream(response.body).getReader();
  let damaged: unknown;
  const module = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await decoded.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (e) {
        damaged = e;
        controller.error(e);
      }
    },
    cancel: (reason) => decoded.cancel(reason),
  });
  try {
    await init(new Response(module, { headers: { "Content-Type": "application/wasm" } }));
  } catch (e) {
    if (damaged === undefined) throw e;
    console.warn("the engine's module failed xz's checks:", damaged);
    throw new Error(`${url.split("/").pop()} arrived damaged or incomplete: reload the page to fetch it again`);
  }
}
