// Cell 2: the forward equations and the chain rule for each weight, typeset with KaTeX,
// with the selected iteration's numbers substituted.
import { drawWhenSeen, whenSettled } from "../seen";
import { fmt } from "../format";
import { mathml, tex } from "../math";
import { selectedRow, type TinyCell } from "./state";
import type { Row, TinyConfig } from "./types";

// Every number goes into the TeX as a numbered slot. Lines whose TeX differs only in those
// numbers (the same settings at another iteration) are not typeset again: the new numbers are
// written into the slots KaTeX marked (`data-n`), which costs a small share of a typesetting.
let values: string[] = [];
const n = (x: number) => `\u0000${values.push(fmt(x, 6)) - 1}\u0000`;
/** A number that an operator precedes: in parentheses when negative, so a line never reads
 *  "0.5 · −0.16" or "+ −0.084". A sign change re-typesets the line (its TeX differs). */
const f = (x: number) => (x < 0 ? `(${n(x)})` : n(x));
/** The TeX with its slots filled, each number marked with its slot for the next draw to find. */
const marked = (source: string) => source.replace(/\u0000(\d+)\u0000/g, (_, k) => String.raw`\htmlData{n=${k}}{${values[Number(k)]}}`);

function forward(r: Row, c: TinyConfig): string {
  const [i1, i2] = c.inputs;
  const [t1, t2] = c.targets;
  const [b1, b2] = c.bias ?? [0, 0];
  const [w1, w2, w3, w4, w5, w6, w7, w8] = r.w;
  const hb = c.bias ? " + b_1" : "";
  const ob = c.bias ? " + b_2" : "";
  const hbn = c.bias ? ` + ${f(b1)}` : "";
  const obn = c.bias ? ` + ${f(b2)}` : "";
  return String.raw`\begin{aligned}
h_1 &= i_1 w_1 + i_2 w_2${hb} &&= ${n(i1)}\cdot${f(w1)} + ${f(i2)}\cdot${f(w2)}${hbn} &&= ${n(r.h1)}\\
h_2 &= i_1 w_3 + i_2 w_4${hb} &&= ${n(i1)}\cdot${f(w3)} + ${f(i2)}\cdot${f(w4)}${hbn} &&= ${n(r.h2)}\\
a_{h1} &= \sigma(h_1) = \frac{1}{1+e^{-h_1}} &&&&= ${n(r.a_h1)}\\
a_{h2} &= \sigma(h_2) &&&&= ${n(r.a_h2)}\\
o_1 &= a_{h1} w_5 + a_{h2} w_6${ob} &&= ${n(r.a_h1)}\cdot${f(w5)} + ${n(r.a_h2)}\cdot${f(w6)}${obn} &&= ${n(r.o1)}\\
o_2 &= a_{h1} w_7 + a_{h2} w_8${ob} &&= ${n(r.a_h1)}\cdot${f(w7)} + ${n(r.a_h2)}\cdot${f(w8)}${obn} &&= ${n(r.o2)}\\
a_{o1} &= \sigma(o_1),\quad a_{o2} = \sigma(o_2) &&&&= ${n(r.a_o1)},\ ${n(r.a_o2)}\\
E_1 &= \tfrac12 (t_1 - a_{o1})^2 &&= \tfrac12(${n(t1)} - ${n(r.a_o1)})^2 &&= ${n(r.E1)}\\
E_2 &= \tfrac12 (t_2 - a_{o2})^2 &&= \tfrac12(${n(t2)} - ${n(r.a_o2)})^2 &&= ${n(r.E2)}\\
E_{total} &= E_1 + E_2 &&&&= ${n(r.E_total)}
\end{aligned}`;
}

// Output weights: w5, w6 feed o1; w7, w8 feed o2. [output, hidden it multiplies].
const OUTPUT_WEIGHTS: [1 | 2, 1 | 2][] = [[1, 1], [1, 2], [2, 1], [2, 2]];
// Input weights: w1, w2 feed h1; w3, w4 feed h2. [hidden, input it multiplies].
const INPUT_WEIGHTS: [1 | 2, 1 | 2][] = [[1, 1], [1, 2], [2, 1], [2, 2]];

/** A derivation over two lines: the rule in symbols, then its numbers and the value. Each line
 *  stays narrow enough that the numbers are on screen at a laptop's width. */
const twoLines = (lhs: string, symbols: string, numbers: string, value: number) =>
  String.raw`${lhs} &= ${symbols}\\ &= ${numbers} = ${n(value)}`;

/** The chain rule through the deltas, the sheet's ∂E/∂o and ∂E/∂h columns: each weight's
 *  gradient is then one product, the delta of the neuron it feeds times what it multiplies. */
