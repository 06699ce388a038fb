// Part 2's life cycle, which the cells' buttons start: loading the data, a run (start, pause,
// resume, stop, per-epoch checkpoints, resume after a reload, the switch to the CPU when the GPU
// fails mid-run), the weights held, and the stored runs. What it knows lives in the part's state
// (www/mnist/state.ts), where the cells show it; it writes nothing on the page itself.
import { EngineCrashed } from "../engine";
import { count, duration } from "../format";
import { saveFile } from "../share";
import { mnist, DATA_URL } from "./client";
import { modelName } from "./design";
import { epochLines, log, part2, type RunUnderWay, type Setup } from "./state";
import type { CheckpointEvent, DeviceChoice, DownloadEvent, EpochEvent, Progress, ReplicaEvent, TestPoint } from "./protocol";
import { describeStorage, EVICTION, persisted } from "./keep";
import { heldElsewhere, hold, onRunsChanged, whenReleased } from "./owners";
import { deleteRun, listRuns, saveRun, type RunRecord } from "./store";

/** The data being loaded, so that several asks share one load. */
let loading: Promise<boolean> | null = null;

/** The run this tab trains, if any. */
const current = (): RunRecord | null => part2.get().current?.record ?? null;
/** Changes what is known of the run under way (nothing when there is none). */
function update(change: Partial<RunUnderWay>): void {
  const run = part2.get().current;
  if (run) part2.set({ current: { ...run, ...change } });
}
/** A new run on screen: its plots start afresh. */
const nextView = () => (part2.get().view ?? 0) + 1;

const note = (text: string, kind: "ok" | "error" = "ok") => part2.set({ weightsNote: { text, kind } });
const device = (backend: RunRecord["backend"], detail: string) => part2.set({ device: { backend, detail } });

async function refreshRuns(): Promise<void> {
  const elsewhere = await heldElsewhere();
  part2.set({ runs: await listRuns(), elsewhere: [...elsewhere], storage: await describeStorage() });
}

/** Trains `run` if no other tab does: this tab holds it meanwhile (www/mnist/owners.ts). One run
 *  at a time, however fast the clicks: it is marked current before anything is awaited. */
async function train(run: RunRecord, requested: Setup["device"]): Promise<void> {
  part2.set({ current: { record: run, estimated: false, switchedBecause: "" } });
  const release = await hold(run.id);
  if (!release) {
    part2.set({ current: null });
    log(`This ${run.recipe} run is being trained in another tab: it stays there.`);
    await refreshRuns();
    return;
  }
  try {
    await trainHeld(run, requested);
  } finally {
    release();
  }
}

/** Trains `run` (from its checkpoint, exactly where that was, when it has one) on the device
 *  the engine picks for `requested`, saving it every epoch and every half minute. `why` says
 *  why the device changed mid-run. */
async function trainHeld(run: RunRecord, requested: Setup["device"], why = ""): Promise<void> {
  part2.set({ current: { record: run, estimated: false, switchedBecause: why } });
  // The checkpoint is the truth: an epoch or test reported after it (a reload in between) trains again.
  const at = run.checkpointAt;
  if (at) {
    run.epochs = run.epochs.slice(0, at.epoch - 1);
    run.tests = (run.tests ?? []).filter((t) => t.epoch < at.epoch || (t.epoch === at.epoch && t.batch <= at.batch));
  }
  part2.set({ runState: "running", view: nextView(), epochs: [...run.epochs], tests: [...(run.tests ?? [])], log: run.epochs.flatMap(epochLines), progress: null });
  if (why) log(`${why}.`);
  device(run.backend, requested === "auto" ? "timing a few steps on WebGPU and on the CPU…" : why);
  await saveRun(run);
  try {
    const resume = run.checkpoint ? { checkpoint: run.checkpoint, epochsDone: run.epochs.length } : null;
    const summary = await mnist.call("train", { config: run.config, preference: requested, resume });
    if (summary.note) log(`${summary.note}.`);
    if (summary.backend !== run.backend) {
      run.backend = summary.backend;
      device(summary.backend, `on the CPU: ${summary.fallbackReason ?? "WebGPU was not available"}`);
    }
    run.status = summary.outcome.kind;
    part2.set({ held: modelName(run.config.model) });
    if (summary.message) log(summary.message);
    if (summary.evaluation) part2.set({ evaluation: summary.evaluation });
  } catch (e) {
    const message = (e as Error).message;
    if (run.backend === "wgpu") {
      // A lost or failing GPU: carry on with the same run on the CPU from the last finished
      // epoch. The engine may not survive what the GPU did to it, so it starts afresh (and
      // reloads the data from the browser's cache) first.
      const why = `WebGPU failed mid-run (${message}); continuing on the CPU from ${place(run)}`;
      part2.set({ current: null });
      if (!(e instanceof EngineCrashed)) mnist.restart("WebGPU failed mid-run");
      if (await ensureData()) return await trainHeld(run, "flex", why);
      // The data did not come back: tidy up below, the last epoch stays saved.
      part2.set({ current: { record: run, estimated: true, switchedBecause: why } });
    }
    run.status = "failed";
    const n = run.epochs.length;
    const kept = n === 1 ? "its finished epoch stays in the runs table" : `its ${n} finished epochs stay in the runs table`;
    log(e instanceof EngineCrashed ? `The run failed: ${message}. A fresh engine has been started; ${kept}.` : `The run failed: ${message}`);
  } finally {
    if (current() === run) {
      part2.set({ current: null });
      await saveRun(run);
      await refreshRuns();
      part2.set({ runState: "idle" });
    }
  }
}

