// Cell 2: the chosen model's summary table (what `gradbook models` prints) and its layer stack
// drawn as boxes whose width follows the number of channels.
import type { MnistCell } from "./state";
import type { ModelInfo } from "./protocol";

function show(root: HTMLElement, info: ModelInfo): void {
  const rows = info.rows
    .map((r) => `<tr><td>${r.layer}</td><td>${r.shape.join(" × ")}</td><td>${r.params.toLocaleString()}</td><td>${r.receptiveField}</td></tr>`)
    .join("");
  const widest = Math.max(...info.rows.map((r) => r.shape[0]));
  const stack = info.rows
    .map((r) => {
      const kind = r.kind.toLowerCase();
      const width = 50 + (50 * r.shape[0]) / widest; // wide enough for the label at any width
      return `<div class="layer layer-${kind}" style="width:${width}%" title="${r.layer}: ${r.shape.join("×")}">${r.layer} <small>${r.shape.join("×")}</small></div>`;
    })
    .join("");
  root.innerHTML =
    `<p><strong>${info.name}</strong>: ${info.about}.</p>` +
    `<div class="model-view"><table class="summary" id="model-summary"><thead><tr><th>layer</th><th>output (C × H × W)</th><th>parameters</th><th>receptive field</th></tr></thead>` +
    `<tbody>${rows}</tbody><tfoot><tr><th>total</th><th></th><th id="model-total">${info.total.toLocaleString()}</th><th></th></tr></tfoot></table>` +
    `<div class="stack" aria-label="layer stack"><div class="layer layer-input">input <small>1×28×28</small></div>${stack}</div></div>`;
}

/** The model of the settings chosen. */
export const mountModel: MnistCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#mnist-model")!;
  state.watch((s) => s.setup?.config.model, (name, s) => {
    const info = s.models.find((m) => m.name === name);
    if (info) show(root, info);
  });
};
