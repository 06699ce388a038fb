// Cell 7: the computation graph autodiff walks, micrograd's way — every operation of E_total
// with its value and its gradient, from the engine's scalar autodiff (src/tiny/graph.rs) —
// and the gradient checked numerically: central finite differences beside the chain rule.
import { fmt } from "../format";
import { drawWhenSeen } from "../seen";
import type { TinyCell } from "./state";
import type { Explanation, Node } from "./types";

const OP: Record<Node["op"], string> = { leaf: "", add: "+", sub: "−", mul: "×", sigmoid: "σ", square: "( )²", half: "½ ·" };
const W = 160, H = 58, DX = 176, DY = 96;

/** The node in words: "h1 = + (i1 × w1, i2 × w2)". */
const nodeName = (n: Node, i: number) => n.name || `node ${i}`;

/** Rows from the leaves down to E_total: each node one row below its lowest input; a leaf just
 *  above its first user, so a target sits beside the error it enters. */
function layout(nodes: Node[]): { x: number; y: number }[] {
  const depth = nodes.map(() => 0);
  nodes.forEach((n, i) => {
    if (n.inputs.length) depth[i] = 1 + Math.max(...n.inputs.map((j) => depth[j]));
  });
  nodes.forEach((n, i) => {
    if (n.inputs.length) for (const j of n.inputs) if (nodes[j].inputs.length === 0) depth[j] = Math.max(depth[j], Math.min(...nodes.map((m, u) => (m.inputs.includes(j) ? depth[u] : Infinity))) - 1);
  });
  const rows: number[][] = [];
  nodes.forEach((_, i) => (rows[depth[i]] ??= []).push(i));
  const widest = Math.max(...rows.map((r) => r?.length ?? 0));
  const at: { x: number; y: number }[] = [];
  rows.forEach((row, d) => row?.forEach((i, k) => (at[i] = { x: 8 + (k + (widest - row.length) / 2) * DX, y: 8 + d * DY })));
  return at;
}

function svg(e: Explanation): string {
  const nodes = e.graph.nodes;
  const at = layout(nodes);
  const width = Math.max(...at.map((p) => p.x)) + W + 8;
  const height = Math.max(...at.map((p) => p.y)) + H + 8;
  const edges = nodes.flatMap((n, i) => n.inputs.map((j) =>
    `<line x1="${at[j].x + W / 2}" y1="${at[j].y + H}" x2="${at[i].x + W / 2}" y2="${at[i].y}" marker-end="url(#graph-arrow)"/>`));
  const boxes = nodes.map((n, i) => {
    const { x, y } = at[i];
    const title = n.op === "leaf" ? n.name : `${n.name ? `${n.name} = ` : ""}${OP[n.op]}`;
    return `<g class="gnode gnode-${n.op}" data-node="${nodeName(n, i)}"><rect x="${x}" y="${y}" width="${W}" height="${H}" rx="6"/>` +
      `<text x="${x + W / 2}" y="${y + 17}" text-anchor="middle" class="gtitle">${title}</text>` +
      `<text x="${x + 8}" y="${y + 34}" class="gvalue">value ${fmt(n.value, 6)}</text>` +
      `<text x="${x + 8}" y="${y + 50}" class="ggrad">grad ${fmt(n.grad, 6)}</text></g>`;
  });
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="E_total's computation graph at iteration ${e.iteration}: ${nodes.length} operations and values, each with its gradient; the list below reads it out.">` +
    `<defs><marker id="graph-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z"/></marker></defs>` +
    `<g class="gedges">${edges.join("")}</g>${boxes.join("")}</svg>`;
}

/** The same graph read out: each node, what it is computed from, its value and gradient. */
function list(e: Explanation): string {
  const nodes = e.graph.nodes;
  return `<ol class="graph-list">` + nodes.map((n, i) => {
    const from = n.inputs.map((j) => nodeName(nodes[j], j)).join(n.op === "sub" ? " − " : n.op === "add" ? " + " : " × ");
    const what = n.op === "leaf" ? "given" : n.op === "sigmoid" ? `σ(${from})` : n.op === "square" ? `(${from})²` : n.op === "half" ? `½·${from}` : from;
    return `<li value="${i}">${nodeName(n, i)} = ${what}: value ${fmt(n.value, 9)}, gradient ${fmt(n.grad, 9)}</li>`;
  }).join("") + `</ol>`;
}

/** The chain rule's ∂E/∂w beside (E(w + h) − E(w − h)) / 2h for each weight. */
function check(e: Explanation): string {
  const grads = e.graph.nodes.filter((n) => /^w\d$/.test(n.name));
  return `<table class="check"><caption>Gradient check at iteration ${e.iteration}, η = ${e.learningRate}: central differences with h = ${e.step}</caption>` +
    `<thead><tr><th scope="col">weight</th><th scope="col">∂E/∂w by the chain rule</th><th scope="col">(E(w + h) − E(w − h)) / 2h</th><th scope="col">difference</th></tr></thead><tbody>` +
    grads.map((n, k) => `<tr data-weight="${n.name}"><th scope="row">${n.name}</th><td>${fmt(n.grad, 12)}</td><td>${fmt(e.numeric[k], 12)}</td>` +
      `<td>${Math.abs(n.grad - e.numeric[k]).toExponential(1)}</td></tr>`).join("") +
    `</tbody></table>`;
}

export const mountGraph: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#graph")!;
  const checked = cell.querySelector<HTMLElement>("#gradient-check")!;
  let drawn: Explanation | null = null;
  const draw = () => {
    const e = state.get().explained;
    if (!e || e === drawn) return;
    drawn = e;
    root.innerHTML = `<div class="graph-scroll" tabindex="0" role="group" aria-label="computation graph, scrolls sideways">${svg(e)}</div>` +
      `<details><summary>The graph as a list</summary>${list(e)}</details>`;
    checked.innerHTML = check(e);
  };
  state.watch((s) => s.explained, drawWhenSeen(cell, draw, "200px"));
};
