// Cell 4: the run as it happens. A tqdm-like bar per epoch, the seed notebook's log, live plots
// of the loss per batch and of loss and accuracy per epoch, and the device doing the work.
import { LivePlot } from "./plots";
import type { Backend, EpochMetrics, Progress } from "./protocol";

const $ = (id: string) => document.getElementById(id)!;

let batchLoss: LivePlot | null = null;
let epochLoss: LivePlot | null = null;
let epochAccuracy: LivePlot | null = null;

export type RunState = "idle" | "running" | "paused";

/** Shows which buttons apply in `state`. */
export function setRunState(state: RunState): void {
  ($("mnist-start") as HTMLButtonElement).disabled = state !== "idle";
  ($("mnist-pause") as HTMLButtonElement).hidden = state !== "running";
  ($("mnist-resume") as HTMLButtonElement).hidden = state !== "paused";
  ($("mnist-stop") as HTMLButtonElement).disabled = state === "idle";
  $("cell-mnist-train").dataset.state = state;
}

/** Clears the log and plots for a new run (or a resumed one, replaying its finished epochs).
 *  Before any run (`shown` false) the empty plots stay out of the way. */
export function resetRun(previous: EpochMetrics[] = [], shown = true): void {
  $("mnist-plots").hidden = !shown;
  for (const p of [batchLoss, epochLoss, epochAccuracy]) p?.destroy();
  batchLoss = new LivePlot($("plot-batch-loss"), "epoch", "train loss", ["loss (mean since last point)"]);
  epochLoss = new LivePlot($("plot-epoch-loss"), "epoch", "loss", ["train", "test"]);
  epochAccuracy = new LivePlot($("plot-epoch-accuracy"), "epoch", "accuracy %", ["train", "test"]);
  $("mnist-log").textContent = "";
  $("mnist-bar-text").textContent = "";
  ($("mnist-bar") as HTMLProgressElement).value = 0;
  previous.forEach(showEpoch);
}

export function showDevice(backend: Backend, detail: string): void {
  $("mnist-device").innerHTML =
    `<span class="badge badge-${backend}" data-backend="${backend}">${backend === "wgpu" ? "WebGPU" : "CPU"}</span> <span class="dim">${detail}</span>`;
}

export function log(line: string): void {
  const el = $("mnist-log");
  el.textContent += line + "\n";
  el.scrollTop = el.scrollHeight;
}

/** "45 s", "12 min", "1 h 5 min". */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

export function showProgress(p: Progress): void {
  if (p.batch <= p.batches && ($("mnist-log").textContent ?? "").lastIndexOf(`Epoch: ${p.epoch}\n`) < 0) log(`Epoch: ${p.epoch}`);
  const bar = $("mnist-bar") as HTMLProgressElement;
  bar.max = p.batches;
  bar.value = p.batch;
  const perBatch = p.seconds / p.batch;
  // Batches of the run still to train (the tests between epochs not counted).
  const left = p.batches - p.batch + p.batches * (p.epochs - p.epoch);
  $("mnist-bar-text").textContent =
    `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} (${Math.round((100 * p.batch) / p.batches)}%) · ` +
    `${(1 / perBatch).toFixed(1)} batches/s · epoch ends in ${duration(perBatch * (p.batches - p.batch))}, run in ${duration(perBatch * left)} · ` +
    `loss=${p.loss.toFixed(4)} · acc=${p.accuracy.toFixed(2)}%`;
  batchLoss?.push(p.epoch - 1 + p.batch / p.batches, [p.recentLoss]);
}

export function showEpoch(m: EpochMetrics): void {
  log(`TRAIN set: Average loss: ${m.trainLoss.toFixed(4)}, Train Accuracy: ${m.trainAccuracy.toFixed(2)}%`);
  log(`TEST set: Average loss: ${m.testLoss.toFixed(4)}, Test Accuracy: ${m.testAccuracy.toFixed(2)}%  (${m.seconds.toFixed(1)} s)`);
  epochLoss?.push(m.epoch, [m.trainLoss, m.testLoss]);
  epochAccuracy?.push(m.epoch, [m.trainAccuracy, m.testAccuracy]);
  $("mnist-last").innerHTML = `Epoch ${m.epoch}: test accuracy <strong id="mnist-test-accuracy">${m.testAccuracy.toFixed(2)}%</strong>, ${m.seconds.toFixed(1)} s per epoch.`;
}

export function plotPoints(): { batch: number; epoch: number } {
  return { batch: batchLoss?.points ?? 0, epoch: epochLoss?.points ?? 0 };
}
