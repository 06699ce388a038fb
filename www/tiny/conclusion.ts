// Cell 7: what the runs show, computed by the Rust core from them (src/tiny/conclusion.rs)
// rather than written in advance.
import { fmt } from "../format";
import type { TinyCell } from "./state";
import type { Conclusion } from "./types";

function words(c: Conclusion): string {
  switch (c.trend) {
    case "one":
      return `<p>With one learning rate there is nothing to compare: add others (e.g. 0.1, 0.5, 2) and train again to see how the step size changes the descent.</p>`;
    case "largerIsLower":
      return `<p>The lowest loss after ${c.iterations} iterations comes from η = ${c.best}. Here, each larger learning rate ends lower: ` +
        "this tiny network's loss surface is smooth and gently curved, so big steps do not overshoot. " +
        "That rarely holds for deep networks, whose loss surfaces are far less forgiving, which is why their learning rates are usually kept small.</p>";
    case "overshoots":
      return `<p>The lowest loss after ${c.iterations} iterations comes from η = ${c.best}, and the largest learning rates are not the best: ` +
        "past some size a step overshoots the minimum. Deep networks' loss surfaces are far less forgiving still, which is why their learning rates are usually kept small.</p>";
  }
}

export const mountConclusion: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#conclusion")!;
  state.watch((s) => s.conclusion, (c) => {
    if (!c) return;
    const rows = c.rates.map((r) =>
      `<tr><td>η = ${r.learningRate}</td><td>${fmt(r.finalLoss, 6)}</td>` +
      `<td>${r.reached === null ? `not within ${c.iterations}` : r.reached}</td></tr>`);
    root.innerHTML =
      `<table class="summary"><thead><tr><th>learning rate</th><th>E_total after ${c.iterations} iterations</th>` +
      `<th>iterations until E_total &lt; ${c.threshold} (a tenth of the start)</th></tr></thead><tbody>${rows.join("")}</tbody></table>` +
      words(c);
  });
};
