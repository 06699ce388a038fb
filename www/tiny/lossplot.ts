// Cell 5: E_total against iteration, one uPlot series per learning rate.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { axis } from "../plot-axes";
import { fmt } from "../format";
import type { TinyCell } from "./state";

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#5d6679", "#999"];

export const mountLossPlot: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#loss-plot")!;
  let plot: uPlot | null = null;
  state.watch((s) => s.traces, (traces) => {
    if (traces.length === 0) return;
    const xs = traces[0].rows.map((r) => r.iteration);
    const data: uPlot.AlignedData = [xs, ...traces.map((t) => t.rows.map((r) => r.E_total))];
    plot?.destroy();
    plot = new uPlot(
      {
        width: Math.min(root.clientWidth || 800, 900),
        height: 320,
        scales: { x: { time: false } },
        axes: [axis("iteration"), axis("E_total", { size: 70 })],
        series: [
          { label: "iteration" },
          ...traces.map((t, i) => ({
            label: `η = ${t.learningRate}`,
            stroke: COLORS[i % COLORS.length],
            width: 2,
            value: (_u: uPlot, v: number | null) => (v == null ? "–" : fmt(v, 6)),
          })),
        ],
      },
      data,
      root,
    );
  });
};
