// uPlot draws on a canvas, so its axes take colours as values, not CSS: they are read from the
// page's variables (www/style.css) when a plot is made, and so follow a dark system theme.
import type uPlot from "uplot";

/** An axis labelled `label`, in the page's text and line colours (`extra` adds or overrides). */
export function axis(label: string, extra: uPlot.Axis = {}): uPlot.Axis {
  const css = getComputedStyle(document.documentElement);
  const line = css.getPropertyValue("--line").trim();
  return { label, stroke: css.getPropertyValue("--fg").trim(), grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, ...extra };
}
