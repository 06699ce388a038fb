// Cell 6: burn's autodiff gradients beside the hand-derived ones.
import { fmt } from "../format";
import { subscribe } from "./selection";
import type { BurnRun, Trace } from "./types";

let burn: BurnRun | null = null;
let exact: Trace[] = [];

export function showBurnPending(message: string): void {
  document.getElementById("autodiff")!.innerHTML = `<p class="pending">${message}</p>`;
}

export function showBurnError(message: string): void {
  burn = null;
  document.getElementById("autodiff")!.innerHTML = `<p class="error">burn could not run: ${message}</p>`;
}

export function showBurn(run: BurnRun, exactTraces: Trace[]): void {
  burn = run;
  exact = exactTraces;
  paint(0, 0);
}

function paint(lrIndex: number, iteration: number): void {
  if (!burn || !burn.traces[lrIndex]) return;
  const b = burn.traces[lrIndex].rows[iteration];
  const e = exact[lrIndex].rows[iteration];
  if (!b || !e) return;
  const device = burn.backend === "wgpu" ? burn.device : "the CPU (burn's Flex backend)";
  const why = burn.fallbackReason;
  const fallback = why ? ` <span class="dim">(${why})</span>` : "";
  const rows = e.dE_dw.map((g, k) =>
    `<tr><td>∂E/∂w${k + 1}</td><td>${fmt(g, 9)}</td><td>${fmt(b.dE_dw[k], 9)}</td><td>${fmt(Math.abs(g - b.dE_dw[k]), 2)}</td></tr>`,
  );
  document.getElementById("autodiff")!.innerHTML =
    `<p><span class="badge badge-${burn.backend}" data-backend="${burn.backend}">${burn.backend === "wgpu" ? "WebGPU" : "CPU"}</span> ` +
    `burn trained all ${burn.traces.length} learning rates × ${burn.traces[0].rows.length - 1} iterations on ${device} in ${burn.millis.toFixed(0)} ms.${fallback}</p>` +
    `<p>Largest absolute difference from the chain rule, over every number of every row: <strong id="max-diff">${fmt(burn.maxAbsDifference, 3)}</strong></p>` +
    `<table class="summary"><thead><tr><th>η = ${burn.traces[lrIndex].learningRate}, iteration ${iteration}</th><th>chain rule (f64)</th><th>burn autodiff (f32)</th><th>|difference|</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
}

export function mountAutodiff(): void {
  subscribe((s) => paint(s.lrIndex, s.iteration));
}
