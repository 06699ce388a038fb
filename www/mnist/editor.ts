// Cell 3: the student's own model. Start from a built-in one (or from nothing); add, remove,
// move and edit layers. After every edit the engine checks the design (src/mnist/model/mod.rs):
// each layer shows its output shape, parameters and receptive field, the total stands against
// the exercise's budgets, and a design that cannot work says where and why. The design is the
// settings' model (cell 4 holds it, and the page's address), so it trains like a built-in one;
// it saves and opens as a small JSON file, which `gradbook mnist --model-file` also takes.
import { count } from "../format";
import { LAYER_PRESETS, MODEL_BUDGETS, MODEL_LIMITS } from "../generated/engine";
import { saveFile } from "../share";
import { mnist } from "./client";
import { sameModel, specOf } from "./design";
import type { MnistCell } from "./state";
import type { Architecture, DesignCheck, Layer, ModelChoice, ModelSpec } from "./protocol";

/** Each kind of layer in words. */
const KIND: Record<Layer["kind"], string> = {
  conv: "Conv",
  depthwise: "Depthwise conv",
  relu: "ReLU",
  batchNorm: "Batch norm",
  dropout: "Dropout",
  maxPool: "Max-pool 2×2",
  avgPool: "Average pool",
  globalAvgPool: "Global average pool",
  linear: "Linear",
};

/** A layer's settings: what each is called and the values it may take (the engine's limits). */
const SETTING: Record<string, { label: string; min: number; max: number; step?: number }> = {
  out: { label: "out", min: 1, max: MODEL_LIMITS.width },
  kernel: { label: "kernel", min: 1, max: MODEL_LIMITS.side },
  pad: { label: "padding", min: 0, max: MODEL_LIMITS.side - 1 },
  p: { label: "p", min: 0, max: 0.99, step: 0.01 },
};

const [BUDGET, TIGHT] = MODEL_BUDGETS;

type Settings = Record<string, number | boolean>;
const settingsOf = (layer: Layer) => layer as unknown as Settings & { kind: Layer["kind"] };

function layerRow(layer: Layer, i: number, count: number): string {
  const n = i + 1;
  const name = `layer ${n} (${KIND[layer.kind]})`;
  const fields = Object.entries(settingsOf(layer))
    .filter(([key]) => key !== "kind")
    .map(([key, value]) => {
      if (typeof value === "boolean") {
        return `<label><input type="checkbox" data-key="${key}" ${value ? "checked" : ""} aria-label="${name}: ${key}" /> ${key}</label>`;
      }
      const s = SETTING[key];
      return `<label>${s.label} <input type="number" data-key="${key}" value="${value}" min="${s.min}" max="${s.max}" step="${s.step ?? 1}" ` +
        `inputmode="${s.step ? "decimal" : "numeric"}" aria-label="${name}: ${s.label}" /></label>`;
    })
    .join(" ");
  const button = (act: string, text: string, label: string, disabled = false) =>
    `<button type="button" data-act="${act}" aria-label="${label}" ${disabled ? "disabled" : ""}>${text}</button>`;
  return `<li class="design-layer" data-i="${i}"><span class="design-kind">${KIND[layer.kind]}</span>` +
    `<span class="design-settings">${fields}</span><span class="design-result"></span>` +
    `<span class="design-actions">${button("up", "↑", `Move ${name} up`, i === 0)}${button("down", "↓", `Move ${name} down`, i === count - 1)}` +
    `${button("remove", "✕", `Remove ${name}`)}</span></li>`;
}

/** "7,936 parameters: within both budgets" and the like. */
function budgetWords(total: number): string {
  const n = `${count(total)} parameters`;
  if (total <= TIGHT) return `${n}: within the ${count(BUDGET)} budget, and within ${count(TIGHT)} too`;
  if (total < BUDGET) return `${n}: within the ${count(BUDGET)} budget (over ${count(TIGHT)})`;
  return `${n}: over the exercise's budget of ${count(BUDGET)}`;
}

