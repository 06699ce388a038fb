// Cell 7: what the runs show, computed from them rather than written in advance.
import { fmt } from "../format";
import type { Trace } from "./types";

/** First iteration at which E_total is below `threshold`. */
export function iterationsToReach(trace: Trace, threshold: number): number | null {
  return trace.rows.find((r) => r.E_total < threshold)?.iteration ?? null;
}

export function drawConclusion(traces: Trace[]): void {
  const root = document.getElementById("conclusion")!;
  const start = traces[0].rows[0].E_total;
  const threshold = Number((start / 10).toPrecision(2));
  const last = traces[0].rows.length - 1;
  const rows = traces.map((t) => {
    const reach = iterationsToReach(t, threshold);
    return `<tr><td>η = ${t.learningRate}</td><td>${fmt(t.rows[last].E_total, 6)}</td>` +
      `<td>${reach === null ? `not within ${last}` : reach}</td></tr>`;
  });
  const finals = traces.map((t) => t.rows[last].E_total);
  const best = traces[finals.indexOf(Math.min(...finals))];
  const monotone = finals.every((f, i) => i === 0 || traces[i].learningRate < traces[i - 1].learningRate || f <= finals[i - 1]);
  root.innerHTML =
    `<table class="summary"><thead><tr><th>learning rate</th><th>E_total after ${last} iterations</th>` +
    `<th>iterations until E_total &lt; ${threshold} (a tenth of the start)</th></tr></thead><tbody>${rows.join("")}</tbody></table>` +
    `<p>The lowest loss after ${last} iterations comes from η = ${best.learningRate}. ` +
    (monotone
      ? "Here, the larger the learning rate, the faster the loss falls: this tiny network's loss surface is smooth and gently curved, so big steps do not overshoot. "
      : "Here the largest learning rates are not the best: past some size a step overshoots the minimum. ") +
    `That rarely holds for deep networks, whose loss surfaces are far less forgiving, which is why their learning rates are usually kept small.</p>`;
}
