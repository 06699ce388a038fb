// Part 2's calls, as the engine worker (www/worker.ts) answers them: it holds the MNIST data
// and the model, trains, and answers the page's pause / resume / stop between reports (the
// training loop yields to the worker's event loop every few batches, so those messages, and
// Part 1's calls, get through).
import { emit, type Wasm } from "../serve";
import { MNIST_CACHE as CACHE, MNIST_FILES as FILES } from "./files";
import type { Augment, Digits, DownloadEvent, MnistApi, TrainRequest } from "./protocol";


/** One file's bytes, from the Cache API if an earlier visit stored it, else fetched with progress. */
async function fetchFile(url: string, file: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; cached: boolean }> {
  const cache = "caches" in self ? await caches.open(CACHE) : null;
  const hit = await cache?.match(url);
  if (hit) return { bytes: new Uint8Array(await hit.arrayBuffer()), cached: true };

  const response = await fetch(url);
  // A static host may answer a missing file with its index page; that is not data either.
  const html = (response.headers.get("content-type") ?? "").includes("text/html");
  if (!response.ok || !response.body || html) {
    throw new Error(`could not fetch ${file} (${response.status} ${response.statusText}): the site has no MNIST data ` +
      "— serve it with MNIST_DIR set (see the README; `gradbook download DIR` fetches the files)");
  }
  // A server that compresses the body (vite's sends the .gz files with Content-Encoding: gzip,
  // which the browser undoes) announces the compressed length: not the bytes read here.
  const encoded = response.headers.get("content-encoding");
  const total = (!encoded && Number(response.headers.get("content-length"))) || null;
  // Read straight into one buffer of the announced size (else grown by doubling), rather than
  // keeping every chunk and then copying them all into one.
  let bytes: Uint8Array<ArrayBuffer> = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > bytes.length) {
      const grown = new Uint8Array(Math.max(2 * bytes.length, loaded + value.length));
      grown.set(bytes.subarray(0, loaded));
      bytes = grown;
    }
    bytes.set(value, loaded);
    loaded += value.length;
    emit("download", { file, loaded, total } satisfies DownloadEvent);
  }
  // Only bytes the engine accepted are cached (see load), so a broken download is fetched again.
  return { bytes: bytes.subarray(0, loaded), cached: false };
}

async function load(wasm: Wasm, baseUrl: string) {
  const urls = FILES.map((f) => new URL(f, baseUrl).href);
  const got = await Promise.all(FILES.map((f, i) => fetchFile(urls[i], f)));
  const [train, test] = wasm.mnistLoad(got[0].bytes, got[1].bytes, got[2].bytes, got[3].bytes) as [number, number];
  if ("caches" in self) {
    const cache = await caches.open(CACHE);
    await Promise.all(got.map((g, i) => (g.cached ? null : cache.put(urls[i], new Response(g.bytes)))));
  }
  return { train, test, cached: got.every((g) => g.cached) };
}

function digits(bytes: Uint8Array, n: number): Digits {
  return { pixels: bytes.subarray(0, n * 784), labels: bytes.subarray(n * 784) };
}

// Run control: the page's pause/stop take effect at the run's next report.
let paused: { promise: Promise<void>; release: () => void } | null = null;
let stopping = false;

/** Lets queued messages (pause, stop) in, then waits while paused. */
async function gate(): Promise<"stop" | "go"> {
  await new Promise((r) => setTimeout(r, 0));
  while (paused && !stopping) await paused.promise;
  return stopping ? "stop" : "go";
}

async function train(wasm: Wasm, request: TrainRequest) {
  stopping = false;
  paused = null;
  return wasm.mnistTrain(
    request,
    (progress: unknown) => {
      emit("progress", progress);
      return gate();
    },
    (metrics: unknown) => {
      emit("epoch", { metrics });
      return gate();
    },
    (bytes: Uint8Array, place: unknown) => emit("checkpoint", { checkpoint: bytes, place }),
  );
}

export const mnistHandlers = (wasm: Wasm): { [M in keyof MnistApi]: (...args: MnistApi[M]["args"]) => unknown } => ({
  load: (baseUrl) => load(wasm, baseUrl),
  models: () => wasm.mnistModels(),
  recipes: () => wasm.mnistRecipes(),
  validate: (config) => wasm.mnistValidate(config),
  checkModel: (model) => wasm.mnistCheckModel(model),
  images: (which, indices) => digits(wasm.mnistImages(which, Uint32Array.from(indices)), indices.length),
  augmented: (indices: number[], augment: Augment, seed: number) => wasm.mnistAugmented(Uint32Array.from(indices), augment, seed),
  chooseDevice: (config, preference) => wasm.mnistChooseDevice(config, preference),
  bench: (config, backend, warmup, steps) => wasm.mnistBench(config, backend, warmup, steps),
  loseGpu: () => wasm.mnistLoseGpu(),
  crash: () => wasm.mnistCrash(),
  train: (request) => train(wasm, request),
  pause: () => {
    if (!paused) {
      let release = () => {};
      const promise = new Promise<void>((r) => (release = r));
      paused = { promise, release };
    }
  },
  resume: () => {
    paused?.release();
    paused = null;
  },
  stop: () => {
    stopping = true;
    paused?.release();
    paused = null;
  },
  loadWeights: (bytes, expected) => wasm.mnistLoadWeights(bytes, expected ?? undefined),
  weights: () => wasm.mnistWeights(),
  evaluate: () => wasm.mnistEvaluate(),
  predict: (pixels) => wasm.mnistPredict(pixels),
  inspect: (pixels) => wasm.mnistInspect(pixels),
});
