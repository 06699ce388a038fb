// uPlot draws on a canvas, so it takes colours as values, not CSS: they are read from the
// page's variables (www/style.css) when a plot is made, and so follow a dark system theme.
// Its lines are told apart without colour too: each has its own dash pattern, and the legend
// marks it with a dashed or dotted border to match.
import type uPlot from "uplot";

const css = () => getComputedStyle(document.documentElement);

/** An axis labelled `label`, in the page's text and line colours (`extra` adds or overrides). */
export function axis(label: string, extra: uPlot.Axis = {}): uPlot.Axis {
  const style = css();
  const line = style.getPropertyValue("--line").trim();
  return { label, stroke: style.getPropertyValue("--fg").trim(), grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, ...extra };
}

/** How many series colours style.css defines (--series-1 …). */
const COLOURS = 6;
/** A dash pattern per series, solid first; seven against six colours, so that series 7 and
 *  beyond still differ from the first six in colour or pattern. */
const DASHES = [[], [10, 5], [2, 4], [14, 4, 3, 4], [6, 3], [16, 4, 2, 4, 2, 4], [3, 7]];

/** The line of the `i`th series (from 0): its colour and dash pattern. */
export function line(i: number): Pick<uPlot.Series, "stroke" | "dash" | "width"> {
  return { stroke: css().getPropertyValue(`--series-${(i % COLOURS) + 1}`).trim(), dash: DASHES[i % DASHES.length], width: 2 };
}

/** The legend's markers drawn as their lines are: solid, dashed or dotted (what CSS borders offer). */
export const legend: uPlot.Legend = {
  markers: { dash: (u, i) => ((u.series[i].dash?.length ?? 0) === 0 ? "solid" : (u.series[i].dash![0] >= 6 ? "dashed" : "dotted")) },
};
