// Cell 8: every stored run's test accuracy per epoch on one plot, with a table of their best
// and final accuracies.
import uPlot from "uplot";
import { escapeHtml } from "../format";
import { axis, legend, line } from "../plot-style";
import { fitWidth, widthIn } from "../plot-fit";
import { touchCursor } from "../plot-touch";
import { forgetRuns } from "./run";
import type { MnistCell } from "./state";
import { runLabel, type RunRecord } from "./store";

let plot: uPlot | null = null;
/** What the plot's x axis counts: epochs, or the run's seconds (its tests included). */
type Along = "epoch" | "seconds";

/** A run's test accuracies as [x, accuracy] points along `along`: every test it kept (those
 *  within its last epoch too), or, for records from before tests were kept, each epoch's, its
 *  time summed from the epochs'. */
function points(r: RunRecord, along: Along): [number, number][] {
  if (r.tests?.length) return r.tests.map((t) => [along === "epoch" ? t.epoch - 1 + t.batch / t.batches : t.seconds, t.accuracy]);
  let seconds = 0;
  return r.epochs.map((e) => [along === "epoch" ? e.epoch : (seconds += e.seconds), e.testAccuracy]);
}

function show(root: HTMLElement, runs: RunRecord[], elsewhere: number[], along: Along): void {
  const withEpochs = runs.filter((r) => r.epochs.length > 0);
  plot?.destroy();
  plot = null;
  if (withEpochs.length === 0) {
    root.innerHTML = `<p class="dim">Finished epochs of every run on this page appear here.</p>`;
    return;
  }
  const rows = withEpochs.map((r) => {
    const accs = r.epochs.map((e) => e.testAccuracy);
    return `<tr><td>${escapeHtml(runLabel(r))}</td><td>${r.status === "running" && elsewhere.includes(r.id) ? "running in another tab" : r.status}</td><td>${r.epochs.length}</td><td>${Math.max(...accs).toFixed(2)}%</td><td>${accs[accs.length - 1].toFixed(2)}%</td></tr>`;
  });
  root.innerHTML =
    `<div id="compare-plot"></div><table class="summary" id="compare-table"><thead><tr><th>run</th><th>status</th><th>epochs</th><th>best test</th><th>final test</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
  // One x for every run's points; each run is drawn through its own (spanGaps).
  const series = withEpochs.map((r) => new Map(points(r, along)));
  const xs = [...new Set(series.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const data = [xs, ...series.map((m) => xs.map((x) => m.get(x) ?? null))] as uPlot.AlignedData;
  const el = root.querySelector<HTMLElement>("#compare-plot")!;
  plot = new uPlot(
    {
      width: widthIn(root, 900),
      height: 300,
      // Whole epochs on x (no 1.5); accuracy never above 100 % on y.
      scales: {
        x: { time: false, range: (_u, min, max) => (along === "epoch" ? [Math.min(min, 1), Math.max(max, 2)] : [0, max * 1.02]) },
        y: { range: (_u, min, max) => [Math.max(0, Math.floor(min - 1)), Math.min(100, Math.ceil(max + 1))] },
      },
      axes: [along === "epoch" ? axis("epoch", { incrs: [1, 2, 5, 10, 20, 50] }) : axis("seconds from Start"), axis("test accuracy %", { size: 60 })],
      series: [{ label: along }, ...withEpochs.map((r, i) => ({ label: runLabel(r), ...line(i), spanGaps: true, points: { size: 7 } }))],
      legend,
      plugins: [touchCursor(), fitWidth(root, 900)],
    },
    data,
    el,
  );
}

export const mountCompare: MnistCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#mnist-compare")!;
  const along = cell.querySelector<HTMLSelectElement>("#mnist-compare-along")!;
  const draw = () => show(root, state.get().runs, state.get().elsewhere, along.value as Along);
  along.addEventListener("change", draw);
  state.watch((s) => s.runs, draw);
  state.watch((s) => s.elsewhere.join(), draw);
  const storage = cell.querySelector<HTMLElement>("#mnist-storage")!;
  state.watch((s) => s.storage, (text) => (storage.textContent = text));
  // Forgetting cannot be undone: the first click asks, a second within 5 s forgets.
  const clear = cell.querySelector<HTMLButtonElement>("#mnist-clear-runs")!;
  const said = cell.querySelector<HTMLElement>("#mnist-clear-status")!;
  const label = clear.textContent!;
  let armed: number | undefined;
  clear.addEventListener("click", async () => {
    if (armed === undefined) {
      said.textContent = "";
      const n = (await forgetRuns(false)).forgettable.length;
      clear.textContent = `Click again to forget ${n} run${n === 1 ? "" : "s"}`;
      armed = window.setTimeout(() => ((clear.textContent = label), (armed = undefined)), 5000);
      return;
    }
    window.clearTimeout(armed);
    armed = undefined;
    clear.textContent = label;
    const { forgettable, kept } = await forgetRuns(true);
    const forgot = `Forgot ${forgettable.length} run${forgettable.length === 1 ? "" : "s"}`;
    said.textContent = kept ? `${forgot}; kept ${kept} being trained (in this tab or another), which no tab can forget until it ends.` : `${forgot}.`;
  });
};
