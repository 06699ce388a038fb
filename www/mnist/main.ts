// Part 2 of the notebook: wires the MNIST cells to the engine worker and to the stored runs.
// Each cell lives in its own module beside this one; this file holds the run's life cycle:
// start, pause, resume, stop, per-epoch checkpoints, resume after a reload, and the switch to
// the CPU when the GPU fails mid-run.
import { EngineCrashed } from "../engine";
import { mnist } from "./client";
import { showCompare } from "./compare";
import { loadData, showDownload, showSamples } from "./data";
import { MNIST_CACHE, MNIST_FILES } from "./files";
import { showModel } from "./model";
import { mountParams, type Setup } from "./params";
import type { CheckpointEvent, DownloadEvent, EpochEvent, Progress, TrainConfig } from "./protocol";
import { showResults } from "./results";
import { mountSketch } from "./sketch";
import { deleteRun, listRuns, saveRun, type RunRecord } from "./store";
import { log, resetRun, setRunState, showDevice, showEpoch, showProgress } from "./training";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let dataLoaded = false;
let loading: Promise<boolean> | null = null;
let settingsValid = false;
let current: RunRecord | null = null;
/** The model the engine holds now (the last trained or loaded): what a download is named after. */
let heldModel: string | null = null;
let params: { setup: () => Setup; lock: (locked: boolean) => void };

function note(id: string, text: string, kind: "ok" | "error" = "ok"): void {
  const el = $(id);
  el.textContent = text;
  el.className = kind === "error" ? "error" : "dim";
}

function refreshStart(): void {
  $<HTMLButtonElement>("mnist-start").disabled = !(dataLoaded && settingsValid) || current !== null;
  $("mnist-start-hint").textContent = !dataLoaded ? "Load the data first (cell 1)." : settingsValid ? "" : "Fix the settings first (cell 3).";
}

/** Trains `run` (from its checkpoint, exactly where that was, when it has one) on the device
 *  the engine picks for `requested`, saving it every epoch and every half minute. `why` says
 *  why the device changed mid-run. */
async function train(run: RunRecord, requested: Setup["device"], why = ""): Promise<void> {
  current = run;
  // The checkpoint is the truth: an epoch reported after it (a reload in between) trains again.
  if (run.checkpointAt) run.epochs = run.epochs.slice(0, run.checkpointAt.epoch - 1);
  setRunState("running");
  params.lock(true);
  refreshStart();
  resetRun(run.epochs);
  if (why) log(`${why}.`);
  showDevice(run.backend, requested === "auto" ? "timing a few steps on WebGPU and on the CPU…" : why);
  try {
    const choice = await mnist.call("chooseDevice", run.config, requested);
    run.backend = choice.backend;
    showDevice(choice.backend, why ? `${why} — ${choice.summary}` : choice.summary);
  } catch (e) {
    run.backend = "flex";
    showDevice("flex", `training on the CPU: choosing the device failed (${(e as Error).message})`);
  }
  await saveRun(run);
  try {
    const summary = await mnist.call("train", {
      config: run.config,
      backend: run.backend,
      resume: run.checkpoint,
      epochsDone: run.epochs.length,
    });
    if (summary.note) log(`${summary.note}.`);
    if (summary.backend !== run.backend) {
      run.backend = summary.backend;
      showDevice(summary.backend, `on the CPU: ${summary.fallbackReason ?? "WebGPU was not available"}`);
    }
    run.status = summary.outcome.kind;
    heldModel = run.config.model;
    if (summary.message) log(summary.message);
    if (summary.evaluation) await showResults(summary.evaluation);
  } catch (e) {
    const message = (e as Error).message;
    if (run.backend === "wgpu") {
      // A lost or failing GPU: carry on with the same run on the CPU from the last finished
      // epoch. The engine may not survive what the GPU did to it, so it starts afresh (and
      // reloads the data from the browser's cache) first.
      const why = `WebGPU failed mid-run (${message}); continuing on the CPU from ${place(run)}`;
      current = null;
      if (!(e instanceof EngineCrashed)) {
        mnist.restart();
        dataLoaded = false;
        loading = null;
      }
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
      showCompare(await listRuns());
      setRunState("idle");
      params.lock(false);
      refreshStart();
    }
  }
}

async function startRun(): Promise<void> {
  // One run at a time, however fast the clicks: `train` marks the run current before it awaits.
  if (current) return;
  const setup = params.setup();
  const run: RunRecord = { id: Date.now(), recipe: setup.recipe, config: setup.config, backend: "flex", epochs: [], checkpoint: null, status: "running", created: Date.now() };
  await train(run, setup.device);
}

function onEpoch(e: EpochEvent): void {
  showEpoch(e.metrics);
  current?.epochs.push(e.metrics);
}

function onCheckpoint(e: CheckpointEvent): void {
  if (!current) return;
  current.checkpoint = e.checkpoint;
  current.checkpointAt = e.place;
  void saveRun(current).then(listRuns).then(showCompare);
}

/** Where `run`'s checkpoint resumes it, in words. */
function place(run: RunRecord): string {
  const at = run.checkpointAt;
  if (!run.checkpoint) return "the start";
  if (!at) return `epoch ${run.epochs.length + 1}`;
  return at.batch === 0 ? `the start of epoch ${at.epoch}` : `epoch ${at.epoch}, after batch ${at.batch}`;
}

