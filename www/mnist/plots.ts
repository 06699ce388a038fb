// Line charts (uPlot) that grow while a run trains: one x array, any number of named series.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export const COLORS = ["#2458d6", "#e04f16", "#067647", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export class LivePlot {
  private plot: uPlot;
  private data: (number | null)[][];

  constructor(root: HTMLElement, xLabel: string, yLabel: string, series: string[]) {
    this.data = [[], ...series.map(() => [])];
    this.plot = new uPlot(
      {
        width: Math.min(root.clientWidth || 460, 460),
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: xLabel }, { label: yLabel, size: 60 }],
        // uPlot's own rule for points: drawn while they are few (one epoch is one point, which
        // draws no line), hidden once a line is dense enough to read.
        series: [{ label: xLabel }, ...series.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, points: { size: 7 } }))],
      },
      this.data as uPlot.AlignedData,
      root,
    );
  }

  /** Adds one x with a y per series (null where a series has no value). */
  push(x: number, ys: (number | null)[]): void {
    this.data[0].push(x);
    ys.forEach((y, i) => this.data[i + 1].push(y));
    this.plot.setData(this.data as uPlot.AlignedData);
  }

  get points(): number {
    return this.data[0].length;
  }

  destroy(): void {
    this.plot.destroy();
  }
}
