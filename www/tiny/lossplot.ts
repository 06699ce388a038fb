// Cell 5: E_total against iteration, one uPlot series per learning rate.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { axis, legend, line } from "../plot-style";
import { fitWidth, widthIn } from "../plot-fit";
import { touchCursor } from "../plot-touch";
import { fmt } from "../format";
import type { TinyCell } from "./state";
import type { Trace } from "./types";

/** The plot in one line, for a screen reader: where each learning rate's loss ends. Every value
 *  is in cell 4's table. */
function summary(traces: Trace[]): string {
  const last = traces[0].rows.length - 1;
  const ends = traces.map((t) => `η = ${t.learningRate}: ${fmt(t.rows[last].E_total, 4)}`);
  return `E_total by iteration, ${traces.length} learning rate${traces.length === 1 ? "" : "s"}, from ${fmt(traces[0].rows[0].E_total, 4)} at iteration 0; ` +
    `at iteration ${traces[0].rows[last].iteration}: ${ends.join(", ")}. Every value is in cell 4's table.`;
}

export const mountLossPlot: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#loss-plot")!;
  const said = root.insertAdjacentElement("afterend", Object.assign(document.createElement("p"), { className: "dim plot-summary", id: "loss-plot-summary" }))!;
  let plot: uPlot | null = null;
  state.watch((s) => s.traces, (traces) => {
    if (traces.length === 0) return;
    said.textContent = summary(traces);
    const xs = traces[0].rows.map((r) => r.iteration);
    const data: uPlot.AlignedData = [xs, ...traces.map((t) => t.rows.map((r) => r.E_total))];
    plot?.destroy();
    plot = new uPlot(
      {
        width: widthIn(root, 900),
        height: 320,
        scales: { x: { time: false } },
        axes: [axis("iteration"), axis("E_total", { size: 70 })],
        legend,
        plugins: [touchCursor(), fitWidth(root, 900)],
        series: [
          { label: "iteration" },
          ...traces.map((t, i) => ({
            label: `η = ${t.learningRate}`,
            ...line(i),
            value: (_u: uPlot, v: number | null) => (v == null ? "–" : fmt(v, 6)),
          })),
        ],
      },
      data,
      root,
    );
  });
};
