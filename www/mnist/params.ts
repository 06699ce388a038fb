// Cell 4: the hyperparameters. The recipe gives the defaults; every edit is checked (here for
// the number's form, then by the Rust validator) and written into the page's URL, so a link
// reproduces the exact setup.
import { RECIPE_ABOUT } from "../generated/engine";
import { copyLinkButton, showIgnored } from "../share";
import { readAddress, writeAddress } from "./address";
import { mnist } from "./client";
import { FIELDS, FIRST, get, pageDefaults, parse, set, type Field } from "./settings";
import type { MnistCell, Setup } from "./state";
import type { ModelChoice, TrainConfig } from "./protocol";

const cores = () => navigator.hardwareConcurrency;

function toUrl(s: Setup, recipes: Map<string, TrainConfig>): void {
  const q = writeAddress(s, recipes, new URLSearchParams(location.search), cores());
  history.replaceState(null, "", `${location.pathname}?${q}${location.hash}`);
}

/** Builds the form from the recipes; each change writes the setup (a fresh copy) and whether
 *  it can train. The form is locked while a run trains. */
export const mountParams: MnistCell = (cell, state) => {
  const opts = { recipes: new Map<string, TrainConfig>(state.get().recipes) };
  const form = cell.querySelector<HTMLFormElement>("#mnist-params")!;
  const fromLink = readAddress(new URLSearchParams(location.search), opts.recipes, state.get().models.map((m) => m.name), cores());
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
  showIgnored(note, fromLink.ignored);
  // A design in the link that the engine cannot read is named there too, and the recipe's
  // model is used instead.
  const linked = setup.config.model;
  if (typeof linked !== "string") {
    mnist.call("checkModel", linked).catch((e: Error) => {
      const text = new URLSearchParams(location.search).get("model") ?? "";
      fromLink.ignored.push(`model=${text.length > 60 ? `${text.slice(0, 57)}…` : text} (${e.message})`);
      showIgnored(note, fromLink.ignored);
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
      const recipe = pageDefaults(opts.recipes.get(target.value)!, cores());
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
  // The editor's model is the one the settings train (checked like every other setting).
  const choose = (model: ModelChoice) => {
    setup.config.model = model;
    void changed();
  };
  state.watch((s) => s.designed, (model) => model && choose(model));
  fill();
  void changed();
  state.watch((s) => s.runState !== "idle", (locked) => {
    form.querySelectorAll("input, select").forEach((el) => ((el as HTMLInputElement).disabled = locked));
  });
};
