// The learning-rate picker and iteration slider above the diagram.
import { select, selectedRow, type TinyCell } from "./state";

export const mountScrubber: TinyCell = (root, state) => {
  const lr = root.querySelector<HTMLSelectElement>("#scrub-lr")!;
  const it = root.querySelector<HTMLInputElement>("#scrub-iteration")!;
  const label = root.querySelector<HTMLOutputElement>("#scrub-label")!;
  lr.addEventListener("change", () => select(state, { lrIndex: Number(lr.value) }));
  it.addEventListener("input", () => select(state, { iteration: Number(it.value) }));
  state.watch(selectedRow, (row, s) => {
    if (!row) return;
    const options = s.traces.map((t, i) => `<option value="${i}">η = ${t.learningRate}</option>`).join("");
    if (lr.innerHTML !== options) lr.innerHTML = options;
    lr.value = String(s.lrIndex);
    it.max = String(s.traces[s.lrIndex].rows.length - 1);
    it.value = String(s.iteration);
    label.textContent = `iteration ${s.iteration} of ${it.max}`;
  });
};
