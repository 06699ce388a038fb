// Cell 1: the network drawn as SVG, every label showing the selected iteration's numbers.
import { fmt } from "../format";
import { selectedRow, type TinyCell } from "./state";

const NODES = {
  i1: [70, 70], i2: [70, 250],
  h1: [300, 70], h2: [300, 250],
  o1: [530, 70], o2: [530, 250],
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
    .map((l, i) => `<text x="${x}" y="${y + 4 + (i - (lines.length - 1) / 2) * 15}" text-anchor="middle">${l}</text>`)
    .join("");
  return `<g class="node node-${name[0]}"><circle cx="${x}" cy="${y}" r="44"/>${text}</g>`;
}

function edge(k: number, weight: number): string {
  const [a, b] = EDGES[k];
  const [x1, y1] = NODES[a];
  const [x2, y2] = NODES[b];
  // Labels sit a third of the way along, so the crossing edges' labels do not collide.
  const t = k % 2 === 0 ? 0.3 : 0.7;
  const lx = x1 + (x2 - x1) * t;
  const ly = y1 + (y2 - y1) * t - 6;
  return `<line x1="${x1 + 44}" y1="${y1}" x2="${x2 - 44}" y2="${y2}" marker-end="url(#arrow)"/>` +
    `<text class="weight" x="${lx}" y="${ly}" text-anchor="middle">w${k + 1} = ${fmt(weight, 6)}</text>`;
}

export const mountDiagram: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#diagram")!;
  state.watch(selectedRow, (r, s) => {
    const c = s.config;
    if (!r || !c) return;
    const svg = [
      `<svg viewBox="0 0 800 320" role="img" aria-label="The 2-2-2 network at iteration ${r.iteration}">`,
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z"/></marker></defs>`,
      ...r.w.map((w, k) => edge(k, w)),
      node("i1", ["i1", fmt(c.inputs[0], 4)]),
      node("i2", ["i2", fmt(c.inputs[1], 4)]),
      node("h1", [`h1 = ${fmt(r.h1, 5)}`, `a_h1 = ${fmt(r.a_h1, 5)}`]),
      node("h2", [`h2 = ${fmt(r.h2, 5)}`, `a_h2 = ${fmt(r.a_h2, 5)}`]),
      node("o1", [`o1 = ${fmt(r.o1, 5)}`, `a_o1 = ${fmt(r.a_o1, 5)}`]),
      node("o2", [`o2 = ${fmt(r.o2, 5)}`, `a_o2 = ${fmt(r.a_o2, 5)}`]),
      `<g class="loss"><text x="600" y="66">E1 = ½(t1 − a_o1)² = ${fmt(r.E1, 6)}</text>`,
      `<text x="600" y="82" class="dim">t1 = ${fmt(c.targets[0], 4)}</text>`,
      `<text x="600" y="246">E2 = ½(t2 − a_o2)² = ${fmt(r.E2, 6)}</text>`,
      `<text x="600" y="262" class="dim">t2 = ${fmt(c.targets[1], 4)}</text>`,
      `<text x="600" y="164" class="total">E_total = ${fmt(r.E_total, 9)}</text></g>`,
      c.bias ? `<text x="300" y="312" text-anchor="middle" class="dim">b1 = ${c.bias[0]} on h1, h2 · b2 = ${c.bias[1]} on o1, o2</text>` : "",
      `</svg>`,
    ];
    root.innerHTML = svg.join("");
  });
};