/** A new run with the settings chosen. */
export async function startRun(): Promise<void> {
  const setup = part2.get().setup;
  if (current() || !setup) return;
  const run: RunRecord = { id: Date.now(), recipe: setup.recipe, config: structuredClone(setup.config), backend: "flex", epochs: [], tests: [], checkpoint: null, status: "running", created: Date.now() };
  await train(run, setup.device);
}

export const pauseRun = () => mnist.call("pause").then(() => part2.set({ runState: "paused" }));
export const resumeRun = () => mnist.call("resume").then(() => part2.set({ runState: "running" }));
/** Stops the run after the step under way, saying so at once: a step of a large design on a
 *  slow machine can take seconds. */
export async function stopRun(): Promise<void> {
  if (!current() || part2.get().runState === "stopping") return;
  log("Stopping after this step…");
  part2.set({ runState: "stopping" });
  await mnist.call("stop");
}

/** Logs `line` if there is one; whether it did. */
function say(line: string | null): boolean {
  if (line) log(line);
  return line !== null;
}

/** The engine chose where the run trains (before its first step). */
function onDevice(choice: DeviceChoice): void {
  const run = part2.get().current;
  if (!run) return;
  run.record.backend = choice.backend;
  device(choice.backend, run.switchedBecause ? `${run.switchedBecause} — ${choice.summary}` : choice.summary);
  // "auto" has just timed a few steps on the chosen device; otherwise the first report times it.
  const timed = choice.timings.find((t) => t.device === choice.backend);
  if (timed) update({ estimated: say(estimate(run.record, timed.msPerStep, "just timed")) });
  void saveRun(run.record);
}

function onProgress(p: Progress): void {
  const lines = part2.get().log;
  // The seed notebook's "Epoch: N" line, once per epoch.
  const heading = `Epoch: ${p.epoch}`;
  if (p.batch <= p.batches && !lines.includes(heading)) log(heading);
  const run = part2.get().current;
  if (run && !run.estimated) update({ estimated: say(estimate(run.record, (1000 * p.seconds) / p.batch, `its first ${p.batch} timed`)) });
  part2.set({ progress: p });
}

function onEpoch(e: EpochEvent): void {
  const run = current();
  if (!run) return;
  run.epochs.push(e.metrics);
  log(...epochLines(e.metrics));
  part2.set({ epochs: [...run.epochs] });
}

function onTest(t: TestPoint): void {
  const run = current();
  if (!run) return;
  run.tests = [...(run.tests ?? []), t];
  if (t.batch < t.batches) log(`TEST within epoch ${t.epoch}, after batch ${t.batch} of ${t.batches}: Test Accuracy: ${t.accuracy.toFixed(2)}%  (${t.seconds.toFixed(1)} s into the run)`);
  part2.set({ tests: run.tests });
}

function onCheckpoint(e: CheckpointEvent): void {
  const run = current();
  if (!run) return;
  run.checkpoint = e.checkpoint;
  run.checkpointAt = e.place;
  void saveRun(run).then(refreshRuns);
}

/** About how long `run` takes from here at `msPerStep` (`how`: where that figure came from). */
function estimate(run: RunRecord, msPerStep: number, how: string): string | null {
  const data = part2.get().data;
  if (data.kind !== "loaded" || !(msPerStep > 0)) return null;
  const images = Math.min(run.config.limitTrain ?? data.train, data.train);
  const perEpoch = Math.ceil(images / run.config.batchSize);
  // A resumed run has what is left: from its checkpoint's batch in the epoch under way.
  const done = run.checkpointAt ? (run.checkpointAt.epoch - 1) * perEpoch + run.checkpointAt.batch : run.epochs.length * perEpoch;
  const steps = Math.max(0, perEpoch * run.config.epochs - done);
  const on = run.backend === "wgpu" ? "WebGPU" : "the CPU";
  return `About ${duration((steps * msPerStep) / 1000)} of training: ${count(steps)} steps at ` +
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
    part2.set({ held: model });
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
    saveFile(`gradbook-${part2.get().held ?? "model"}.bin`, bytes.slice(), "application/octet-stream");
  } catch (e) {
    note((e as Error).message, "error");
  }
}

