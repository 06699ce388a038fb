// Cell 8: every stored run's test accuracy per epoch on one plot, with a table of their best
// and final accuracies.
import uPlot from "uplot";
import { escapeHtml } from "../format";
import { axis, legend, line } from "../plot-style";
import { forgetRuns } from "./run";
import type { MnistCell } from "./state";
import { runLabel, type RunRecord } from "./store";

let plot: uPlot | null = null;

function show(root: HTMLElement, runs: RunRecord[]): void {
  const withEpochs = runs.filter((r) => r.epochs.length > 0);
  plot?.destroy();
  plot = null;
  if (withEpochs.length === 0) {
    root.innerHTML = `<p class="dim">Finished epochs of every run on this page appear here.</p>`;
    return;
  }
  const rows = withEpochs.map((r) => {
    const accs = r.epochs.map((e) => e.testAccuracy);
    return `<tr><td>${escapeHtml(runLabel(r))}</td><td>${r.status}</td><td>${r.epochs.length}</td><td>${Math.max(...accs).toFixed(2)}%</td><td>${accs[accs.length - 1].toFixed(2)}%</td></tr>`;
  });
  root.innerHTML =
    `<div id="compare-plot"></div><table class="summary" id="compare-table"><thead><tr><th>run</th><th>status</th><th>epochs</th><th>best test</th><th>final test</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
  const longest = Math.max(...withEpochs.map((r) => r.epochs.length));
  const xs = Array.from({ length: longest }, (_, i) => i + 1);
  const data = [xs, ...withEpochs.map((r) => xs.map((x) => r.epochs[x - 1]?.testAccuracy ?? null))] as uPlot.AlignedData;
  const el = root.querySelector<HTMLElement>("#compare-plot")!;
  plot = new uPlot(
    {
      width: Math.min(root.clientWidth || 800, 900),
      height: 300,
      // Whole epochs on x (no 1.5); accuracy never above 100 % on y.
      scales: { x: { time: false, range: (_u, min, max) => [Math.min(min, 1), Math.max(max, 2)] }, y: { range: (_u, min, max) => [Math.max(0, Math.floor(min - 1)), Math.min(100, Math.ceil(max + 1))] } },
      axes: [axis("epoch", { incrs: [1, 2, 5, 10, 20, 50] }), axis("test accuracy %", { size: 60 })],
      series: [{ label: "epoch" }, ...withEpochs.map((r, i) => ({ label: runLabel(r), ...line(i), points: { size: 7 } }))],
      legend,
    },
    data,
    el,
  );
}

export const mountCompare: MnistCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#mnist-compare")!;
  state.watch((s) => s.runs, (runs) => show(root, runs));
  // Forgetting cannot be undone: the first click asks, a second within 5 s forgets.
  const clear = cell.querySelector<HTMLButtonElement>("#mnist-clear-runs")!;
  const label = clear.textContent!;
  let armed: number | undefined;
  clear.addEventListener("click", async () => {
    if (armed === undefined) {
      const n = (await forgetRuns(false)).length;
      clear.textContent = `Click again to forget ${n} run${n === 1 ? "" : "s"}`;
      armed = window.setTimeout(() => ((clear.textContent = label), (armed = undefined)), 5000);
      return;
    }
    window.clearTimeout(armed);
    armed = undefined;
    clear.textContent = label;
    await forgetRuns(true);
  });
};
