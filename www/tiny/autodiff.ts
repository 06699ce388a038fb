// Cell 6: burn's autodiff gradients beside the hand-derived ones.
import { fmt } from "../format";
import { drawWhenSeen } from "../seen";
import { selectedRow, type BurnCheck, type TinyCell } from "./state";

function paint(root: HTMLElement, burn: BurnCheck, lrIndex: number, iteration: number): void {
  if (burn.kind === "none") return;
  if (burn.kind === "pending") {
    root.innerHTML = `<p class="pending">${burn.message}</p>`;
    return;
  }
  if (burn.kind === "failed") {
    root.innerHTML = `<p class="error">burn could not run: ${burn.message}</p>`;
    return;
  }
  const { run, exact } = burn;
  const b = run.traces[lrIndex]?.rows[iteration];
  const e = exact[lrIndex]?.rows[iteration];
  if (!b || !e) return;
  const device = run.backend === "wgpu" ? run.device : "the CPU (burn's Flex backend)";
  const why = run.fallbackReason;
  const fallback = why ? ` <span class="dim">(${why})</span>` : "";
  const rows = e.dE_dw.map((g, k) =>
    `<tr><td>∂E/∂w${k + 1}</td><td>${fmt(g, 9)}</td><td>${fmt(b.dE_dw[k], 9)}</td><td>${fmt(Math.abs(g - b.dE_dw[k]), 2)}</td></tr>`,
  );
  root.innerHTML =
    `<p><span class="badge badge-${run.backend}" data-backend="${run.backend}">${run.backend === "wgpu" ? "WebGPU" : "CPU"}</span> ` +
    `burn trained all ${run.traces.length} learning rates × ${run.traces[0].rows.length - 1} iterations on ${device} in ${run.millis.toFixed(0)} ms.${fallback}</p>` +
    `<p>Largest absolute difference from the chain rule, over every number of every row: <strong id="max-diff">${fmt(run.maxAbsDifference, 3)}</strong></p>` +
    `<table class="summary"><thead><tr><th>η = ${run.traces[lrIndex].learningRate}, iteration ${iteration}</th><th>chain rule (f64)</th><th>burn autodiff (f32)</th><th>|difference|</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
}

export const mountAutodiff: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#autodiff")!;
  const show = () => {
    const s = state.get();
    paint(root, s.burn, s.lrIndex, s.iteration);
  };
  // Out of view while the slider in cell 1 moves: drawn when seen.
  const schedule = drawWhenSeen(cell, show);
  state.watch((s) => s.burn, schedule);
  state.watch(selectedRow, schedule);
};
