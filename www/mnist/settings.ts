// Part 2's settings as one table: each setting's path into TrainConfig (which is also its name
// in the page's address), its label, its kind and when it applies. The form (params.ts) and the
// address (address.ts) both read it; the rules on values are the Rust core's (`validate`).
import { OPTIMIZER_KINDS, SCHEDULE_KINDS, INTERPOLATIONS, WORKER_LIMITS } from "../generated/engine";
import type { TrainConfig } from "./protocol";

export type Kind = "number" | "int" | "bool" | "optional-int" | { options: string[] };

/** Every path into settings of type `T` ("lr", "optimizer.momentum"), each variant of a union
 *  with its own fields, two levels deep: a field Rust renames fails `tsc` here. */
type Paths<T, Depth extends unknown[] = []> = T extends object
  ? T extends readonly unknown[] ? never
  : { [K in keyof T & string]: K | (Depth["length"] extends 1 ? never : `${K}.${Paths<T[K], [...Depth, unknown]>}`) }[keyof T & string]
  : never;

export interface Field {
  path: Paths<TrainConfig>; // into TrainConfig, e.g. "optimizer.momentum"
  label: string;
  kind: Kind;
  /** Shown only when this holds (e.g. momentum only for SGD). */
  when?: (c: TrainConfig) => boolean;
}

const sgd = (c: TrainConfig) => c.optimizer.kind === "sgd";
export const FIELDS: Field[] = [
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
export const FIRST = new Set(["epochs", "batchSize", "lr", "workers", "seed", "limitTrain", "limitTest"]);

/** What the page sets differently from a recipe: it reads the running loss back more often than
 *  the CLI does, for a livelier plot, and shares each batch between one worker per core (of
 *  `cores`, the browser's `navigator.hardwareConcurrency`). */
export function pageDefaults(recipe: TrainConfig, cores: number): TrainConfig {
  const workers = Math.max(1, Math.min(cores || 1, WORKER_LIMITS.defaultCap));
  return { ...structuredClone(recipe), reportEvery: 10, workers };
}

/** Switching an optimizer or schedule kind brings that kind's settings (the Rust core's). */
const KIND_DEFAULTS: Record<string, object> = Object.fromEntries([...OPTIMIZER_KINDS, ...SCHEDULE_KINDS].map((k) => [k.kind, k]));

export function get(c: TrainConfig, path: string): unknown {
  return path.split(".").reduce<any>((o, k) => o?.[k], c);
}

export function set(c: TrainConfig, path: string, value: unknown): void {
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
export function parse(kind: Kind, text: string, checked: boolean): { value: unknown } | { error: string } {
  if (kind === "bool") return { value: checked };
  if (typeof kind === "object") return { value: text };
  const t = text.trim();
  if (kind === "optional-int" && t === "") return { value: null };
  const v = Number(t);
  if (t === "" || !Number.isFinite(v)) return { error: `"${text}" is not a number` };
  if (kind !== "number" && !(Number.isInteger(v) && v >= 0)) return { error: "must be a whole number, 0 or more" };
  return { value: v };
}
