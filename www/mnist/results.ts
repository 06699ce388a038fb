// Cell 6: what the trained model gets right and wrong: the confusion matrix as a heatmap,
// accuracy per digit, the misclassified test digits (click one for its probabilities), the
// first layer's filters and that digit's feature maps.
import { count } from "../format";
import { mnist } from "./client";
import { digitCanvas, heatCanvas, probabilityBars, toUnit } from "./digits";
import type { MnistCell } from "./state";
import type { Evaluation, Grid } from "./protocol";

const GALLERY = 48;
const $ = (id: string) => document.getElementById(id)!;

/** Relative luminance of an sRGB colour (WCAG 2.1). */
function luminance(rgb: number[]): number {
  const [r, g, b] = rgb.map((c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** A cell's background and the text colour readable on it: black or white, whichever contrasts
 *  more (at least 4.58:1 on any background, WCAG AA's 4.5 for small text). */
function shade(rgb: number[]): string {
  const l = luminance(rgb);
  const text = (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000" : "#fff";
  return `background:rgb(${rgb.map(Math.round).join(",")});color:${text}`;
}

function confusionTable(e: Evaluation): string {
  const max = Math.max(...e.confusion.flatMap((row, t) => row.filter((_, p) => p !== t)), 1);
  const head = e.confusion.map((_, p) => `<th>${p}</th>`).join("");
  const rows = e.confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v, p) => {
      // Off-diagonal cells shade by their share of the worst confusion; the diagonal is green.
      const a = 0.15 + (0.85 * v) / max;
      const style = t === p ? "background:#d1fadf;color:#000" : v ? shade([217, 45, 32].map((c) => 255 * (1 - a) + c * a)) : "";
      return `<td style="${style}" title="true ${t}, predicted ${p}: ${v}">${v}</td>`;
    });
    const acc = total ? ((100 * row[t]) / total).toFixed(2) : "–";
    return `<tr><th>${t}</th>${cells.join("")}<td class="per-class">${acc}%</td></tr>`;
  });
  return `<table class="confusion" id="confusion"><thead><tr><th>true ↓ / predicted →</th>${head}<th>accuracy</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function grids(g: Grid, label: (i: number) => string): HTMLElement {
  const [n, , h, w] = g.shape.length === 4 ? g.shape : [g.shape[0], 1, g.shape[1], g.shape[2]];
  const div = document.createElement("div");
  div.className = "digits small";
  for (let i = 0; i < n; i++) {
    const figure = document.createElement("figure");
    figure.append(heatCanvas(g.values, i * h * w * (g.shape.length === 4 ? g.shape[1] : 1), w, h));
    figure.append(Object.assign(document.createElement("figcaption"), { textContent: label(i) }));
    div.append(figure);
  }
  return div;
}

async function inspect(pixels: Uint8Array, k: number, truth: number): Promise<void> {
  const r = await mnist.call("inspect", toUnit(pixels, k));
  const guess = r.probabilities.indexOf(Math.max(...r.probabilities));
  const detail = $("mnist-inspect");
  detail.replaceChildren();
  const head = document.createElement("div");
  head.className = "inspect-head";
  head.append(digitCanvas(pixels, k));
  head.insertAdjacentHTML("beforeend", `<div><p>True digit <strong>${truth}</strong>, predicted <strong>${guess}</strong>.</p>${probabilityBars(r.probabilities)}</div>`);
  detail.append(head);
  detail.append(Object.assign(document.createElement("h3"), { textContent: "First layer's filters" }));
  detail.append(grids(r.filters, (i) => `filter ${i + 1}`));
  detail.append(Object.assign(document.createElement("h3"), { textContent: "This digit's feature maps after the first activation" }));
  detail.append(grids(r.maps, (i) => `channel ${i + 1}`));
}

/** Which test images `e` counts: a run tests on its subset, a loaded model on all of them. */
function testSet(e: Evaluation): string {
  const n = e.confusion.flat().reduce((a, b) => a + b, 0);
  return `<span id="results-test-set">on ${n === 10000 ? "all 10,000 test images" : `the first ${count(n)} test images`}</span>`;
}

async function show(root: HTMLElement, e: Evaluation): Promise<void> {
  root.innerHTML =
    `<p>Test accuracy <strong id="results-accuracy">${e.accuracy.toFixed(2)}%</strong> ${testSet(e)} (loss ${e.loss.toFixed(4)}); ` +
    `${e.misclassified.length} test digits misclassified.</p>${confusionTable(e)}` +
    `<h3>Misclassified digits <span class="dim">(true → predicted; click one)</span></h3><div class="digits" id="gallery"></div>` +
    `<div id="mnist-inspect"></div>`;
  // Each mistake carries the model's guess: only the images themselves are asked for.
  const shown = e.misclassified.slice(0, GALLERY);
  const gallery = $("gallery");
  if (shown.length === 0) return;
  const { pixels, labels } = await mnist.call("images", "test", shown.map((m) => m.index));
  shown.forEach((m, k) => {
    const figure = document.createElement("figure");
    figure.className = "clickable";
    figure.dataset.index = String(m.index);
    // A button to the keyboard and to screen readers too: Enter or Space inspects it.
    Object.assign(figure, { tabIndex: 0, role: "button" });
    figure.setAttribute("aria-label", `${m.label} → ${m.predicted}: test image ${m.index}, a ${m.label} read as ${m.predicted}; inspect it`);
    figure.append(digitCanvas(pixels, k, `test image ${m.index}`));
    figure.append(Object.assign(document.createElement("figcaption"), { textContent: `${m.label} → ${m.predicted}` }));
    figure.addEventListener("click", () => void inspect(pixels, k, labels[k]));
    figure.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      void inspect(pixels, k, labels[k]);
    });
    gallery.append(figure);
  });
  await inspect(pixels, 0, labels[0]);
}

export const mountResults: MnistCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#mnist-results")!;
  state.watch((s) => s.evaluation, (e) => {
    if (e) void show(root, e);
  });
};
