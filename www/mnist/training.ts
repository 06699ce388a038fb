// Cell 5: the run as it happens. A tqdm-like bar per epoch, the seed notebook's log, live plots
// of the loss per batch and of loss and accuracy per epoch, and the device doing the work.
import { keepFocus } from "../focus";
import { duration } from "../format";
import { discardInterrupted, downloadWeights, pauseRun, resumeInterrupted, resumeRun, startRun, stopRun, useWeights, viewInterrupted } from "./run";
import { milestonesText } from "./milestones";
import { LivePlot } from "./plots";
import type { MnistCell, MnistState } from "./state";
import type { Progress } from "./protocol";

function barText(p: Progress): string {
  const perBatch = p.seconds / p.batch;
  // Batches of the run still to train (the tests between epochs not counted).
  const left = p.batches - p.batch + p.batches * (p.epochs - p.epoch);
  return `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} (${Math.round((100 * p.batch) / p.batches)}%) · ` +
    `${(1 / perBatch).toFixed(1)} batches/s · epoch ends in ${duration(perBatch * (p.batches - p.batch))}, run in ${duration(perBatch * left)} · ` +
    `loss=${p.loss.toFixed(4)} · acc=${p.accuracy.toFixed(2)}%`;
}

export const mountTraining: MnistCell = (root, state) => {
  const $ = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`#${id}`)!;
  const [start, pause, resume, stop] = ["mnist-start", "mnist-pause", "mnist-resume", "mnist-stop"].map((id) => $<HTMLButtonElement>(id));
  start.addEventListener("click", () => void startRun());
  pause.addEventListener("click", () => void pauseRun());
  resume.addEventListener("click", () => void resumeRun());
  stop.addEventListener("click", () => void stopRun());
  // The weights the engine holds: down to a file, or up from one.
  $("mnist-save-weights").addEventListener("click", () => void downloadWeights());
  $<HTMLInputElement>("mnist-load-weights").addEventListener("change", async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) await useWeights(new Uint8Array(await file.arrayBuffer()), file.name);
  });

  state.watch((s) => s.weightsNote, (note) => {
    const el = $("mnist-weights-status");
    el.textContent = note?.text ?? "";
    el.className = note?.kind === "error" ? "error" : "dim";
  });

  // A run the last visit left unfinished: resume it, look at it, or let it go.
  const offer = $("mnist-resume-offer");
  offer.querySelector<HTMLButtonElement>("[data-resume]")!.addEventListener("click", () => void resumeInterrupted());
  offer.querySelector<HTMLButtonElement>("[data-view]")!.addEventListener("click", () => void viewInterrupted());
  offer.querySelector<HTMLButtonElement>("[data-discard]")!.addEventListener("click", () => void discardInterrupted());
  state.watch((s) => s.interrupted, (interrupted) => {
    offer.hidden = !interrupted;
    offer.querySelector("p")!.textContent = interrupted?.message ?? "";
  });

  // Which buttons apply, and why Start cannot yet.
  state.watch((s) => `${s.runState} ${s.data.kind} ${s.settingsValid} ${Boolean(s.design?.check.error)}`, (_, s) => {
    const loaded = s.data.kind === "loaded";
    keepFocus(() => {
      start.disabled = s.runState !== "idle" || !(loaded && s.settingsValid);
      pause.hidden = s.runState !== "running";
      resume.hidden = s.runState !== "paused";
      stop.disabled = s.runState === "idle" || s.runState === "stopping";
    }, [pause, resume, start, stop]);
    root.dataset.state = s.runState;
    $("mnist-start-hint").textContent = !loaded ? "Load the data first (cell 1)."
      : s.settingsValid ? ""
      : s.design?.check.error ? "Fix the model first (cell 3)."
      : "Fix the settings first (cell 4).";
  });

  state.watch((s) => s.device, (d) => {
    $("mnist-device").innerHTML = d
      ? `<span class="badge badge-${d.backend}" data-backend="${d.backend}">${d.backend === "wgpu" ? "WebGPU" : "CPU"}</span> <span class="dim">${d.detail}</span>`
      : "";
  });

  // A new run on screen: fresh plots, with the epochs it already has.
  let plots: LivePlot[] = [];
  let drawn = 0;
  state.watch((s) => s.view, (view) => {
    $("mnist-plots").hidden = view === null;
    for (const p of plots) p.destroy();
    plots = [
      new LivePlot($("plot-batch-loss"), "epoch", "train loss", ["loss (mean since last point)"]),
      new LivePlot($("plot-epoch-loss"), "epoch", "loss", ["train", "test"]),
      new LivePlot($("plot-epoch-accuracy"), "epoch", "accuracy %", ["train", "test"]),
    ];
    drawn = 0;
    $("mnist-bar-text").textContent = "";
    $<HTMLProgressElement>("mnist-bar").value = 0;
    $("mnist-last").textContent = "";
    $("mnist-milestones").textContent = "";
  });
  state.watch((s) => s.epochs, (epochs) => {
    if (epochs.length < drawn) drawn = 0;
    for (const m of epochs.slice(drawn)) {
      plots[1].push(m.epoch, [m.trainLoss, m.testLoss]);
      plots[2].push(m.epoch, [m.trainAccuracy, m.testAccuracy]);
      $("mnist-last").innerHTML = `Epoch ${m.epoch}: test accuracy <strong id="mnist-test-accuracy">${m.testAccuracy.toFixed(2)}%</strong>, ${m.seconds.toFixed(1)} s per epoch.`;
    }
    drawn = epochs.length;
  });
  // Said in the past tense once the run has ended without reaching one.
  const milestones = (s: MnistState) => ($("mnist-milestones").innerHTML = milestonesText(s.tests, s.runState !== "idle"));
  state.watch((s) => s.tests, (_, s) => milestones(s));
  state.watch((s) => s.runState, (_, s) => milestones(s));
  state.watch((s) => s.progress, (p) => {
    if (!p) return;
    const bar = $<HTMLProgressElement>("mnist-bar");
    bar.max = p.batches;
    bar.value = p.batch;
    $("mnist-bar-text").textContent = barText(p);
    plots[0].push(p.epoch - 1 + p.batch / p.batches, [p.recentLoss]);
  });
  state.watch((s) => s.log, (lines) => {
    const el = $("mnist-log");
    el.textContent = lines.length ? lines.join("\n") + "\n" : "";
    el.scrollTop = el.scrollHeight;
  });
};
