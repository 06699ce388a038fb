// A formula from the engine (src/tiny/explain.rs `Piece`s) written out for the page: in symbols
// ("δo1 · a_h1") or with the numbers put in ("0.1384 · 0.5933").
import { fmt } from "../format";
import type { Formula, Piece } from "./types";

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** The formula in the sheet's names. */
export function symbols(pieces: Piece[]): string {
  return escape(pieces.map((p) => p.text).join(""));
}

/** The formula with each name's value, a negative one in parentheses after an operator. */
export function numbers(pieces: Piece[], digits = 6): string {
  return escape(pieces.map((p, i) => {
    if (p.value === null) return p.text;
    const text = fmt(p.value, digits).replace("-", "−");
    return p.value < 0 && i > 0 ? `(${text})` : text;
  }).join(""));
}

/** "h1 = i1·w1 + i2·w2 = 0.05·0.15 + 0.1·0.2 = 0.0275": a formula in one line. A value
 *  that is only its own name again (a starting weight) is said once. */
export function sentence(f: Formula, digits = 9): string {
  const value = fmt(f.value, digits).replace("-", "−");
  if (f.pass === "given") return `${escape(f.label)} = ${value}, the sheet's starting value`;
  return `${escape(f.label)} = ${symbols(f.pieces)} = ${numbers(f.pieces)} = ${value}`;
}
