// Cell 4: the hyperparameters. The recipe gives the defaults; every edit is checked (here for
// the number's form, then by the Rust validator) and written into the page's URL, so a link
// reproduces the exact setup.
import { INTERPOLATIONS, OPTIMIZER_KINDS, RECIPE_ABOUT, SCHEDULE_KINDS, WORKER_LIMITS } from "../generated/engine";
import { URL_PREFIX as TINY_URL_PREFIX } from "../tiny/params";
import { copyLinkButton } from "../share";
import { mnist } from "./client";
import { sameModel } from "./design";
import type { MnistCell, Setup } from "./state";
import type { ModelChoice, TrainConfig } from "./protocol";

type Kind = "number" | "int" | "bool" | "optional-int" | { options: string[] };

interface Field {
  path: string; // into TrainConfig, e.g. "optimizer.momentum"
  label: string;
  kind: Kind;
  /** Shown only when this holds (e.g. momentum only for SGD). */
  when?: (c: TrainConfig) => boolean;
}

const sgd = (c: TrainConfig) => c.optimizer.kind === "sgd";
const FIELDS: Field[] = [
  { path: "epochs", label: "Epochs", kind: "int" },
  { path: "batchSize", label: "Batch size", kind: "int" },
  { path: "lr", label: "Learning rate", kind: "number" },
  { path: "workers", label: "CPU workers (batch slices)", kind: "int" },
  { path: "optimizer.kind", label: "Optimizer", kind: { options: OPTIMIZER_KINDS.map((o) => o.kind) } },
  { path: "optimizer.momentum", label: "Momentum", kind: "number", when: sgd },
  { path: "optimizer.nesterov", label: "Nesterov", kind: "bool", when: sgd },
  { path: "optimizer.weightDecay", label: "Weight decay", kind: "number" },
  { path: "schedule.kind", label: "Schedule", kind: { options: SCHEDULE_KINDS.map((s) => s.kind) } },
  { path: "schedule.every", label: "Step every (epochs)", kind: "int", when: (c) => c.schedule.kind === "step" },
  { path: "schedule.gamma", label: "Step factor γ", kind: "number", when: (c) => c.schedule.kind === "step" },
  { path: "schedule.warmup", label: "Warm-up (fraction of run)", kind: "number", when: (c) => c.schedule.kind === "oneCycle" },
  { path: "schedule.div", label: "Start at lr ÷", kind: "number", when: (c) => c.schedule.kind === "oneCycle" },
  { path: "schedule.finalDiv", label: "End at lr ÷", kind: "number", when: (c) => c.schedule.kind === "oneCycle" },
  { path: "labelSmoothing", label: "Label smoothing", kind: "number" },
  { path: "dropout", label: "Dropout (if the model has it)", kind: "bool" },
  { path: "augment.rotation", label: "RandomRotation ± degrees", kind: "number" },
  { path: "augment.affineRotation", label: "RandomAffine ± degrees", kind: "number" },
  { path: "augment.translate", label: "Translate ± (fraction)", kind: "number" },
  { path: "augment.scale", label: "Scale ± (fraction)", kind: "number" },
  { path: "augment.interpolation", label: "Resampling", kind: { options: [...INTERPOLATIONS] } },
  { path: "augment.brightness", label: "Brightness ±", kind: "number" },
  { path: "augment.contrast", label: "Contrast ±", kind: "number" },
  { path: "cleanEpochs", label: "Last epochs without augmentation", kind: "int" },
  { path: "averageLast", label: "Average the weights over the run's last (fraction)", kind: "number" },
  { path: "lastEpochTests", label: "Extra tests within the last epoch", kind: "int" },
  { path: "seed", label: "Random seed", kind: "int" },
  { path: "limitTrain", label: "Training images (empty: all 60,000)", kind: "optional-int" },
  { path: "limitTest", label: "Test images (empty: all 10,000)", kind: "optional-int" },
  { path: "reportEvery", label: "Update the plots every (batches)", kind: "int" },
];
/** What a student changes first; the rest folds under "More settings". */
const FIRST = new Set(["epochs", "batchSize", "lr", "workers", "seed", "limitTrain", "limitTest"]);

/** What the page sets differently from a recipe: it reads the running loss back more often than
 *  the CLI does, for a livelier plot, and shares each batch between one worker per core. */
