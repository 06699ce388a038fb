// Part 1's shapes, generated from the Rust core's types (src/tiny/, src/boundary.rs) into
// www/generated/engine.ts.
export type { BurnRun, Cell, Column, Conclusion, ExactRun, Explanation, Factor, Formula, Invalid, Node, Path, Piece, Row, TinyConfig, Trace } from "../generated/engine";
export { ROW_COLUMNS, TINY_DEFAULTS } from "../generated/engine";
import type { Column, Row } from "../generated/engine";

/** The number `column` names in `row`. */
export function cell(row: Row, column: Column): number {
  const at = row[column.field] as number | number[];
  return column.index === null ? (at as number) : (at as number[])[column.index];
}
