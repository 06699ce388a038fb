// Cell 2: the chosen model's summary table (what `gradbook models` prints) and its layer stack
// drawn as boxes whose width follows the number of channels. The model is a built-in one or
// the student's design from cell 3, as the engine checked it.
import { escapeHtml as escape, count } from "../format";
import type { MnistCell } from "./state";
import type { DesignCheck, ModelSpec } from "./protocol";

function show(root: HTMLElement, spec: ModelSpec, check: DesignCheck): void {
  const rows = check.rows
    .map((r) => `<tr><td>${r.layer}</td><td>${r.shape.join(" × ")}</td><td>${count(r.params)}</td><td>${r.receptiveField}</td></tr>`)
    .join("");
  const widest = Math.max(1, ...check.rows.map((r) => r.shape[0]));
  const stack = check.rows
    .map((r) => {
      const kind = r.kind.toLowerCase();
      const width = 50 + (50 * r.shape[0]) / widest; // wide enough for the label at any width
      return `<div class="layer layer-${kind}" style="width:${width}%" title="${r.layer}: ${r.shape.join("×")}">${r.layer} <small>${r.shape.join("×")}</small></div>`;
    })
    .join("");
  const about = spec.about ? `: ${escape(spec.about)}` : ": your design (cell 3)";
  const broken = check.error ? `<p class="error">It cannot be built yet (cell 3 says where): only the layers that fit are shown.</p>` : "";
  root.innerHTML =
    `<p><strong>${escape(spec.name)}</strong>${about}.</p>${broken}` +
    `<div class="model-view"><table class="summary" id="model-summary"><thead><tr><th>layer</th><th>output (C × H × W)</th><th>parameters</th><th>receptive field</th></tr></thead>` +
    `<tbody>${rows}</tbody><tfoot><tr><th>total</th><th></th><th id="model-total">${count(check.total)}</th><th></th></tr></tfoot></table>` +
    `<div class="stack" aria-label="layer stack"><div class="layer layer-input">input <small>1×28×28</small></div>${stack}</div></div>`;
}

/** The model of the settings chosen. */
export const mountModel: MnistCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#mnist-model")!;
  state.watch((s) => s.design, (design) => {
    if (design) show(root, design.spec, design.check);
  });
};