function pageDefaults(recipe: TrainConfig): TrainConfig {
  const workers = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, WORKER_LIMITS.defaultCap));
  return { ...structuredClone(recipe), reportEvery: 10, workers };
}

/** Switching an optimizer or schedule kind brings that kind's settings (the Rust core's). */
const KIND_DEFAULTS: Record<string, object> = Object.fromEntries([...OPTIMIZER_KINDS, ...SCHEDULE_KINDS].map((k) => [k.kind, k]));

function get(c: TrainConfig, path: string): unknown {
  return path.split(".").reduce<any>((o, k) => o?.[k], c);
}

function set(c: TrainConfig, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  const parent = keys.reduce<any>((o, k) => o[k], c);
  if (last === "kind") {
    const kept = Object.fromEntries(Object.entries(parent).filter(([k]) => k in KIND_DEFAULTS[value as string]));
    Object.keys(parent).forEach((k) => delete parent[k]);
    Object.assign(parent, KIND_DEFAULTS[value as string], kept, { kind: value });
  } else {
    parent[last] = value;
  }
}

/** The text in a field → its value, or a message saying what is wrong. */
function parse(kind: Kind, text: string, checked: boolean): { value: unknown } | { error: string } {
  if (kind === "bool") return { value: checked };
  if (typeof kind === "object") return { value: text };
  const t = text.trim();
  if (kind === "optional-int" && t === "") return { value: null };
  const v = Number(t);
  if (t === "" || !Number.isFinite(v)) return { error: `"${text}" is not a number` };
  if (kind !== "number" && !(Number.isInteger(v) && v >= 0)) return { error: "must be a whole number, 0 or more" };
  return { value: v };
}

/** A model in the address: a built-in one's name, or a design as JSON (the engine checks it). */
function modelFromUrl(text: string, models: string[]): { value: ModelChoice } | { error: string } {
  if (!text.trimStart().startsWith("{")) return models.includes(text) ? { value: text as ModelChoice } : { error: `not one of ${models.join(", ")} or a design` };
  try {
    const design = JSON.parse(text);
    if (typeof design.name === "string" && Array.isArray(design.layers)) return { value: design };
  } catch {
    // Reported below, as any other unreadable design.
  }
  return { error: "not a readable model design" };
}

/** The setup in the URL (recipe plus what differs from it), or the first recipe's; and what
 *  of the URL could not be used, each as "name=value (why)". The rest of the link still applies. */
function fromUrl(recipes: Map<string, TrainConfig>, models: string[]): { setup: Setup; ignored: string[] } {
  const q = new URLSearchParams(location.search);
  const ignored: string[] = [];
  const skip = (name: string, why: string) => {
    const value = q.get(name)!;
    ignored.push(`${name}=${value.length > 60 ? `${value.slice(0, 57)}…` : value} (${why})`);
  };
  let recipe = "compact";
  if (q.has("recipe")) {
    if (recipes.has(q.get("recipe")!)) recipe = q.get("recipe")!;
    else skip("recipe", `not one of ${[...recipes.keys()].join(", ")}`);
  }
  const config = pageDefaults(recipes.get(recipe)!);
  // The kinds first: they decide which of the other fields exist.
  const ordered = [...FIELDS].sort((a, b) => Number(b.path.endsWith(".kind")) - Number(a.path.endsWith(".kind")));
  for (const f of ordered) {
    if (!q.has(f.path)) continue;
    const text = q.get(f.path)!;
    if (typeof f.kind === "object" && !f.kind.options.includes(text)) {
      skip(f.path, `not one of ${f.kind.options.join(", ")}`);
      continue;
    }
    if (f.when && !f.when(config)) {
      skip(f.path, "not a setting of the chosen kind");
      continue;
    }
    const r = f.kind === "bool" && text !== "true" && text !== "false" ? { error: "not true or false" } : parse(f.kind, text, text === "true");
    if ("value" in r) set(config, f.path, r.value);
    else skip(f.path, r.error);
  }
  if (q.has("model")) {
    const r = modelFromUrl(q.get("model")!, models);
    if ("value" in r) config.model = r.value;
    else skip("model", r.error);
  }
  const device = q.get("device") ?? "auto";
  if (!["auto", "flex", "wgpu"].includes(device)) skip("device", "not one of auto, flex, wgpu");
  const known = new Set(["recipe", "device", "model", ...FIELDS.map((f) => f.path)]);
  // Part 1's settings (tiny.*) share the address; they are its to read.
  for (const name of new Set(q.keys())) if (!known.has(name) && !name.startsWith(TINY_URL_PREFIX)) skip(name, "not a setting");
  return { setup: { recipe, config, device: device === "flex" || device === "wgpu" ? device : "auto" }, ignored };
}

