// Part 2's calls, as the engine worker (www/worker.ts) answers them: it holds the MNIST data
// and the model, trains, and answers the page's pause / resume / stop between reports (the
// training loop yields to the worker's event loop every few batches, so those messages, and
// Part 1's calls, get through).
import type { TrainCallbacks } from "../../pkg/gradbook.js";
import type { ApiOf } from "../protocol";
import { emit, yieldToMessages, type Wasm } from "../serve";
import { MNIST_CACHE as CACHE, MNIST_FILES as FILES } from "./files";
import type { Augment, CheckpointEvent, Digits, DownloadEvent, EpochEvent, TrainRequest } from "./protocol";
import { ReplicaPool } from "./replicas";


type MnistFile = InstanceType<Wasm["MnistFile"]>;
/** A file in the engine's memory, and its storing in the Cache API (when fetched). */
type Fetched = { file: MnistFile; cached: boolean; stored: Promise<unknown> };

/** Reads `body` into the engine's memory piece by piece: the worker never holds a whole file. */
async function fill(wasm: Wasm, body: ReadableStream<Uint8Array>, length: number | null, progress: (loaded: number) => void): Promise<MnistFile> {
  const file = new wasm.MnistFile(length ?? undefined);
  const reader = body.getReader();
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return file;
      file.push(value);
      loaded += value.length;
      progress(loaded);
    }
  } catch (e) {
    file.free();
    throw e;
  }
}

/** One file, from the Cache API if an earlier visit stored it, else fetched with progress and
 *  stored as it arrives (and removed again if the engine refuses it: see load). */
async function fetchFile(wasm: Wasm, url: string, name: string, cache: Cache | null): Promise<Fetched> {
  const hit = await cache?.match(url);
  if (hit?.body) return { file: await fill(wasm, hit.body, null, () => {}), cached: true, stored: Promise.resolve() };

  const response = await fetch(url);
  // A static host may answer a missing file with its index page; that is not data either.
  const html = (response.headers.get("content-type") ?? "").includes("text/html");
  if (!response.ok || !response.body || html) {
    throw new Error(`could not fetch ${name} (${response.status} ${response.statusText}): the site has no MNIST data ` +
      "— serve it with MNIST_DIR set (see the README; `gradbook download DIR` fetches the files)");
  }
  // A server that compresses the body (vite's sends the .gz files with Content-Encoding: gzip,
  // which the browser undoes) announces the compressed length: not the bytes read here.
  const encoded = response.headers.get("content-encoding");
  const total = (!encoded && Number(response.headers.get("content-length"))) || null;
  const [body, toCache] = cache ? response.body.tee() : [response.body, null];
  const stored = toCache ? cache!.put(url, new Response(toCache)) : Promise.resolve();
  try {
    const file = await fill(wasm, body, total, (loaded) => emit("download", { file: name, loaded, total } satisfies DownloadEvent));
    return { file, cached: false, stored };
  } catch (e) {
    await stored.catch(() => {});
    throw e;
  }
}

/** The four files into the engine. Only files it accepted stay cached: after any failure none
 *  does, so the next try fetches them afresh. */
async function load(wasm: Wasm, baseUrl: string) {
  const urls = FILES.map((f) => new URL(f, baseUrl).href);
  const cache = "caches" in self ? await caches.open(CACHE) : null;
  const got = await Promise.allSettled(FILES.map((f, i) => fetchFile(wasm, urls[i], f, cache)));
  const fetched = got.flatMap((g) => (g.status === "fulfilled" ? [g.value] : []));
  try {
    const failed = got.find((g) => g.status === "rejected");
    if (failed) {
      fetched.forEach((f) => f.file.free());
      throw failed.reason;
    }
    // The engine takes the files (they are its memory now), whether it accepts them or not.
    const [trainImages, trainLabels, testImages, testLabels] = fetched.map((f) => f.file);
    const [train, test] = wasm.mnistLoad(trainImages, trainLabels, testImages, testLabels);
    // Stored while they arrived, the last bytes may still be on their way to the disk: not
    // waited for (a file not stored is fetched again on the next visit).
    void Promise.allSettled(fetched.map((f) => f.stored));
    return { train, test, cached: fetched.every((f) => f.cached) };
  } catch (e) {
    await Promise.allSettled(fetched.map((f) => f.stored));
    await Promise.all(urls.map((url) => cache?.delete(url)));
    throw e;
  }
}

