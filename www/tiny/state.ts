// Part 1's state, which its cells share: the settings and their traces, what the traces show,
// burn's check of them, and what the student is looking at (one learning rate's trace and one
// iteration of it). The scrubber and the table publish the selection; the others show it.
import { State } from "../state";
import type { BurnRun, Conclusion, Explanation, Row, TinyConfig, Trace } from "./types";

export type BurnCheck =
  | { kind: "none" }
  | { kind: "pending"; message: string }
  | { kind: "failed"; message: string }
  | { kind: "done"; run: BurnRun; exact: Trace[] };

export interface TinyState {
  /** The sheet's settings, for "Excel defaults". */
  defaults: TinyConfig | null;
  /** The settings the traces on screen were trained with; a rejected edit never replaces them. */
  config: TinyConfig | null;
  traces: Trace[];
  conclusion: Conclusion | null;
  lrIndex: number;
  iteration: number;
  burn: BurnCheck;
  /** Settings the student asked to train (the parameters cell writes them, the part trains). */
  requested: TinyConfig | null;
  /** The weight whose gradient paths are shown (0-based), if one is pointed at. */
  weight: number | null;
  /** A place on the diagram to mark for a moment ("o1", "w5"): a factor pointed at. */
  spot: string | null;
  /** The step-through's position in `steps(explained)`, while it is on. */
  step: number | null;
  /** The column of the selected row asked "where do you come from?". */
  feeds: string | null;
  /** Where each number of the selected iteration comes from (src/tiny/explain.rs). */
  explained: Explanation | null;
}

export type TinyCell = (root: HTMLElement, state: State<TinyState>) => void;

export function newTinyState(): State<TinyState> {
  return new State<TinyState>({
    defaults: null, config: null, traces: [], conclusion: null, lrIndex: 0, iteration: 0, burn: { kind: "none" }, requested: null,
    weight: null, spot: null, step: null, feeds: null, explained: null,
  });
}

/** Moves the selection, kept inside the traces. */
export function select(state: State<TinyState>, change: { lrIndex?: number; iteration?: number }): void {
  const s = { ...state.get(), ...change };
  const lrIndex = Math.min(Math.max(0, s.lrIndex), Math.max(0, s.traces.length - 1));
  const rows = s.traces[lrIndex]?.rows.length ?? 1;
  state.set({ lrIndex, iteration: Math.min(Math.max(0, s.iteration), rows - 1) });
}

/** The row the student is looking at, if there are traces. */
export function selectedRow(s: TinyState): Row | undefined {
  return s.traces[s.lrIndex]?.rows[s.iteration];
}