function toUrl(s: Setup, recipes: Map<string, TrainConfig>): void {
  const q = new URLSearchParams(location.search);
  const base = pageDefaults(recipes.get(s.recipe)!);
  q.set("recipe", s.recipe);
  for (const f of FIELDS) {
    const v = get(s.config, f.path);
    // The workers always: the page's default depends on the machine, and a link must train the
    // same numbers on any (each batch is cut into that many slices whatever the cores).
    if (v !== undefined && (f.path === "workers" || JSON.stringify(v) !== JSON.stringify(get(base, f.path)))) q.set(f.path, String(v ?? ""));
    else q.delete(f.path);
  }
  const model = s.config.model;
  if (sameModel(model, base.model)) q.delete("model");
  else q.set("model", typeof model === "string" ? model : JSON.stringify(model));
  if (s.device === "auto") q.delete("device");
  else q.set("device", s.device);
  history.replaceState(null, "", `${location.pathname}?${q}${location.hash}`);
}

/** The settings cell owns the setup; the model editor (cell 3) sets its model through here. */
let choose: (model: ModelChoice) => void = () => {};

/** Makes `model` the one the settings train (checked like every other setting). */
export function chooseModel(model: ModelChoice): void {
  choose(model);
}

/** Builds the form from the recipes; each change writes the setup (a fresh copy) and whether
 *  it can train. The form is locked while a run trains. */
