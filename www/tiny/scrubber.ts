// The learning-rate picker and iteration slider above the diagram.
import { select, subscribe } from "./selection";

export function mountScrubber(): void {
  const lr = document.getElementById("scrub-lr") as HTMLSelectElement;
  const it = document.getElementById("scrub-iteration") as HTMLInputElement;
  const label = document.getElementById("scrub-label") as HTMLOutputElement;
  lr.addEventListener("change", () => select({ lrIndex: Number(lr.value) }));
  it.addEventListener("input", () => select({ iteration: Number(it.value) }));
  subscribe((s) => {
    const options = s.traces.map((t, i) => `<option value="${i}">η = ${t.learningRate}</option>`).join("");
    if (lr.innerHTML !== options) lr.innerHTML = options;
    lr.value = String(s.lrIndex);
    it.max = String(s.traces[s.lrIndex].rows.length - 1);
    it.value = String(s.iteration);
    label.textContent = `iteration ${s.iteration} of ${it.max}`;
  });
}
