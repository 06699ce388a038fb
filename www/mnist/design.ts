// A model as the settings hold it: a built-in one by name ("compact"), or a student's design
// (its name and layers, as src/mnist/model/mod.rs defines them).
import type { ModelChoice, ModelInfo, ModelSpec } from "./protocol";

export const modelName = (m: ModelChoice): string => (typeof m === "string" ? m : m.name);

/** The name, about line and layers of `m`: a design's own, a built-in model's from the
 *  engine's list. */
export function specOf(m: ModelChoice, models: ModelInfo[]): ModelSpec {
  if (typeof m !== "string") return m;
  const info = models.find((i) => i.name === m)!;
  return { name: info.name, about: info.about, layers: info.layers };
}

/** Whether two choices are the same model (a design compared by value). */
export const sameModel = (a: ModelChoice | undefined, b: ModelChoice | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);