function digits(bytes: Uint8Array, n: number): Digits {
  return { pixels: bytes.subarray(0, n * 784), labels: bytes.subarray(n * 784) };
}

// Run control: the page's pause/stop take effect at the run's next report.
let paused: { promise: Promise<void>; release: () => void } | null = null;
let stopping = false;

/** Lets queued messages (pause, stop) in, then waits while paused. */
async function gate(): Promise<"stop" | "go"> {
  await yieldToMessages();
  while (paused && !stopping) await paused.promise;
  return stopping ? "stop" : "go";
}

/** The run's replica workers, while one trains. */
let pool: ReplicaPool | null = null;

/** Threads a run with `workers` slices per batch uses beside this one: one per slice, up to the
 *  cores the browser reports (more would only take turns on them). */
function helpers(workers: number): number {
  return Math.max(0, Math.min(workers, navigator.hardwareConcurrency || 1) - 1);
}

async function train(wasm: Wasm, request: TrainRequest) {
  stopping = false;
  paused = null;
  pool?.close();
  pool = new ReplicaPool(helpers(request.config.workers));
  try {
    return await trainWith(wasm, request, pool);
  } finally {
    pool.close();
    pool = null;
  }
}

function trainWith(wasm: Wasm, request: TrainRequest, pool: ReplicaPool) {
  const callbacks: TrainCallbacks = {
    device: (choice) => emit("device", choice),
    progress: (progress) => {
      emit("progress", progress);
      return gate();
    },
    epoch: (metrics) => {
      emit("epoch", { metrics } satisfies EpochEvent);
      return gate();
    },
    test: (point) => {
      emit("test", point);
      return gate();
    },
    // A long step's way to hear a pause or a stop before the next report.
    between: () => gate(),
    checkpoint: (bytes, place) => emit("checkpoint", { checkpoint: bytes, place } satisfies CheckpointEvent),
  };
  return wasm.mnistTrain(request, callbacks, pool);
}

/** Part 2's calls. Those the engine answers directly are its exports, typed as the Rust
 *  boundary declares them. */
export const mnistHandlers = (wasm: Wasm) => ({
  /** Fetches (or takes from the cache) and parses the four files under `baseUrl`; sends "download" events. */
  load: (baseUrl: string) => load(wasm, baseUrl),
  models: wasm.mnistModels,
  recipes: wasm.mnistRecipes,
  validate: wasm.mnistValidate,
  /** A model (a built-in name or a design) checked layer by layer. */
  checkModel: wasm.mnistCheckModel,
  images: (which: "train" | "test", indices: number[]) => digits(wasm.mnistImages(which, Uint32Array.from(indices)), indices.length),
  augmented: (indices: number[], augment: Augment, seed: number) => wasm.mnistAugmented(Uint32Array.from(indices), augment, seed),
  /** Times training steps (after warm-up ones) and counts their GPU kernels. */
  bench: wasm.mnistBench,
  /** For tests: destroys the WebGPU device under the engine, as a driver reset would. */
  loseGpu: wasm.mnistLoseGpu,
  crash: wasm.mnistCrash,
  /** For tests: crashes replica worker `replica` (1-based) of the run under way ("trap", as
   *  running out of memory would) or makes it hang; whether there was one. */
  crashReplica: (replica: number, how?: "trap" | "hang") => pool?.crash(replica - 1, how) ?? false,
  /** Chooses the device for the request's preference ("auto" times a few steps on WebGPU and
   *  the CPU and takes the faster) and sends a "device" event, then "progress", "test", "epoch"
   *  and "checkpoint" events; resolves when the run ends. */
  train: (request: TrainRequest) => train(wasm, request),
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
  loadWeights: (bytes: Uint8Array, expected: string | null) => wasm.mnistLoadWeights(bytes, expected ?? undefined),
  weights: wasm.mnistWeights,
  evaluate: wasm.mnistEvaluate,
  predict: wasm.mnistPredict,
  inspect: wasm.mnistInspect,
});

export type MnistApi = ApiOf<ReturnType<typeof mnistHandlers>>;
