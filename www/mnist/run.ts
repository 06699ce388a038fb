// Part 2's life cycle, which the cells' buttons start: loading the data, a run (start, pause,
// resume, stop, per-epoch checkpoints, resume after a reload, the switch to the CPU when the GPU
// fails mid-run), the weights held, and the stored runs. It writes what happens into the part's
// state (www/mnist/state.ts); the cells show it.
import { EngineCrashed } from "../engine";
import { duration } from "../format";
import { saveFile } from "../share";
import { mnist, DATA_URL } from "./client";
import { modelName } from "./design";
import { epochLines, log, part2, type Setup } from "./state";
import type { CheckpointEvent, DownloadEvent, EpochEvent, Progress, ReplicaEvent, TestPoint } from "./protocol";
import { deleteRun, listRuns, saveRun, type RunRecord } from "./store";

let loading: Promise<boolean> | null = null;
/** Whether the current run has said how long it will take. */
let estimated = false;
let current: RunRecord | null = null;
/** The model the engine holds now (the last trained or loaded): what a download is named after. */
let heldModel: string | null = null;
let views = 0;

function note(text: string, kind: "ok" | "error" = "ok"): void {
  const el = document.getElementById("mnist-weights-status")!;
  el.textContent = text;
  el.className = kind === "error" ? "error" : "dim";
}

const device = (backend: RunRecord["backend"], detail: string) => part2.set({ device: { backend, detail } });

async function refreshRuns(): Promise<void> {
  part2.set({ runs: await listRuns() });
}

/** Trains `run` (from its checkpoint, exactly where that was, when it has one) on the device
 *  the engine picks for `requested`, saving it every epoch and every half minute. `why` says
 *  why the device changed mid-run. */
async function train(run: RunRecord, requested: Setup["device"], why = ""): Promise<void> {
  current = run;
  // The checkpoint is the truth: an epoch or test reported after it (a reload in between) trains again.
  const at = run.checkpointAt;
  if (at) {
    run.epochs = run.epochs.slice(0, at.epoch - 1);
    run.tests = (run.tests ?? []).filter((t) => t.epoch < at.epoch || (t.epoch === at.epoch && t.batch <= at.batch));
  }
  part2.set({ runState: "running", view: ++views, epochs: [...run.epochs], tests: [...(run.tests ?? [])], log: run.epochs.flatMap(epochLines), progress: null });
  if (why) log(`${why}.`);
  device(run.backend, requested === "auto" ? "timing a few steps on WebGPU and on the CPU…" : why);
  try {
    const choice = await mnist.call("chooseDevice", run.config, requested);
    run.backend = choice.backend;
    device(choice.backend, why ? `${why} — ${choice.summary}` : choice.summary);
    // "auto" has just timed a few steps on the chosen device; otherwise the first report times it.
    const timed = choice.timings.find((t) => t.device === run.backend);
    estimated = timed ? say(estimate(run, timed.msPerStep, "just timed")) : false;
  } catch (e) {
    run.backend = "flex";
    device("flex", `training on the CPU: choosing the device failed (${(e as Error).message})`);
  }
  await saveRun(run);
  try {
    const resume = run.checkpoint ? { checkpoint: run.checkpoint, epochsDone: run.epochs.length } : null;
    const summary = await mnist.call("train", { config: run.config, backend: run.backend, resume });
    if (summary.note) log(`${summary.note}.`);
    if (summary.backend !== run.backend) {
      run.backend = summary.backend;
      device(summary.backend, `on the CPU: ${summary.fallbackReason ?? "WebGPU was not available"}`);
    }
    run.status = summary.outcome.kind;
    heldModel = modelName(run.config.model);
    if (summary.message) log(summary.message);
    if (summary.evaluation) part2.set({ evaluation: summary.evaluation });
  } catch (e) {
    const message = (e as Error).message;
    if (run.backend === "wgpu") {
      // A lost or failing GPU: carry on with the same run on the CPU from the last finished
      // epoch. The engine may not survive what the GPU did to it, so it starts afresh (and
      // reloads the data from the browser's cache) first.
      const why = `WebGPU failed mid-run (${message}); continuing on the CPU from ${place(run)}`;
      current = null;
      if (!(e instanceof EngineCrashed)) mnist.restart("WebGPU failed mid-run");
      if (await ensureData()) return await train(run, "flex", why);
      current = run; // the data did not come back: tidy up below, the last epoch stays saved
    }
    run.status = "failed";
    const n = run.epochs.length;
    const kept = n === 1 ? "its finished epoch stays in the runs table" : `its ${n} finished epochs stay in the runs table`;
    log(e instanceof EngineCrashed ? `The run failed: ${message}. A fresh engine has been started; ${kept}.` : `The run failed: ${message}`);
  } finally {
    if (current === run) {
      current = null;
      await saveRun(run);
      await refreshRuns();
      part2.set({ runState: "idle" });
    }
  }
}

