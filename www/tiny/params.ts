// Cell 3: the experiment's settings. Each field is checked by the Rust validator; a bad value
// gets a message beside its field and the last good results stay on screen.
import { copyLinkButton, showIgnored } from "../share";
import { tiny } from "./client";
import { FIELDS, URL_PREFIX } from "./settings";
import type { TinyCell } from "./state";
import type { TinyConfig } from "./types";

/** Writes what differs from the sheet into the address, so a link reproduces the experiment. */
function toUrl(form: HTMLFormElement, defaults: TinyConfig): void {
  const q = new URLSearchParams(location.search);
  for (const f of FIELDS) {
    const text = (form.elements.namedItem(f.key) as HTMLInputElement).value.trim();
    if (text.replace(/\s+/g, "") !== f.show(defaults).replace(/\s+/g, "")) q.set(URL_PREFIX + f.key, text);
    else q.delete(URL_PREFIX + f.key);
  }
  history.replaceState(null, "", `${location.pathname}?${q}${location.hash}`);
}

/** Asks for a run (`requested`) with the settings in the form, once the engine accepts them:
 *  the first with the link's settings (the sheet's for any the link lacks or gets wrong). */
export const mountParams: TinyCell = (cell, state) => {
  const defaults = state.get().defaults;
  if (!defaults) throw new Error("Part 1's settings cell needs the sheet's defaults first");
  const form = cell.querySelector<HTMLFormElement>("#params")!;
  form.innerHTML =
    FIELDS.map((f) =>
      `<label class="field" data-field="${f.key}"><span>${f.label}</span>` +
      `<input name="${f.key}" value="${f.show(defaults)}" autocomplete="off" spellcheck="false" />` +
      `<small class="field-error" aria-live="polite"></small></label>`).join("") +
    `<div class="actions"><button type="submit">Train</button> <button type="button" data-reset>Excel defaults</button> </div>`;
  // The link holds the settings last trained (the address changes on Train).
  form.querySelector(".actions")!.append(copyLinkButton());

  const showError = (key: string | null, message = "") => {
    form.querySelectorAll<HTMLElement>(".field").forEach((el) => {
      const mine = el.dataset.field === key;
      el.classList.toggle("invalid", mine);
      el.querySelector(".field-error")!.textContent = mine ? message : "";
    });
  };

  const input = (key: string) => form.elements.namedItem(key) as HTMLInputElement;
  /** The form's settings, or the field at fault and why. */
  const read = async (): Promise<TinyConfig | { field: string; message: string }> => {
    const config: TinyConfig = structuredClone(defaults);
    for (const f of FIELDS) {
      const error = f.read(input(f.key).value, config);
      if (error) return { field: f.key, message: error };
    }
    return (await tiny.call("tinyValidate", config)) ?? config;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const r = await read();
    if ("field" in r) return showError(r.field, r.message);
    showError(null);
    toUrl(form, defaults);
    state.set({ requested: r });
  });

  // The link's settings: each one the engine refuses is named, and the sheet's value used.
  const q = new URLSearchParams(location.search);
  const ignored: string[] = [];
  for (const f of FIELDS) if (q.has(URL_PREFIX + f.key)) input(f.key).value = q.get(URL_PREFIX + f.key)!;
  void (async () => {
    for (let r = await read(); "field" in r; r = await read()) {
      const name = URL_PREFIX + r.field;
      if (!q.has(name) || ignored.some((i) => i.startsWith(`${name}=`))) break;
      ignored.push(`${name}=${q.get(name)} (${r.message})`);
      input(r.field).value = FIELDS.find((f) => f.key === r.field)!.show(defaults);
    }
    showIgnored(cell.querySelector<HTMLElement>("#tiny-url-note")!, ignored);
    form.requestSubmit();
  })().catch(() => {
    // No engine to check them with: the status line says why (www/tiny/main.ts).
  });
  form.querySelector("[data-reset]")!.addEventListener("click", () => {
    for (const f of FIELDS) (form.elements.namedItem(f.key) as HTMLInputElement).value = f.show(defaults);
    form.requestSubmit();
  });
};