/** The stored runs that no tab is training (one in progress would store itself again at its
 *  next save); with `forget`, deletes them. Also how many are kept, being trained. */
export async function forgetRuns(forget: boolean): Promise<{ forgettable: RunRecord[]; kept: number }> {
  const elsewhere = await heldElsewhere();
  const runs = await listRuns();
  const busy = (r: RunRecord) => r.id === current()?.id || elsewhere.has(r.id);
  const forgettable = runs.filter((r) => !busy(r));
  if (forget) {
    for (const r of forgettable) {
      // Held while deleted, so that no tab takes it up meanwhile.
      const release = await hold(r.id);
      if (!release) continue;
      await deleteRun(r.id);
      release();
    }
    await refreshRuns();
  }
  return { forgettable, kept: runs.length - forgettable.length };
}

/** After a reload: a run that was still training can continue or be looked at (cell 5 offers
 *  it, with `resumeInterrupted`, `viewInterrupted` and `discardInterrupted`). */
async function offerResume(run: RunRecord): Promise<void> {
  // Where the browser has not promised to keep the runs, the student should know before
  // counting on this one.
  const kept = await persisted();
  const message =
    `A ${run.recipe} run of ${run.config.epochs} epochs was interrupted when the page closed; it resumes from ` +
    `${place(run)}` +
    (run.epochs.length ? ` (last test accuracy ${run.epochs[run.epochs.length - 1].testAccuracy.toFixed(2)}%).` : ".") +
    (kept ? "" : ` ${EVICTION}`);
  part2.set({ interrupted: { run, message } });
}

/** The interrupted run offered, no longer offered. */
function takeInterrupted(): RunRecord | null {
  const run = part2.get().interrupted?.run ?? null;
  part2.set({ interrupted: null });
  return run;
}

export async function resumeInterrupted(): Promise<void> {
  const run = takeInterrupted();
  if (run && (await ensureData())) await train(run, run.backend);
}

export async function viewInterrupted(): Promise<void> {
  const run = takeInterrupted();
  if (!run || !(await settle(run, "stopped"))) return;
  part2.set({ view: nextView(), epochs: [...run.epochs], tests: [...(run.tests ?? [])], log: run.epochs.flatMap(epochLines), progress: null });
  await useWeights(run.checkpoint!, `the interrupted run's weights at ${place(run)}`);
}

export async function discardInterrupted(): Promise<void> {
  const run = takeInterrupted();
  if (run) await settle(run, "stopped");
}

/** Marks a run no tab trains as `status` (or deletes it, for null), holding it meanwhile;
 *  whether it could (another tab may have taken it up since). */
async function settle(run: RunRecord, status: RunRecord["status"] | null): Promise<boolean> {
  const release = await hold(run.id);
  if (!release) {
    log(`This ${run.recipe} run has been taken up in another tab: it stays there.`);
    await refreshRuns();
    return false;
  }
  try {
    if (status) await saveRun({ ...run, status });
    else await deleteRun(run.id);
    if (status) run.status = status;
  } finally {
    release();
  }
  await refreshRuns();
  return true;
}

/** The runs still marked "running" that no live tab holds were cut off (a reload, a closed or
 *  crashed tab): the newest with a checkpoint is offered for resuming; any other is stopped
 *  where it was, or dropped when it had no finished epoch to keep. A run another tab trains is
 *  left to it, and looked at again once that tab lets it go. */
const watched = new Set<number>();
async function tidyRuns(): Promise<void> {
  // Who holds what first: a run finished in between then reads as finished, not cut off.
  const elsewhere = await heldElsewhere();
  const running = (await listRuns()).filter((r) => r.status === "running" && r.id !== current()?.id);
  const cutOff = running.filter((r) => !elsewhere.has(r.id));
  const interrupted = [...cutOff].reverse().find((r) => r.checkpoint);
  for (const r of cutOff.filter((r) => r !== interrupted)) await settle(r, r.epochs.length > 0 ? "stopped" : null);
  await refreshRuns();
  if (interrupted) await offerResume(interrupted);
  for (const r of running.filter((r) => elsewhere.has(r.id) && !watched.has(r.id))) {
    watched.add(r.id);
    void whenReleased(r.id).then(() => {
      watched.delete(r.id);
      return tidyRuns();
    });
  }
}

/** Connects the engine's events, tidies the stored runs (offering the interrupted one), and
 *  loads a returning visitor's data. */
export async function begin(cache: string): Promise<void> {
  mnist.on("download", (data: DownloadEvent) => part2.set({ download: data }));
  mnist.on("device", onDevice);
  mnist.on("progress", onProgress);
  mnist.on("epoch", onEpoch);
  mnist.on("checkpoint", onCheckpoint);
  mnist.on("test", onTest);
  mnist.on("replica", (e: ReplicaEvent) => current() && log(e.message));
  await tidyRuns();
  // What another tab changes in the stored runs shows here too.
  onRunsChanged(() => void refreshRuns());
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