/** Loads the data once, however many cells ask for it meanwhile. */
function ensureData(): Promise<boolean> {
  loading ??= (async () => {
    $<HTMLButtonElement>("mnist-load").disabled = true;
    dataLoaded = await loadData(MNIST_FILES);
    $<HTMLButtonElement>("mnist-load").disabled = dataLoaded;
    $<HTMLButtonElement>("mnist-augment").disabled = !dataLoaded;
    refreshStart();
    if (dataLoaded) await showSamples(params.setup().config.augment);
    else loading = null; // let a click try again
    return dataLoaded;
  })();
  return loading;
}

/** Makes `bytes` the current model and shows its results; on a bad file nothing changes. */
async function useWeights(bytes: Uint8Array, from: string): Promise<void> {
  try {
    const model = await mnist.call("loadWeights", bytes, null);
    heldModel = model;
    note("mnist-weights-status", `Loaded ${from}: model ${model}. Testing it on all 10,000 test images…`);
    if (await ensureData()) await showResults(await mnist.call("evaluate"));
    note("mnist-weights-status", `Loaded ${from}: model ${model}, tested on all 10,000 test images.`);
  } catch (e) {
    note("mnist-weights-status", `${from}: ${(e as Error).message}. The current model is unchanged.`, "error");
  }
}

/** After a reload: a run that was still training can continue or be looked at. */
function offerResume(run: RunRecord): void {
  const offer = $("mnist-resume-offer");
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
    resetRun(run.epochs);
    run.status = "stopped";
    await saveRun(run);
    await useWeights(run.checkpoint!, `the interrupted run's weights at ${place(run)}`);
  };
  offer.querySelector<HTMLButtonElement>("[data-discard]")!.onclick = async () => {
    done();
    run.status = "stopped";
    await saveRun(run);
    showCompare(await listRuns());
  };
}

function download(bytes: Uint8Array, name: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([bytes.slice()], { type: "application/octet-stream" }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

async function start(): Promise<void> {
  mnist.onEvent = (e) => {
    if (e.event === "download") showDownload(e.data as DownloadEvent);
    else if (e.event === "progress") showProgress(e.data as Progress);
    else if (e.event === "epoch") onEpoch(e.data as EpochEvent);
    else if (e.event === "checkpoint") onCheckpoint(e.data as CheckpointEvent);
  };
  const [models, recipes] = await Promise.all([mnist.call("models"), mnist.call("recipes")]);
  const byName = new Map(models.map((m) => [m.name, m]));
  params = mountParams({
    recipes: new Map<string, TrainConfig>(recipes),
    validate: (c) => mnist.call("validate", c),
    onChange: (setup, valid) => {
      showModel(byName.get(setup.config.model)!);
      settingsValid = valid;
      refreshStart();
    },
  });
  setRunState("idle");
  resetRun([], false);

  $("mnist-load").addEventListener("click", () => void ensureData());
  $("mnist-augment").addEventListener("click", () => void showSamples(params.setup().config.augment));
  $("mnist-start").addEventListener("click", () => void startRun());
  $("mnist-pause").addEventListener("click", () => void mnist.call("pause").then(() => setRunState("paused")));
  $("mnist-resume").addEventListener("click", () => void mnist.call("resume").then(() => setRunState("running")));
  $("mnist-stop").addEventListener("click", () => void mnist.call("stop"));
  $("mnist-save-weights").addEventListener("click", async () => {
    try {
      download(await mnist.call("weights"), `gradbook-${heldModel ?? "model"}.bin`);
    } catch (e) {
      note("mnist-weights-status", (e as Error).message, "error");
    }
  });
  $<HTMLInputElement>("mnist-load-weights").addEventListener("change", async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) await useWeights(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  // Forgetting cannot be undone: the first click asks, a second within 5 s forgets.
  const clear = $<HTMLButtonElement>("mnist-clear-runs");
  const clearLabel = clear.textContent!;
  let armed: number | undefined;
  clear.addEventListener("click", async () => {
    // Not the run in progress: its next epoch would store it again, undoing the click.
    const forgettable = (await listRuns()).filter((r) => r.id !== current?.id);
    if (armed === undefined) {
      clear.textContent = `Click again to forget ${forgettable.length} run${forgettable.length === 1 ? "" : "s"}`;
      armed = window.setTimeout(() => ((clear.textContent = clearLabel), (armed = undefined)), 5000);
      return;
    }
    window.clearTimeout(armed);
    armed = undefined;
    clear.textContent = clearLabel;
    for (const r of forgettable) await deleteRun(r.id);
    showCompare(await listRuns());
  });
  mountSketch((pixels) => mnist.call("predict", pixels));

  // A run still "running" when the page opens was cut off by a reload or a closed tab. The
  // newest with a checkpoint is offered for resuming; any other is stopped where it was, or
  // dropped when it had no finished epoch to keep.
  const runs = await listRuns();
  const interrupted = [...runs].reverse().find((r) => r.status === "running" && r.checkpoint);
  for (const r of runs.filter((r) => r.status === "running" && r !== interrupted)) {
    if (r.epochs.length > 0) await saveRun({ ...r, status: "stopped" });
    else await deleteRun(r.id);
  }
  showCompare(await listRuns());
  if (interrupted) offerResume(interrupted);
  // A returning visitor's data is in the cache: load it without asking.
  if ("caches" in window && (await caches.has(MNIST_CACHE))) void ensureData();
  // A crashed engine comes back empty: load the data into the fresh one (from the cache).
  mnist.onCrash = () => {
    dataLoaded = false;
    loading = null;
    refreshStart();
    void ensureData();
  };
  // The engine's handle for scripts driving the page (bench/notebook-mnist.mjs) and the console.
  (globalThis as { gradbook?: unknown }).gradbook = { mnist };
  document.body.dataset.mnistReady = "true";
}

start().catch((e) => note("mnist-data-status", `Part 2 could not start: ${(e as Error).message}`, "error"));
