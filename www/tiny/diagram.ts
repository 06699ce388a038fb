// Cell 1: the network drawn as SVG, every label showing the selected iteration's numbers.
import { fmt } from "../format";
import { selectedRow, type TinyCell, type TinyState } from "./state";
import { steps } from "./stepper";
import type { Row, TinyConfig } from "./types";

// Room for the numbers: circles wide enough for "a_h1 = 0.59327", the losses in their own
// column at the right, each weight's label on a halo where no other label or circle is.
const R = 60;
const NODES = {
  i1: [80, 80], i2: [80, 280],
  h1: [340, 80], h2: [340, 280],
  o1: [600, 80], o2: [600, 280],
} as const;
type Node = keyof typeof NODES;

// Weight k (0-based) connects these nodes, as in the sheet.
const EDGES: [Node, Node][] = [
  ["i1", "h1"], ["i2", "h1"], ["i1", "h2"], ["i2", "h2"],
  ["h1", "o1"], ["h2", "o1"], ["h1", "o2"], ["h2", "o2"],
];

function node(name: Node, lines: string[]): string {
  const [x, y] = NODES[name];
  const text = lines
    .map((l, i) => `<text x="${x}" y="${y + 5 + (i - (lines.length - 1) / 2) * 17}" text-anchor="middle">${l}</text>`)
    .join("");
  return `<g class="node node-${name[0]}" data-at="${name}"><circle cx="${x}" cy="${y}" r="${R}"/>${text}</g>`;
}

function edge(k: number, weight: number): { line: string; label: string } {
  const [a, b] = EDGES[k];
  const [x1, y1] = NODES[a];
  const [x2, y2] = NODES[b];
  // Straight edges carry their label above the middle; the two that cross carry theirs near
  // where they start, one high and one low, so no two labels meet and none sits on a circle.
  const straight = y1 === y2;
  const t = straight ? 0.5 : 0.38;
  const lx = x1 + (x2 - x1) * t;
  const ly = y1 + (y2 - y1) * t + (straight ? -8 : y2 > y1 ? -10 : 20);
  const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy);
  const [ux, uy] = [dx / len, dy / len];
  return {
    line: `<line data-at="w${k + 1}" x1="${x1 + ux * R}" y1="${y1 + uy * R}" x2="${x2 - ux * R}" y2="${y2 - uy * R}" marker-end="url(#arrow)"/>`,
    label: `<text class="weight" data-at="w${k + 1}" x="${lx}" y="${ly}" text-anchor="middle">w${k + 1} = ${fmt(weight, 6)}</text>`,
  };
}

/** What the picture says, for a screen reader: every value at this iteration. */
function describe(r: Row, c: TinyConfig): string {
  const ws = r.w.map((w, k) => `w${k + 1} ${fmt(w, 9)}`).join(", ");
  return `The 2-2-2 network at iteration ${r.iteration}. Inputs i1 ${c.inputs[0]}, i2 ${c.inputs[1]}; targets t1 ${c.targets[0]}, t2 ${c.targets[1]}. ` +
    `Weights ${ws}. Hidden h1 ${fmt(r.h1)}, activation ${fmt(r.a_h1)}; h2 ${fmt(r.h2)}, activation ${fmt(r.a_h2)}. ` +
    `Outputs o1 ${fmt(r.o1)}, activation ${fmt(r.a_o1)}; o2 ${fmt(r.o2)}, activation ${fmt(r.a_o2)}. ` +
    `Errors E1 ${fmt(r.E1)}, E2 ${fmt(r.E2)}, E_total ${fmt(r.E_total)}.` +
    (c.bias ? ` Biases b1 ${c.bias[0]} on the hidden neurons, b2 ${c.bias[1]} on the outputs.` : "");
}

/** The picture without its words and numbers: two drawings with the same skeleton differ only
 *  in their texts, which can then be written into the SVG on screen in place. */
const skeleton = (svg: string) => svg.replace(/>[^<]*<\/text>/g, "></text>").replace(/aria-label="[^"]*"/, "");

/** Where a note about `at` goes: beside its neuron, its weight's label or its loss. */
function noteAt(at: string): [number, number] {
  if (at in NODES) {
    const [x, y] = NODES[at as Node];
    return [x, y + R + 18];
  }
  const k = Number(at.slice(1)) - 1;
  if (at.startsWith("w") && k >= 0 && k < 8) {
    const [a, b] = EDGES[k];
    const t = NODES[a][1] === NODES[b][1] ? 0.5 : 0.38;
    return [NODES[a][0] + (NODES[b][0] - NODES[a][0]) * t, NODES[a][1] + (NODES[b][1] - NODES[a][1]) * t + 40];
  }
  return at === "E1" ? [760, 124] : at === "E2" ? [760, 324] : [760, 210];
}

/** What the diagram marks now: the pointed-at weight's gradient paths, and one place (a
 *  factor pointed at, or the step-through's step) with its number beside it. */