export const mountEditor: MnistCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#mnist-design")!;
  const models = state.get().models;
  root.innerHTML =
    `<div class="design-start"><label>Start from <select id="design-start">` +
    models.map((m) => `<option value="${m.name}">${m.name} (${count(m.total)} parameters)</option>`).join("") +
    `<option value="">nothing (an empty model)</option></select></label> <button type="button" id="design-start-button">Start over from it</button> ` +
    `<button type="button" id="design-no-dropout" hidden>Remove the dropout</button></div>` +
    `<label class="design-name">Name <input id="design-name" maxlength="${MODEL_LIMITS.name}" autocomplete="off" spellcheck="false" /></label>` +
    `<ol class="design-layers" id="design-layers" aria-label="layers, input first"></ol>` +
    `<div class="design-add"><label>Add <select id="design-add-kind">` +
    LAYER_PRESETS.map((p, i) => `<option value="${i}">${p.label}</option>`).join("") +
    `</select></label> <label>after <select id="design-add-after"></select></label> <button type="button" id="design-add">Add layer</button></div>` +
    `<p class="design-budget"><meter id="design-meter" min="0" max="${BUDGET}" low="${TIGHT}" high="${BUDGET - 1}" optimum="0" aria-labelledby="design-total"></meter> ` +
    `<span id="design-total" aria-live="polite"></span></p>` +
    `<p class="error" id="design-error" aria-live="polite"></p>` +
    `<p><button type="button" id="design-save">Save design (JSON)</button> <label class="file">Open a design… <input type="file" id="design-open" accept=".json,application/json" /></label> ` +
    `<span id="design-file-status" aria-live="polite"></span></p>`;
  const $ = <T extends HTMLElement>(id: string) => root.querySelector<T>(`#${id}`)!;
  const list = $<HTMLOListElement>("design-layers");

  /** The design as the editor holds it, and the built-in model it equals until the first edit. */
  let spec: ModelSpec = specOf(state.get().setup!.config.model, models);
  let pristine: Architecture | null = typeof state.get().setup!.config.model === "string" ? (spec.name as Architecture) : null;
  const choice = (): ModelChoice => (pristine ?? spec);

  // The model the "Start from" list shows follows the design only when that changes: a redraw
  // (a run settling, say) must not undo a choice the student has made there but not yet pressed.
  let shown: Architecture | null | undefined;
  const render = () => {
    if (pristine !== shown) {
      $<HTMLSelectElement>("design-start").value = pristine ?? $<HTMLSelectElement>("design-start").value;
      shown = pristine;
    }
    list.innerHTML = spec.layers.map((l, i) => layerRow(l, i, spec.layers.length)).join("");
    $<HTMLInputElement>("design-name").value = spec.name;
    const after = $<HTMLSelectElement>("design-add-after");
    after.innerHTML = `<option value="0">the input</option>` +
      spec.layers.map((l, i) => `<option value="${i + 1}">layer ${i + 1} (${KIND[l.kind]})</option>`).join("");
    after.value = String(spec.layers.length);
    $("design-no-dropout").hidden = !spec.layers.some((l) => l.kind === "dropout");
  };

  let asked = 0;
  let last: DesignCheck | null = null;
  const show = (check: DesignCheck) => {
    last = check;
    list.querySelectorAll<HTMLElement>(".design-layer").forEach((li, i) => {
      const row = check.rows[i];
      // Not a live region each: the total below speaks for the whole design.
      const out = li.querySelector(".design-result")!;
      out.textContent = row ? `→ ${row.shape.join("×")} · ${count(row.params)} params · RF ${row.receptiveField}` : "";
      const bad = check.error?.layer === i + 1;
      li.classList.toggle("invalid", bad);
      li.querySelectorAll("input").forEach((input) => input.setAttribute("aria-invalid", String(bad)));
    });
    const meter = $<HTMLMeterElement>("design-meter");
    meter.value = check.total;
    $("design-total").textContent = check.error ? `${count(check.total)} parameters in the layers that fit` : budgetWords(check.total);
    $("design-error").textContent = check.error ? (check.error.layer ? `Layer ${check.error.layer}: ${check.error.message}` : check.error.message) : "";
  };
  /** Asks the engine about the design on screen; the settings' model follows it. */
  const check = async () => {
    const mine = ++asked;
    const model = choice();
    state.set({ designed: model });
    let result: DesignCheck;
    try {
      result = await mnist.call("checkModel", model);
    } catch (e) {
      // The design did not even read as one (a hand-edited file, a damaged link).
      result = { rows: [], total: 0, error: { layer: null, message: (e as Error).message } };
    }
    if (mine !== asked) return;
    show(result);
    state.set({ design: { spec: structuredClone(spec), check: result } });
  };
  /** After the student's edit: the design is theirs now, under a name of its own. */
  const edited = () => {
    if (pristine !== null) {
      spec = { ...spec, name: `my-${spec.name}`.slice(0, MODEL_LIMITS.name), about: "" };
      $<HTMLInputElement>("design-name").value = spec.name;
      pristine = null;
    }
    void check();
  };
  /** A built-in model's name ("" for an empty model). */
  const startFrom = (name: string) => {
    const builtin = (name || null) as Architecture | null;
    spec = builtin ? specOf(builtin, models) : { name: "mine", about: "", layers: [] };
    pristine = builtin;
    render();
    void check();
  };
  /** Re-draws after a change to the list, keeping the keyboard where it was. */
  const restructured = (focus?: string) => {
    render();
    if (focus) root.querySelector<HTMLElement>(focus)?.focus();
    edited();
  };

  list.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-act]");
    if (!button) return;
    const i = Number(button.closest<HTMLElement>("li")!.dataset.i);
    const layers = [...spec.layers];
    const act = button.dataset.act!;
    if (act === "remove") {
      layers.splice(i, 1);
      spec = { ...spec, layers };
      const next = Math.min(i, layers.length - 1);
      restructured(next >= 0 ? `li[data-i="${next}"] [data-act="remove"]` : "#design-add-kind");
      return;
    }
    const j = act === "up" ? i - 1 : i + 1;
    [layers[i], layers[j]] = [layers[j], layers[i]];
    spec = { ...spec, layers };
    // The same button on the moved layer, or its other one where this one is now disabled.
    const target = (j === 0 && act === "up") || (j === layers.length - 1 && act === "down") ? (act === "up" ? "down" : "up") : act;
    restructured(`li[data-i="${j}"] [data-act="${target}"]`);
  });
  list.addEventListener("input", (event) => {
    const input = event.target as HTMLInputElement;
    const i = Number(input.closest<HTMLElement>("li")!.dataset.i);
    const key = input.dataset.key!;
    let value: number | boolean = input.checked;
    if (input.type === "number") {
      value = Number(input.value);
      const whole = key !== "p";
      // A half-typed number waits; the engine checks every whole one.
      if (input.value.trim() === "" || !Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < 0) {
        input.setAttribute("aria-invalid", "true");
        $("design-error").textContent = `Layer ${i + 1}: ${SETTING[key].label} must be ${whole ? "a whole number, 0 or more" : "a number from 0 to below 1"}`;
        return;
      }
    }
    const layers = [...spec.layers];
    layers[i] = { ...layers[i], [key]: value } as Layer;
    spec = { ...spec, layers };
    edited();
  });
  $<HTMLInputElement>("design-name").addEventListener("input", (event) => {
    spec = { ...spec, name: (event.target as HTMLInputElement).value };
    pristine = null;
    void check();
  });
  $("design-add").addEventListener("click", () => {
    const preset = LAYER_PRESETS[Number($<HTMLSelectElement>("design-add-kind").value)];
    const at = Number($<HTMLSelectElement>("design-add-after").value);
    const layers = [...spec.layers];
    layers.splice(at, 0, structuredClone(preset.layer));
    spec = { ...spec, layers };
    restructured(`li[data-i="${at}"] input, li[data-i="${at}"] [data-act="remove"]`);
  });
  $("design-no-dropout").addEventListener("click", () => {
    spec = { ...spec, layers: spec.layers.filter((l) => l.kind !== "dropout") };
    restructured("#design-add-kind");
  });
  $("design-start-button").addEventListener("click", () => startFrom($<HTMLSelectElement>("design-start").value));
  $("design-save").addEventListener("click", () => {
    saveFile(`${spec.name || "design"}.json`, JSON.stringify(spec, null, 2) + "\n", "application/json");
  });
  $<HTMLInputElement>("design-open").addEventListener("change", async (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    const status = $("design-file-status");
    try {
      const opened = JSON.parse(await file.text());
      if (typeof opened?.name !== "string" || !Array.isArray(opened?.layers)) throw new Error("it holds no name and layers");
      spec = { name: opened.name, about: typeof opened.about === "string" ? opened.about : "", layers: opened.layers };
      pristine = null;
      render();
      status.textContent = `Opened ${file.name}.`;
      status.className = "dim";
      void check();
    } catch (e) {
      status.textContent = `${file.name} is not a model design: ${(e as Error).message}. The design on screen is unchanged.`;
      status.className = "error";
    }
  });

  // The settings' model can change from elsewhere (a recipe's model): the editor follows it.
  state.watch((s) => s.setup?.config.model, (model) => {
    if (!model || sameModel(model, choice())) return;
    spec = specOf(model, models);
    pristine = typeof model === "string" ? model : null;
    render();
    void check();
  });
  render();
  void check();
  // Locked while a run trains, as the settings are.
  state.watch((s) => s.runState !== "idle", (locked) => {
    root.querySelectorAll<HTMLInputElement>("input, select, button").forEach((el) => (el.disabled = locked));
    if (locked) return;
    render(); // the move buttons get their own disabled states back
    if (last) show(last);
  });
};