function backward(r: Row, c: TinyConfig): string {
  const lines: string[] = [];
  for (const o of [1, 2] as const) {
    const a = o === 1 ? r.a_o1 : r.a_o2;
    lines.push(twoLines(
      String.raw`\delta_{o${o}} = \frac{\partial E_{total}}{\partial o_${o}}`,
      String.raw`\frac{\partial E_${o}}{\partial a_{o${o}}}\frac{\partial a_{o${o}}}{\partial o_${o}} = (a_{o${o}} - t_${o})\,a_{o${o}}(1 - a_{o${o}})`,
      String.raw`(${n(a)} - ${f(c.targets[o - 1])})\cdot${n(a)}\cdot(1 - ${n(a)})`,
      r.dE_do[o - 1],
    ));
  }
  OUTPUT_WEIGHTS.forEach(([o, h], j) => {
    const k = 5 + j;
    const ah = h === 1 ? r.a_h1 : r.a_h2;
    lines.push(String.raw`\htmlData{weight=${k - 1}}{\frac{\partial E_{total}}{\partial w_${k}}} &= \delta_{o${o}}\frac{\partial o_${o}}{\partial w_${k}} = \delta_{o${o}}\,a_{h${h}} = ${n(r.dE_do[o - 1])}\cdot${f(ah)} = ${n(r.dE_dw[k - 1])}`);
  });
  for (const h of [1, 2] as const) {
    const ah = h === 1 ? r.a_h1 : r.a_h2;
    // h1 reaches o1 through w5 and o2 through w7; h2 through w6 and w8.
    const [wa, wb] = h === 1 ? [5, 7] : [6, 8];
    lines.push(twoLines(
      String.raw`\delta_{h${h}} = \frac{\partial E_{total}}{\partial h_${h}}`,
      String.raw`(\delta_{o1} w_${wa} + \delta_{o2} w_${wb})\,a_{h${h}}(1 - a_{h${h}})`,
      String.raw`(${n(r.dE_do[0])}\cdot${f(r.w[wa - 1])} + ${f(r.dE_do[1])}\cdot${f(r.w[wb - 1])})\cdot${n(ah)}\cdot(1 - ${n(ah)})`,
      r.dE_dh[h - 1],
    ));
  }
  INPUT_WEIGHTS.forEach(([h, i], j) => {
    const k = 1 + j;
    lines.push(String.raw`\htmlData{weight=${k - 1}}{\frac{\partial E_{total}}{\partial w_${k}}} &= \delta_{h${h}}\frac{\partial h_${h}}{\partial w_${k}} = \delta_{h${h}}\,i_${i} = ${n(r.dE_dh[h - 1])}\cdot${f(c.inputs[i - 1])} = ${n(r.dE_dw[k - 1])}`);
  });
  return String.raw`\begin{aligned}` + lines.join(String.raw`\\[6pt]`) + String.raw`\end{aligned}`;
}

/** Typeset at most once a frame, and only while on screen (or about to be): KaTeX's output
 *  for these lines takes longer to lay out than a frame lasts, and a student scrubbing the
 *  slider in cell 1 would wait on equations they cannot see. */
export const mountEquations: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#equations")!;
  let drawn: Row | undefined;
  let shape = "";
  let filled: string[] = [];
  // What a screen reader reads (KaTeX's hidden MathML) carries no slots: it is written anew,
  // once the slider rests (no one hears the numbers in between).
  const speak = whenSettled(() => {
    if (filled.length === 0) return; // typeset afresh since: its MathML is already right
    root.querySelectorAll(".katex-display > .katex > .katex-mathml").forEach((el, i) => {
      el.innerHTML = mathml(filled[i].replace(/\\htmlData\{weight=\d\}/g, "")).replace(/^<span class="katex">|<\/span>$/g, "");
    });
  });
  const draw = () => {
    const s = state.get();
    const r = selectedRow(s);
    const c = s.config;
    if (!r || !c || r === drawn) return;
    drawn = r;
    values = [];
    const source = [forward(r, c), backward(r, c)];
    const next = source.join("\n");
    if (next === shape) {
      root.querySelector("[data-iteration]")!.textContent = String(r.iteration);
      root.querySelectorAll<HTMLElement>("[data-n]").forEach((el) => {
        el.textContent = values[Number(el.dataset.n)].replace("-", "−");
      });
      filled = source.map((tex) => tex.replace(/\u0000(\d+)\u0000/g, (_, k) => values[Number(k)]));
      speak();
      return;
    }
    shape = next;
    filled = [];
    // Both blocks' slots are numbered in one sequence, as `values` holds them.
    const [fwd, bwd] = marked(source.join("\u0001")).split("\u0001");
    // Focusable: the derivations scroll sideways on a narrow screen, and a keyboard must reach them.
    root.innerHTML =
      `<h3>Forward pass, iteration <span data-iteration>${r.iteration}</span></h3><div class="eq" tabindex="0" role="group" aria-label="forward pass">${tex(fwd, true, true)}</div>` +
      `<h3>Backward pass: the chain rule for each weight</h3>` +
      `<p>Each neuron's delta <span class="eqi">${tex(String.raw`\delta = \partial E_{total}/\partial(\text{its input})`)}</span> comes first, the table's ∂E/∂o and ∂E/∂h columns; each weight's gradient is then the delta of the neuron it feeds times what it multiplies. Output neurons first: <span class="eqi">${tex("w_5")}</span> only feeds <span class="eqi">${tex("o_1")}</span>, so only <span class="eqi">${tex("E_1")}</span> is involved. Then the hidden ones, where <span class="eqi">${tex("a_{h1}")}</span> feeds both outputs, so both paths add up.</p>` +
      `<div class="eq" tabindex="0" role="group" aria-label="backward pass">${tex(bwd, true, true)}</div>`;
  };
  state.watch(selectedRow, drawWhenSeen(cell, draw, "200px"));
  // A click on a weight's ∂E/∂w points at it (its paths light on the diagram, cell 1).
  root.addEventListener("click", (e) => {
    const k = (e.target as HTMLElement).closest<HTMLElement>("[data-weight]")?.dataset.weight;
    if (k !== undefined) state.set({ weight: Number(k) });
  });
};
