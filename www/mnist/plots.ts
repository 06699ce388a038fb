// Line charts (uPlot) that grow while a run trains: one x array, any number of named series.
// Each says in a line what it shows so far, and holds its numbers as a table (folded), for a
// screen reader and for anyone who wants the figures rather than the picture.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { axis, legend, line } from "../plot-style";
import { fitWidth, widthIn } from "../plot-fit";
import { touchCursor } from "../plot-touch";
import { fmt } from "../format";

const cell = (v: number | null) => `<td>${v === null ? "–" : fmt(v, 5)}</td>`;

export class LivePlot {
  private plot: uPlot;
  private data: (number | null)[][];
  private summary: HTMLElement;
  private numbers: HTMLDetailsElement;
  private rows: HTMLElement;

  constructor(root: HTMLElement, private readonly xLabel: string, private readonly yLabel: string, private readonly series: string[]) {
    this.data = [[], ...series.map(() => [])];
    // `root` sits in a row of plots that wraps, and takes its width from its plot: the row's
    // width is what there is to fill.
    const row = root.parentElement ?? root;
    this.plot = new uPlot(
      {
        width: widthIn(row, 460),
        height: 240,
        scales: { x: { time: false } },
        axes: [axis(xLabel), axis(yLabel, { size: 60 })],
        // uPlot's own rule for points: drawn while they are few (one epoch is one point, which
        // draws no line), hidden once a line is dense enough to read.
        series: [{ label: xLabel }, ...series.map((label, i) => ({ label, ...line(i), spanGaps: true, points: { size: 7 } }))],
        legend,
        plugins: [touchCursor(), fitWidth(row, 460)],
      },
      this.data as uPlot.AlignedData,
      root,
    );
    this.summary = root.appendChild(document.createElement("p"));
    this.summary.className = "dim plot-summary";
    this.numbers = root.appendChild(document.createElement("details"));
    this.numbers.className = "plot-numbers";
    const heads = [xLabel, ...series].map((h) => `<th scope="col">${h}</th>`).join("");
    this.numbers.innerHTML = `<summary>The numbers</summary><table class="summary"><caption>${yLabel} by ${xLabel}</caption><thead><tr>${heads}</tr></thead><tbody></tbody></table>`;
    this.rows = this.numbers.querySelector("tbody")!;
    // Rows are written while the table is open only: a long run has thousands.
    this.numbers.addEventListener("toggle", () => {
      this.rows.innerHTML = this.numbers.open ? this.data[0].map((_, k) => this.row(k)).join("") : "";
    });
    this.describe();
  }

  private row(k: number): string {
    return `<tr>${cell(this.data[0][k])}${this.data.slice(1).map((ys) => cell(ys[k])).join("")}</tr>`;
  }

  /** One line: how many points, and each series' latest value. */
  private describe(): void {
    const n = this.data[0].length;
    if (n === 0) return void (this.summary.textContent = `${this.yLabel} by ${this.xLabel}: no points yet.`);
    const latest = this.series.map((name, i) => {
      const ys = this.data[i + 1];
      const last = ys.filter((y): y is number => y !== null).pop();
      return last === undefined ? null : `${name} ${fmt(last, 4)}`;
    }).filter(Boolean);
    this.summary.textContent = `${this.yLabel} by ${this.xLabel}: ${n} point${n === 1 ? "" : "s"}; at ${this.xLabel} ${fmt(this.data[0][n - 1]!, 4)}: ${latest.join(", ")}.`;
  }

  /** Adds one x with a y per series (null where a series has no value). */
  push(x: number, ys: (number | null)[]): void {
    this.data[0].push(x);
    ys.forEach((y, i) => this.data[i + 1].push(y));
    this.plot.setData(this.data as uPlot.AlignedData);
    this.describe();
    if (this.numbers.open) this.rows.insertAdjacentHTML("beforeend", this.row(this.data[0].length - 1));
  }

  get points(): number {
    return this.data[0].length;
  }

  destroy(): void {
    this.plot.destroy();
    this.summary.remove();
    this.numbers.remove();
  }
}
