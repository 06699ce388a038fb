// "Where does this number come from?", the spreadsheet's trace-precedents: any number of the
// selected row, asked here or by a click on its cell, shows its formula with its numbers; the
// cells it is computed from light up in the table (this row's, and the row before's for a
// weight), and each is one click from its own answer.
import { ROW_COLUMNS } from "./types";
import { sentence } from "./pieces";
import { select, type TinyCell, type TinyState } from "./state";
import type { Formula } from "./types";

const label = (column: string) => ROW_COLUMNS.find((c) => c.name === column)?.label ?? column;

/** The formula asked about, once the engine has explained the selected row. */
export function asked(s: TinyState): Formula | undefined {
  return s.feeds === null ? undefined : s.explained?.formulas.find((f) => f.column === s.feeds);
}

export const mountFeeds: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#feeds")!;
  root.innerHTML =
    `<label>Where does <select id="feeds-of"><option value="">(choose a number)</option>` +
    ROW_COLUMNS.map((c) => `<option value="${c.name}">${c.label}</option>`).join("") +
    `</select> come from?</label> <span class="dim">Or click any number in the table.</span>` +
    `<div id="feeds-answer" aria-live="polite"></div>`;
  const picker = root.querySelector<HTMLSelectElement>("#feeds-of")!;
  const answer = root.querySelector<HTMLElement>("#feeds-answer")!;
  picker.addEventListener("change", () => state.set({ feeds: picker.value || null }));
  // One step further back: a cell of this row, or of the row before (which is then selected).
  answer.addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest<HTMLElement>("[data-feed]");
    if (!b) return;
    if (b.dataset.previous === "true") select(state, { iteration: state.get().iteration - 1 });
    state.set({ feeds: b.dataset.feed! });
    answer.querySelector<HTMLElement>("h3")?.focus();
  });

  const render = () => {
    const s = state.get();
    picker.value = s.feeds ?? "";
    const f = asked(s);
    if (!f || !s.explained) {
      answer.innerHTML = "";
      return;
    }
    const it = s.explained.iteration;
    const from = f.feeds.map((c) =>
      `<button type="button" data-feed="${c.column}" data-previous="${c.previous}">${label(c.column)}${c.previous ? ` at iteration ${it - 1}` : ""}</button>`).join(" ");
    answer.innerHTML =
      `<h3 tabindex="-1">${f.label} at iteration ${it}</h3><p class="feeds-formula">${sentence(f)}</p>` +
      (f.feeds.length
        ? `<p>It is computed from ${f.feeds.length === 1 ? "this number" : "these numbers"}, marked in the table${f.pass === "update" ? " (the row before holds them)" : ""}; ask any of them in turn: ${from}</p>` +
          (f.pass === "update" ? `<p class="dim">′ marks the row before's numbers: each weight is the one before, moved against its gradient.</p>` : "")
        : `<p>Nothing in the table feeds it: it is where the run starts.</p>`);
  };
  state.watch((s) => s.feeds, render);
  state.watch((s) => s.explained, render);
};
