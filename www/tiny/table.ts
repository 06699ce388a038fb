// Cell 4: one table per learning rate, every number of every row (the columns the Rust core
// lays out, www/generated/engine.ts `ROW_COLUMNS`), virtualised so thousands of rows scroll
// smoothly (only the rows in view exist in the DOM).
import { fmt } from "../format";
import { drawWhenSeen } from "../seen";
import { asked } from "./feeds";
import { select, type TinyCell, type TinyState } from "./state";
import { cell, ROW_COLUMNS, type Row } from "./types";

const ROW_HEIGHT = 24;

/** The cells to mark in each row: the one asked "where do you come from?" and those it is
 *  computed from (www/tiny/feeds.ts). */
type Marks = Map<number, Map<string, "asked" | "feeds">>;

function marksOf(s: TinyState): Marks {
  const marks: Marks = new Map();
  const f = asked(s);
  if (!f || !s.explained) return marks;
  const at = (i: number) => marks.get(i) ?? marks.set(i, new Map()).get(i)!;
  at(s.explained.iteration).set(f.column, "asked");
  for (const c of f.feeds) at(s.explained.iteration - (c.previous ? 1 : 0)).set(c.column, "feeds");
  return marks;
}

function cells(r: Row, marks: Marks): string {
  const mine = marks.get(r.iteration);
  return `<span>${r.iteration}</span>` + ROW_COLUMNS.map((c) => {
    const mark = mine?.get(c.name);
    return `<span data-col="${c.name}"${mark ? ` class="${mark}"` : ""}>${fmt(cell(r, c))}</span>`;
  }).join("");
}

export const mountTable: TinyCell = (root, state) => {
  const tabs = root.querySelector<HTMLElement>("#table-tabs")!;
  const table = root.querySelector<HTMLElement>("#table")!;
  // The grid's column count, from the same table (style.css lays the columns out with it).
  table.style.setProperty("--columns", String(ROW_COLUMNS.length));
  table.innerHTML =
    `<div class="grid-scroll" tabindex="0"><div class="grid-head"><span>iteration</span>${ROW_COLUMNS.map((c) => `<span data-col="${c.name}">${c.label}</span>`).join("")}</div>` +
    `<div class="grid-body"></div></div>`;
  const scroller = table.querySelector<HTMLElement>(".grid-scroll")!;
  const body = table.querySelector<HTMLElement>(".grid-body")!;
  let rows: Row[] = [];
  let selected = -1;
  // The scroll position and height as last read: reading them after the other cells have
  // rewritten their parts of the page would force a layout of all of it on every scrub step.
  let top = 0;
  let height = 0;
  const measure = () => {
    top = scroller.scrollTop;
    height = scroller.clientHeight;
  };
  const scrollTo = (y: number) => {
    scroller.scrollTop = y;
    top = Math.max(0, Math.min(y, rows.length * ROW_HEIGHT - height));
  };
  new ResizeObserver(() => {
    measure();
    paint();
  }).observe(scroller);

  // The rows in the DOM now: a scrub step within them only moves the highlight, which costs a
  // style change on two rows instead of a thousand new cells to lay out.
  let painted = { rows, first: -1, last: -1, marks: new Map() as Marks };
  let marks: Marks = new Map();

  function paint(): void {
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 5);
    const last = Math.min(rows.length, first + Math.ceil(height / ROW_HEIGHT) + 10);
    if (painted.rows === rows && painted.first === first && painted.last === last && painted.marks === marks) {
      body.querySelector(".grid-row.selected")?.classList.remove("selected");
      body.querySelector(`.grid-row[data-iteration="${selected}"]`)?.classList.add("selected");
      return;
    }
    painted = { rows, first, last, marks };
    body.style.height = `${rows.length * ROW_HEIGHT}px`;
    let html = "";
    for (let i = first; i < last; i++) {
      const cls = i === selected ? "grid-row selected" : "grid-row";
      html += `<div class="${cls}" data-iteration="${i}" style="top:${i * ROW_HEIGHT}px">${cells(rows[i], marks)}</div>`;
    }
    body.innerHTML = html;
  }

  scroller.addEventListener("scroll", () => {
    measure();
    requestAnimationFrame(paint);
  });
  // A click on a number selects its row and asks where it comes from.
  body.addEventListener("click", (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>(".grid-row");
    if (!row) return;
    select(state, { iteration: Number(row.dataset.iteration) });
    const column = (e.target as HTMLElement).closest<HTMLElement>("[data-col]")?.dataset.col;
    if (column) state.set({ feeds: column });
  });
  // A click on a weight's heading, or its gradient's, points at that weight.
  table.querySelector(".grid-head")!.addEventListener("click", (e) => {
    const column = (e.target as HTMLElement).closest<HTMLElement>("[data-col]")?.dataset.col ?? "";
    const k = /^(?:dE_d)?w(\d)$/.exec(column);
    if (k) state.set({ weight: Number(k[1]) - 1 });
  });
  state.watch((s) => `${s.feeds}|${s.explained?.iteration}|${s.explained?.learningRate}`, () => {
    marks = marksOf(state.get());
    paint();
  });
  tabs.addEventListener("click", (e) => {
    const tab = (e.target as HTMLElement).closest<HTMLElement>("[data-lr]");
    if (tab) select(state, { lrIndex: Number(tab.dataset.lr) });
  });
  // WAI-ARIA tabs: the arrows, Home and End move between the learning rates; Tab leaves.
  tabs.addEventListener("keydown", (e) => {
    const { lrIndex, traces } = state.get();
    const n = traces.length;
    const to = { ArrowRight: lrIndex + 1, ArrowLeft: lrIndex - 1 + n, Home: 0, End: n - 1 }[e.key];
    if (to === undefined || n === 0) return;
    e.preventDefault();
    select(state, { lrIndex: to % n });
  });
  table.setAttribute("role", "tabpanel");

  // The tabs and rows follow the trace shown; the highlighted row follows the iteration.
  state.watch((s) => s.traces[s.lrIndex], (trace, s) => {
    if (!trace) return;
    const focused = tabs.contains(document.activeElement);
    // One tab in the page's tab order, the selected one (a roving tabindex).
    tabs.innerHTML = s.traces
      .map((t, i) => `<button type="button" role="tab" id="table-tab-${i}" aria-controls="table" data-lr="${i}" ` +
        `aria-selected="${i === s.lrIndex}" tabindex="${i === s.lrIndex ? 0 : -1}">η = ${t.learningRate}</button>`)
      .join("");
    table.setAttribute("aria-labelledby", `table-tab-${s.lrIndex}`);
    // The tab pressed keeps the focus, though its button was rebuilt.
    if (focused) tabs.querySelector<HTMLElement>(`[data-lr="${s.lrIndex}"]`)!.focus();
    rows = trace.rows;
    scrollTo(Math.min(top, rows.length * ROW_HEIGHT));
    selected = -1;
  });
  // Follows the scrubber while the table is in view (out of view, once it is seen again).
  const follow = drawWhenSeen(table, () => {
    const s = state.get();
    if (!s.traces[s.lrIndex]?.rows[s.iteration]) return;
    // Bring the selected row into view when it is not.
    if (s.iteration !== selected) {
      const at = s.iteration * ROW_HEIGHT;
      const header = ROW_HEIGHT;
      if (at < top || at + ROW_HEIGHT > top + height - header) scrollTo(Math.max(0, at - height / 2));
    }
    selected = s.iteration;
    paint();
  });
  state.watch((s) => s.traces[s.lrIndex]?.rows[s.iteration], follow);
};