export const mountParams: MnistCell = (cell, state) => {
  const opts = { recipes: new Map<string, TrainConfig>(state.get().recipes) };
  const form = cell.querySelector<HTMLFormElement>("#mnist-params")!;
  const fromLink = fromUrl(opts.recipes, state.get().models.map((m) => m.name));
  let setup = fromLink.setup;
  // The cells after this one read the setup as they mount; whether it trains, the engine says.
  state.set({ setup: structuredClone(setup), settingsValid: false });
  const recipeOptions = [...opts.recipes.keys()].map((r) => `<option>${r}</option>`).join("");
  const fieldHtml = (f: Field) => {
    const input = f.kind === "bool" ? `<input type="checkbox" name="${f.path}" />`
      : typeof f.kind === "object" ? `<select name="${f.path}">${f.kind.options.map((o) => `<option>${o}</option>`).join("")}</select>`
      : `<input name="${f.path}" inputmode="decimal" autocomplete="off" spellcheck="false" />`;
    return `<label class="field" data-field="${f.path}"><span>${f.label}</span>${input}<small class="field-error" aria-live="polite"></small></label>`;
  };
  form.innerHTML =
    `<label class="field"><span>Recipe (model and defaults)</span><select name="recipe" aria-describedby="recipe-about">${recipeOptions}</select>` +
    `<small id="recipe-about" class="dim"></small></label>` +
    `<label class="field"><span>Device</span><select name="device"><option value="auto">Auto: the faster here</option>` +
    `<option value="flex">CPU</option><option value="wgpu">WebGPU</option></select></label>` +
    FIELDS.filter((f) => FIRST.has(f.path)).map(fieldHtml).join("") +
    `<details class="more-settings"><summary>More settings</summary><div class="fields">` +
    FIELDS.filter((f) => !FIRST.has(f.path)).map(fieldHtml).join("") + `</div></details>` +
    `<p class="form-error error" id="mnist-params-error" aria-live="polite"></p>`;
  form.append(copyLinkButton());
  const more = form.querySelector<HTMLDetailsElement>(".more-settings")!;
  // A link that sets a folded setting shows it.
  more.open = FIELDS.some((f) => !FIRST.has(f.path) && new URLSearchParams(location.search).has(f.path));
  const note = cell.querySelector<HTMLElement>("#mnist-url-note")!;
  const showIgnored = () => {
    note.hidden = fromLink.ignored.length === 0;
    note.textContent = `Not taken from the link: ${fromLink.ignored.join("; ")}. The rest of it is applied.`;
  };
  showIgnored();
  // A design in the link that the engine cannot read is named there too, and the recipe's
  // model is used instead.
  const linked = setup.config.model;
  if (typeof linked !== "string") {
    mnist.call("checkModel", linked).catch((e: Error) => {
      const text = new URLSearchParams(location.search).get("model") ?? "";
      fromLink.ignored.push(`model=${text.length > 60 ? `${text.slice(0, 57)}…` : text} (${e.message})`);
      showIgnored();
      choose(opts.recipes.get(setup.recipe)!.model);
    });
  }

  const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const fill = () => {
    input("recipe").value = setup.recipe;
    form.querySelector("#recipe-about")!.textContent = RECIPE_ABOUT[setup.recipe] ?? "";
    input("device").value = setup.device;
    for (const f of FIELDS) {
      const el = input(f.path);
      const v = get(setup.config, f.path);
      if (f.kind === "bool") el.checked = Boolean(v);
      else el.value = v == null ? "" : String(v);
      el.closest<HTMLElement>(".field")!.hidden = f.when ? !f.when(setup.config) : false;
    }
  };

  let check = 0;
  const changed = async () => {
    const mine = ++check;
    let local = false;
    for (const f of FIELDS) {
      const el = input(f.path);
      const field = el.closest<HTMLElement>(".field")!;
      if (field.hidden) continue;
      const r = parse(f.kind, el.value, el.checked);
      field.classList.toggle("invalid", "error" in r);
      el.setAttribute("aria-invalid", String("error" in r));
      field.querySelector(".field-error")!.textContent = "error" in r ? r.error : "";
      if ("error" in r) {
        local = true;
        if (more.contains(field)) more.open = true;
      }
      else set(setup.config, f.path, r.value);
    }
    // Settings that do not even read as settings (a design with an unknown layer kind, from a
    // hand-edited file or link) are the model's fault: marked as such, never thrown.
    const invalid = local ? null : await mnist.call("validate", setup.config).catch((e: Error) => ({ field: "model", message: e.message }));
    if (mine !== check) return;
    // Rust's verdict is marked at its field, like the form's own; the line under the form
    // points there (or says it, for a setting without a field).
    const field = invalid && form.querySelector<HTMLElement>(`[data-field="${invalid.field}"]`);
    if (field && invalid) {
      if (more.contains(field)) more.open = true;
      field.classList.add("invalid");
      field.querySelector("input, select")!.setAttribute("aria-invalid", "true");
      field.querySelector(".field-error")!.textContent = invalid.message;
    }
    const error = local ? "fix the marked fields"
      : !invalid ? null
      : field ? `fix the marked field: ${invalid.message}`
      : invalid.field === "model" ? `fix the model in cell 3: ${invalid.message}`
      : invalid.message;
    form.querySelector("#mnist-params-error")!.textContent = error ?? "";
    if (!local) toUrl(setup, opts.recipes);
    state.set({ setup: structuredClone(setup), settingsValid: error === null });
  };

  form.addEventListener("change", (event) => {
    const target = event.target as HTMLInputElement;
    if (target.name === "recipe") {
      // A recipe brings its model, unless the student has designed one: that stays.
      const recipe = pageDefaults(opts.recipes.get(target.value)!);
      const model = typeof setup.config.model === "string" ? recipe.model : setup.config.model;
      // The workers are the student's choice for this machine, not the recipe's.
      setup = { ...setup, recipe: target.value, config: { ...recipe, model, workers: setup.config.workers } };
    } else if (target.name === "device") {
      setup.device = target.value as Setup["device"];
    } else if (target.name.endsWith(".kind")) {
      set(setup.config, target.name, target.value);
    }
    if (target.name === "recipe" || target.name.endsWith(".kind")) fill();
    void changed();
  });
  form.addEventListener("input", () => void changed());
  form.addEventListener("submit", (e) => e.preventDefault());
  choose = (model) => {
    setup.config.model = model;
    void changed();
  };
  fill();
  void changed();
  state.watch((s) => s.runState !== "idle", (locked) => {
    form.querySelectorAll("input, select").forEach((el) => ((el as HTMLInputElement).disabled = locked));
  });
};