/** A new run with the settings chosen. One at a time, however fast the clicks: `train` marks
 *  the run current before it awaits. */
export async function startRun(): Promise<void> {
  const setup = part2.get().setup;
  if (current || !setup) return;
  const run: RunRecord = { id: Date.now(), recipe: setup.recipe, config: structuredClone(setup.config), backend: "flex", epochs: [], tests: [], checkpoint: null, status: "running", created: Date.now() };
  await train(run, setup.device);
}

export const pauseRun = () => mnist.call("pause").then(() => part2.set({ runState: "paused" }));
export const resumeRun = () => mnist.call("resume").then(() => part2.set({ runState: "running" }));
export const stopRun = () => mnist.call("stop");

/** Logs `line` if there is one; whether it did. */
function say(line: string | null): boolean {
  if (line) log(line);
  return line !== null;
}

function onProgress(p: Progress): void {
  const lines = part2.get().log;
  // The seed notebook's "Epoch: N" line, once per epoch.
  const heading = `Epoch: ${p.epoch}`;
  if (p.batch <= p.batches && !lines.includes(heading)) log(heading);
  if (!estimated && current) estimated = say(estimate(current, (1000 * p.seconds) / p.batch, `its first ${p.batch} timed`));
  part2.set({ progress: p });
}

function onEpoch(e: EpochEvent): void {
  if (!current) return;
  current.epochs.push(e.metrics);
  log(...epochLines(e.metrics));
  part2.set({ epochs: [...current.epochs] });
}

function onTest(t: TestPoint): void {
  if (!current) return;
  current.tests = [...(current.tests ?? []), t];
  if (t.batch < t.batches) log(`TEST within epoch ${t.epoch}, after batch ${t.batch} of ${t.batches}: Test Accuracy: ${t.accuracy.toFixed(2)}%  (${t.seconds.toFixed(1)} s into the run)`);
  part2.set({ tests: current.tests });
}

function onCheckpoint(e: CheckpointEvent): void {
  if (!current) return;
  current.checkpoint = e.checkpoint;
  current.checkpointAt = e.place;
  void saveRun(current).then(refreshRuns);
}

/** About how long `run` takes from here at `msPerStep` (`how`: where that figure came from). */
function estimate(run: RunRecord, msPerStep: number, how: string): string | null {
  const data = part2.get().data;
  if (data.kind !== "loaded" || !(msPerStep > 0)) return null;
  const images = Math.min(run.config.limitTrain ?? data.train, data.train);
  const steps = Math.ceil(images / run.config.batchSize) * (run.config.epochs - run.epochs.length);
  const on = run.backend === "wgpu" ? "WebGPU" : "the CPU";
  return `About ${duration((steps * msPerStep) / 1000)} of training: ${steps.toLocaleString("en-US")} steps at ` +
    `${msPerStep.toFixed(0)} ms each on ${on} (${how}), and a test after each epoch.`;
}

/** Where `run`'s checkpoint resumes it, in words. */
function place(run: RunRecord): string {
  const at = run.checkpointAt;
  if (!run.checkpoint) return "the start";
  if (!at) return `epoch ${run.epochs.length + 1}`;
  return at.batch === 0 ? `the start of epoch ${at.epoch}` : `epoch ${at.epoch}, after batch ${at.batch}`;
}

/** The engine lost its data (restarted): the next ask loads it again. */
function dataGone(): void {
  loading = null;
  part2.set({ data: { kind: "idle" } });
}

/** Loads the data once, however many cells ask for it meanwhile. */
export function ensureData(): Promise<boolean> {
  loading ??= (async () => {
    part2.set({ data: { kind: "loading" } });
    try {
      const r = await mnist.call("load", DATA_URL);
      part2.set({ data: { kind: "loaded", ...r } });
      return true;
    } catch (e) {
      part2.set({ data: { kind: "failed", message: (e as Error).message } });
      loading = null; // let a click try again
      return false;
    }
  })();
  return loading;
}

