// Cell 4: one table per learning rate, every column of the sheet, virtualised so thousands
// of rows scroll smoothly (only the rows in view exist in the DOM).
import { fmt } from "../format";
import { select, subscribe } from "./selection";
import type { Row } from "./types";

export const COLUMNS = [
  "iteration", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8",
  "h1", "a_h1", "h2", "a_h2", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total",
  "∂E/∂w1", "∂E/∂w2", "∂E/∂w3", "∂E/∂w4", "∂E/∂w5", "∂E/∂w6", "∂E/∂w7", "∂E/∂w8",
];
const ROW_HEIGHT = 24;

function cells(r: Row): number[] {
  return [r.iteration, ...r.w, r.h1, r.a_h1, r.h2, r.a_h2, r.o1, r.a_o1, r.o2, r.a_o2, r.E1, r.E2, r.E_total, ...r.dE_dw];
}

export function mountTable(): void {
  const tabs = document.getElementById("table-tabs")!;
  const root = document.getElementById("table")!;
  root.innerHTML =
    `<div class="grid-scroll" tabindex="0"><div class="grid-head">${COLUMNS.map((c) => `<span>${c}</span>`).join("")}</div>` +
    `<div class="grid-body"></div></div>`;
  const scroller = root.querySelector<HTMLElement>(".grid-scroll")!;
  const body = root.querySelector<HTMLElement>(".grid-body")!;
  let rows: Row[] = [];
  let selected = -1;

  function paint(): void {
    body.style.height = `${rows.length * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - 5);
    const last = Math.min(rows.length, first + Math.ceil(scroller.clientHeight / ROW_HEIGHT) + 10);
    let html = "";
    for (let i = first; i < last; i++) {
      const cls = i === selected ? "grid-row selected" : "grid-row";
      html += `<div class="${cls}" data-iteration="${i}" style="top:${i * ROW_HEIGHT}px">` +
        cells(rows[i]).map((v, j) => `<span>${j === 0 ? v : fmt(v)}</span>`).join("") + `</div>`;
    }
    body.innerHTML = html;
  }

  scroller.addEventListener("scroll", () => requestAnimationFrame(paint));
  body.addEventListener("click", (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>(".grid-row");
    if (row) select({ iteration: Number(row.dataset.iteration) });
  });
  tabs.addEventListener("click", (e) => {
    const tab = (e.target as HTMLElement).closest<HTMLElement>("[data-lr]");
    if (tab) select({ lrIndex: Number(tab.dataset.lr) });
  });

  subscribe((s) => {
    tabs.innerHTML = s.traces
      .map((t, i) => `<button type="button" role="tab" data-lr="${i}" aria-selected="${i === s.lrIndex}">η = ${t.learningRate}</button>`)
      .join("");
    const changed = rows !== s.traces[s.lrIndex].rows;
    rows = s.traces[s.lrIndex].rows;
    if (changed) scroller.scrollTop = Math.min(scroller.scrollTop, rows.length * ROW_HEIGHT);
    // Follow the scrubber: bring the selected row into view when it is not.
    if (s.iteration !== selected) {
      const top = s.iteration * ROW_HEIGHT;
      const header = ROW_HEIGHT;
      if (top < scroller.scrollTop || top + ROW_HEIGHT > scroller.scrollTop + scroller.clientHeight - header) {
        scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 2);
      }
    }
    selected = s.iteration;
    paint();
  });
}
