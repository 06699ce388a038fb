// Part 1's settings as one table: each field's name (its key in the address, after
// URL_PREFIX, and the field of Rust's `Invalid`), its label, how its text reads into a TinyConfig and
// how a config shows in it. The form and the link read it (params.ts); the rules on values are
// the Rust core's (`tinyValidate`).
import type { TinyConfig } from "./types";

export interface Field {
  key: string; // matches Invalid.field
  label: string;
  read: (input: string, into: TinyConfig) => string | null; // error message or null
  show: (c: TinyConfig) => string;
}

/** The numbers in `text`, comma-separated ("0.1, 0.5"); or, written with decimal commas,
 *  separated by spaces or semicolons ("0,1 0,5", "0,1; 0,5"). */
export function parseList(text: string, count?: number): number[] | string {
  const groups = text.trim().split(/[\s;]+/).filter((s) => s !== "");
  const decimalCommas = !text.includes(".") && groups.length > 0 && groups.every((g) => /^[-+]?\d+,\d+$/.test(g)) &&
    (groups.length > 1 || text.includes(";"));
  const parts = decimalCommas ? groups.map((g) => g.replace(",", ".")) : text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (count !== undefined && parts.length !== count) return `expected ${count} comma-separated numbers`;
  const values = parts.map(Number);
  const bad = parts.find((p, i) => p === "" || Number.isNaN(values[i]));
  return bad !== undefined ? `"${bad}" is not a number` : values;
}

function listField(key: string, label: string, count: number | undefined, set: (c: TinyConfig, v: number[]) => void, get: (c: TinyConfig) => number[]): Field {
  return {
    key, label,
    read: (text, c) => {
      const v = parseList(text, count);
      if (typeof v === "string") return v;
      set(c, v);
      return null;
    },
    show: (c) => get(c).join(", "),
  };
}

export const FIELDS: Field[] = [
  listField("inputs", "Inputs i1, i2", 2, (c, v) => (c.inputs = [v[0], v[1]]), (c) => c.inputs),
  listField("targets", "Targets t1, t2", 2, (c, v) => (c.targets = [v[0], v[1]]), (c) => c.targets),
  listField("weights", "Initial weights w1 … w8", 8, (c, v) => (c.weights = v as TinyConfig["weights"]), (c) => c.weights),
  {
    key: "bias", label: "Fixed biases b1, b2 (empty: none)",
    read: (text, c) => {
      if (text.trim() === "") { c.bias = null; return null; }
      const v = parseList(text, 2);
      if (typeof v === "string") return v;
      c.bias = [v[0], v[1]];
      return null;
    },
    show: (c) => (c.bias ? c.bias.join(", ") : ""),
  },
  listField("learningRates", "Learning rates", undefined, (c, v) => (c.learningRates = v), (c) => c.learningRates),
  {
    key: "iterations", label: "Iterations",
    read: (text, c) => {
      const v = Number(text.trim());
      if (text.trim() === "" || !Number.isInteger(v)) return "must be a whole number";
      c.iterations = v;
      return null;
    },
    show: (c) => String(c.iterations),
  },
];

/** A setting's name in the page's address: Part 1's are prefixed, Part 2's are not. */
export const URL_PREFIX = "tiny.";