/** Makes `bytes` the current model and shows its results; on a bad file nothing changes. */
export async function useWeights(bytes: Uint8Array, from: string): Promise<void> {
  try {
    const model = await mnist.call("loadWeights", bytes, null);
    heldModel = model;
    note(`Loaded ${from}: model ${model}. Testing it on all 10,000 test images…`);
    if (await ensureData()) part2.set({ evaluation: await mnist.call("evaluate") });
    note(`Loaded ${from}: model ${model}, tested on all 10,000 test images.`);
  } catch (e) {
    note(`${from}: ${(e as Error).message}. The current model is unchanged.`, "error");
  }
}

/** The held model's weights as a file named after it. */
export async function downloadWeights(): Promise<void> {
  try {
    const bytes = await mnist.call("weights");
    saveFile(`gradbook-${heldModel ?? "model"}.bin`, bytes.slice(), "application/octet-stream");
  } catch (e) {
    note((e as Error).message, "error");
  }
}

/** The stored runs but the one in progress (its next epoch would store it again); with
 *  `forget`, deletes them. */
export async function forgetRuns(forget: boolean): Promise<RunRecord[]> {
  const forgettable = (await listRuns()).filter((r) => r.id !== current?.id);
  if (forget) {
    for (const r of forgettable) await deleteRun(r.id);
    await refreshRuns();
  }
  return forgettable;
}

/** After a reload: a run that was still training can continue or be looked at. */
function offerResume(run: RunRecord): void {
  const offer = document.getElementById("mnist-resume-offer")!;
  offer.hidden = false;
  offer.querySelector("p")!.textContent =
    `A ${run.recipe} run of ${run.config.epochs} epochs was interrupted when the page closed; it resumes from ` +
    `${place(run)}` +
    (run.epochs.length ? ` (last test accuracy ${run.epochs[run.epochs.length - 1].testAccuracy.toFixed(2)}%).` : ".");
  const done = () => (offer.hidden = true);
  offer.querySelector<HTMLButtonElement>("[data-resume]")!.onclick = async () => {
    done();
    if (await ensureData()) await train(run, run.backend);
  };
  offer.querySelector<HTMLButtonElement>("[data-view]")!.onclick = async () => {
    done();
    part2.set({ view: ++views, epochs: [...run.epochs], tests: [...(run.tests ?? [])], log: run.epochs.flatMap(epochLines), progress: null });
    run.status = "stopped";
    await saveRun(run);
    await useWeights(run.checkpoint!, `the interrupted run's weights at ${place(run)}`);
  };
  offer.querySelector<HTMLButtonElement>("[data-discard]")!.onclick = async () => {
    done();
    run.status = "stopped";
    await saveRun(run);
    await refreshRuns();
  };
}

/** Connects the engine's events, tidies the stored runs (offering the interrupted one), and
 *  loads a returning visitor's data. */
export async function begin(cache: string): Promise<void> {
  mnist.on("download", (data: DownloadEvent) => part2.set({ download: data }));
  mnist.on("progress", onProgress);
  mnist.on("epoch", onEpoch);
  mnist.on("checkpoint", onCheckpoint);
  mnist.on("test", onTest);
  mnist.on("replica", (e: ReplicaEvent) => current && log(e.message));
  // A run still "running" when the page opens was cut off by a reload or a closed tab. The
  // newest with a checkpoint is offered for resuming; any other is stopped where it was, or
  // dropped when it had no finished epoch to keep.
  const runs = await listRuns();
  const interrupted = [...runs].reverse().find((r) => r.status === "running" && r.checkpoint);
  for (const r of runs.filter((r) => r.status === "running" && r !== interrupted)) {
    if (r.epochs.length > 0) await saveRun({ ...r, status: "stopped" });
    else await deleteRun(r.id);
  }
  await refreshRuns();
  if (interrupted) offerResume(interrupted);
  // A returning visitor's data is in the cache: load it without asking.
  if ("caches" in window && (await caches.has(cache))) void ensureData();
  // A restarted engine (after a crash or a GPU failure) comes back empty: load the data into
  // the fresh one (from the cache).
  mnist.onRestart(() => {
    const had = part2.get().data.kind !== "idle";
    dataGone();
    if (had) void ensureData();
  });
}