export function marks(s: TinyState): { path: Set<string>; spot: string | null; note: string | null } {
  const path = new Set<string>();
  const e = s.explained;
  if (e && s.weight !== null) {
    for (const p of e.paths[s.weight] ?? []) for (const f of p.factors) path.add(f.at);
    if (path.size > 0) path.add("E_total");
  }
  const step = e && s.step !== null ? steps(e)[s.step] : undefined;
  if (step) return { path, spot: step.at, note: `${step.label} = ${fmt(step.value, 6)}` };
  return { path, spot: s.spot, note: null };
}

export const mountDiagram: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#diagram")!;
  let drawn = "";
  /** Marks the paths and the spot on the SVG on screen, and writes the step's note. */
  const mark = () => {
    const svg = root.querySelector("svg");
    if (!svg) return;
    const { path, spot, note } = marks(state.get());
    svg.querySelectorAll<SVGElement>("[data-at]").forEach((el) => {
      el.classList.toggle("lit", path.has(el.dataset.at!));
      el.classList.toggle("spot", el.dataset.at === spot);
    });
    svg.querySelector(".step-note")?.remove();
    if (note && spot) {
      const [x, y] = noteAt(spot);
      const text = document.createElementNS("http://www.w3.org/2000/svg", "text");
      text.setAttribute("class", "step-note");
      text.setAttribute("x", String(x));
      text.setAttribute("y", String(y));
      text.setAttribute("text-anchor", "middle");
      text.textContent = note;
      svg.append(text);
    }
  };
  state.watch((s) => {
    const m = marks(s);
    return `${[...m.path].join()}|${m.spot}|${m.note}`;
  }, mark);
  // A click on a weight (its arrow or its label) points at it; another click lets it go.
  root.addEventListener("click", (e) => {
    const at = (e.target as Element).closest<SVGElement>("[data-at^='w']")?.dataset.at;
    if (!at) return;
    const k = Number(at.slice(1)) - 1;
    state.set({ weight: state.get().weight === k ? null : k });
  });
  // Scrubbing changes only the numbers: rewriting their text nodes costs a fraction of parsing
  // and laying out a new SVG each step.
  const show = (svg: string) => {
    root.querySelector(".step-note")?.remove(); // not one of the drawing's texts: mark() adds it again
    const bones = skeleton(svg);
    const on = root.querySelector("svg");
    if (on && bones === drawn) {
      const texts = [...svg.matchAll(/>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&amp;/g, "&"));
      on.querySelectorAll("text").forEach((t, i) => {
        if (t.textContent !== texts[i]) t.textContent = texts[i];
      });
      on.setAttribute("aria-label", svg.match(/aria-label="([^"]*)"/)![1]);
      return;
    }
    drawn = bones;
    root.innerHTML = svg;
  };
  state.watch(selectedRow, (r, s) => {
    const c = s.config;
    if (!r || !c) return;
    const edges = r.w.map((w, k) => edge(k, w));
    const svg = [
      `<svg viewBox="0 0 940 370" role="img" aria-label="${describe(r, c)}">`,
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto"><path d="M0,0L10,5L0,10z"/></marker></defs>`,
      ...edges.map((e) => e.line),
      node("i1", ["i1", fmt(c.inputs[0], 4)]),
      node("i2", ["i2", fmt(c.inputs[1], 4)]),
      node("h1", [`h1 = ${fmt(r.h1, 5)}`, `a_h1 = ${fmt(r.a_h1, 5)}`]),
      node("h2", [`h2 = ${fmt(r.h2, 5)}`, `a_h2 = ${fmt(r.a_h2, 5)}`]),
      node("o1", [`o1 = ${fmt(r.o1, 5)}`, `a_o1 = ${fmt(r.a_o1, 5)}`]),
      node("o2", [`o2 = ${fmt(r.o2, 5)}`, `a_o2 = ${fmt(r.a_o2, 5)}`]),
      // The weights' labels last, over lines and circles.
      ...edges.map((e) => e.label),
      `<g class="loss"><g data-at="E1"><text x="680" y="62">E1 = ½(t1 − a_o1)²</text>`,
      `<text x="680" y="82">= ${fmt(r.E1, 6)}</text>`,
      `<text x="680" y="102" class="dim">t1 = ${fmt(c.targets[0], 4)}</text></g>`,
      `<g data-at="E2"><text x="680" y="262">E2 = ½(t2 − a_o2)²</text>`,
      `<text x="680" y="282">= ${fmt(r.E2, 6)}</text>`,
      `<text x="680" y="302" class="dim">t2 = ${fmt(c.targets[1], 4)}</text></g>`,
      `<text x="680" y="186" class="total" data-at="E_total">E_total = ${fmt(r.E_total, 9)}</text></g>`,
      c.bias ? `<text x="340" y="362" text-anchor="middle" class="dim">b1 = ${c.bias[0]} on h1, h2 · b2 = ${c.bias[1]} on o1, o2</text>` : "",
      `</svg>`,
    ];
    show(svg.join(""));
    mark();
  });
};
