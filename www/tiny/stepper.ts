// Step through one iteration: the forward pass neuron by neuron, the backward pass one
// derivative at a time, then every weight's update, each step marked on the diagram with its
// number (www/tiny/diagram.ts) and said in words here. Buttons, or ← and → while on them.
import { selectedRow, type TinyCell } from "./state";
import { sentence } from "./pieces";
import type { Explanation, Formula } from "./types";

/** The iteration's steps in order: forward, backward, update (a starting weight is no step). */
export function steps(e: Explanation): Formula[] {
  const pass = (p: Formula["pass"]) => e.formulas.filter((f) => f.pass === p);
  return [...pass("forward"), ...pass("backward"), ...e.updates];
}

const PASS_NAME: Record<Formula["pass"], string> = {
  given: "given", forward: "Forward pass", backward: "Backward pass", update: "Update",
};

export const mountStepper: TinyCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#stepper")!;
  root.innerHTML =
    `<h3>Step through iteration <span data-stepper-iteration>0</span></h3>` +
    `<div class="actions" role="group" aria-label="Step through one iteration">` +
    `<button type="button" data-step="start">Step through</button> ` +
    `<button type="button" data-step="back" aria-keyshortcuts="ArrowLeft">◀ Back</button> ` +
    `<button type="button" data-step="next" aria-keyshortcuts="ArrowRight">Next ▶</button> ` +
    `<button type="button" data-step="stop">Done</button></div>` +
    `<p class="step-text" id="step-text" aria-live="polite"></p>`;
  const text = root.querySelector<HTMLElement>("#step-text")!;
  const button = (name: string) => root.querySelector<HTMLButtonElement>(`[data-step="${name}"]`)!;
  const count = () => (state.get().explained ? steps(state.get().explained!).length : 0);
  const go = (to: number | null) => state.set({ step: to === null ? null : Math.max(0, Math.min(to, count() - 1)) });

  root.addEventListener("click", (e) => {
    const which = (e.target as HTMLElement).closest<HTMLElement>("[data-step]")?.dataset.step;
    const at = state.get().step;
    if (which === "start") go(0);
    else if (which === "back" && at !== null) go(at - 1);
    else if (which === "next" && at !== null) go(at + 1);
    else if (which === "stop") go(null);
  });
  root.addEventListener("keydown", (e) => {
    const at = state.get().step;
    if (at === null || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
    e.preventDefault();
    go(at + (e.key === "ArrowRight" ? 1 : -1));
  });

  const render = () => {
    const s = state.get();
    const e = s.explained;
    root.querySelector("[data-stepper-iteration]")!.textContent = String(selectedRow(s)?.iteration ?? 0);
    const all = e ? steps(e) : [];
    const on = s.step !== null && all.length > 0;
    // A focused button about to be disabled (Next at the last step) hands the focus on, so the
    // keyboard stays in the stepper.
    const focused = root.querySelector<HTMLButtonElement>("button:focus");
    button("start").disabled = on || all.length === 0;
    button("back").disabled = !on || s.step === 0;
    button("next").disabled = !on || s.step! >= all.length - 1;
    button("stop").disabled = !on;
    if (focused?.disabled) root.querySelector<HTMLButtonElement>("button:not(:disabled)")?.focus();
    if (!on || !e) {
      text.textContent = all.length ? `${all.length} steps: the forward pass, the backward pass, then each weight's update.` : "";
      return;
    }
    const k = Math.min(s.step!, all.length - 1);
    const f = all[k];
    text.innerHTML = `<strong>Step ${k + 1} of ${all.length} · ${PASS_NAME[f.pass]}:</strong> ${sentence(f)}`;
  };
  state.watch((s) => s.step, render);
  state.watch((s) => s.explained, render);
};
