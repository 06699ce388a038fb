// Point at a weight: the paths its gradient takes from E_total light up on the diagram, and
// here its derivation, factor by factor, with the selected iteration's numbers. Each factor
// marks its place on the diagram while pointed at or focused.
import { fmt } from "../format";
import { numbers, symbols } from "./pieces";
import type { TinyCell } from "./state";
import type { Path } from "./types";

const WEIGHTS = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"];

/** One path as a table: a column per factor (what it is, its formula, its numbers, its value). */
function pathTable(p: Path, caption: string): string {
  const row = (head: string, cell: (i: number) => string, last: string) =>
    `<tr><th scope="row">${head}</th>${p.factors.map((_, i) => `<td>${cell(i)}</td>`).join("")}<td>${last}</td></tr>`;
  return `<table class="path"><caption>${caption}</caption>` +
    row("factor", (i) => `<button type="button" class="factor" data-at="${p.factors[i].at}">${p.factors[i].symbol}</button>`, "product") +
    row("formula", (i) => symbols(p.factors[i].pieces), "") +
    row("numbers", (i) => numbers(p.factors[i].pieces), "") +
    row("value", (i) => fmt(p.factors[i].value, 6), `<strong>${fmt(p.value, 9)}</strong>`) +
    `</table>`;
}

export const mountPaths: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#paths")!;
  root.innerHTML =
    `<div class="actions weights" role="group" aria-label="Point at a weight to see its gradient's paths">` +
    `<span>Point at a weight:</span> ` +
    WEIGHTS.map((w, k) => `<button type="button" data-weight="${k}" aria-pressed="false">${w}</button>`).join(" ") +
    `</div><div id="path-detail" aria-live="polite"></div>`;
  const detail = root.querySelector<HTMLElement>("#path-detail")!;
  root.addEventListener("click", (e) => {
    const k = (e.target as HTMLElement).closest<HTMLElement>("[data-weight]")?.dataset.weight;
    if (k !== undefined) state.set({ weight: state.get().weight === Number(k) ? null : Number(k) });
  });
  // A factor marks its place on the diagram while pointed at or focused.
  const spot = (e: Event) => state.set({ spot: (e.target as HTMLElement).closest<HTMLElement>(".factor")?.dataset.at ?? null });
  detail.addEventListener("pointerover", spot);
  detail.addEventListener("focusin", spot);
  detail.addEventListener("pointerleave", () => state.set({ spot: null }));
  detail.addEventListener("focusout", () => state.set({ spot: null }));

  const render = () => {
    const s = state.get();
    root.querySelectorAll<HTMLElement>("[data-weight]").forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.weight) === s.weight)));
    const e = s.explained;
    if (s.weight === null || !e) {
      detail.innerHTML = `<p class="dim">Point at a weight (here, on the diagram, in the table's headings or in the equations) to see the path its gradient takes.</p>`;
      return;
    }
    const w = WEIGHTS[s.weight];
    const paths = e.paths[s.weight];
    const total = paths.reduce((sum, p) => sum + p.value, 0);
    const through = (p: Path) => p.factors[1].at; // the output neuron it goes through
    let html = `<h3>∂E_total/∂${w} at iteration ${e.iteration}, η = ${e.learningRate}</h3>`;
    if (paths.length === 1) {
      html += `<p>${w} feeds only ${through(paths[0])}, so one path leads back to it from E_total: the product of the local derivatives along it.</p>`;
      html += pathTable(paths[0], `The path through ${through(paths[0])}`);
    } else {
      html += `<p>${w} feeds a hidden neuron, which feeds both outputs: two paths lead back to it, and its gradient is the sum of their products.</p>`;
      html += paths.map((p) => pathTable(p, `The path through ${through(p)}`)).join("");
      const terms = paths.map((p, i) => (i === 0 ? fmt(p.value, 6).replace("-", "−") : `${p.value < 0 ? "−" : "+"} ${fmt(Math.abs(p.value), 6)}`));
      html += `<p class="path-sum">∂E_total/∂${w} = ${terms.join(" ")} = <strong>${fmt(total, 9)}</strong></p>`;
    }
    detail.innerHTML = html;
  };
  state.watch((s) => s.weight, render);
  state.watch((s) => s.explained, render);
};
