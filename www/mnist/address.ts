// Part 2's setup in the page's address, both ways: a link reproduces the exact setup (the
// recipe, what differs from it, the model, the device), and what a link gets wrong is named and
// skipped while the rest applies. Pure: the query string in, the query string out.
import { PREFERENCES, type Preference } from "../generated/engine";
import { URL_PREFIX as TINY_URL_PREFIX } from "../tiny/settings";
import { sameModel } from "./design";
import { FIELDS, get, pageDefaults, parse, set } from "./settings";
import type { Setup } from "./state";
import type { ModelChoice, TrainConfig } from "./protocol";

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

/** The setup in the query `q` (recipe plus what differs from it), or `compact`'s; and what of
 *  it could not be used, each as "name=value (why)". The rest of the link still applies. */
export function readAddress(q: URLSearchParams, recipes: Map<string, TrainConfig>, models: string[], cores: number): { setup: Setup; ignored: string[] } {
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
  const config = pageDefaults(recipes.get(recipe)!, cores);
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
  const preference = (d: string): d is Preference => (PREFERENCES as readonly string[]).includes(d);
  if (!preference(device)) skip("device", `not one of ${PREFERENCES.join(", ")}`);
  const known = new Set(["recipe", "device", "model", ...FIELDS.map((f) => f.path)]);
  // Part 1's settings (tiny.*) share the address; they are its to read.
  for (const name of new Set(q.keys())) if (!known.has(name) && !name.startsWith(TINY_URL_PREFIX)) skip(name, "not a setting");
  return { setup: { recipe, config, device: preference(device) ? device : "auto" }, ignored };
}

/** The query `before` with `s` written in: what differs from its recipe's page defaults. */
export function writeAddress(s: Setup, recipes: Map<string, TrainConfig>, before: URLSearchParams, cores: number): URLSearchParams {
  const q = new URLSearchParams(before);
  const base = pageDefaults(recipes.get(s.recipe)!, cores);
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
  return q;
}
