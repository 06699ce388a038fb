// What the student is looking at: one learning rate's trace and one iteration of it.
// Cells subscribe; the scrubber and the table tabs publish.
import type { Trace } from "./types";

export interface Selection {
  traces: Trace[];
  lrIndex: number;
  iteration: number;
}

type Listener = (s: Selection) => void;
const listeners: Listener[] = [];
let current: Selection = { traces: [], lrIndex: 0, iteration: 0 };

export function selection(): Selection {
  return current;
}

export function subscribe(listener: Listener): void {
  listeners.push(listener);
  if (current.traces.length) listener(current);
}

export function select(change: Partial<Selection>): void {
  current = { ...current, ...change };
  const rows = current.traces[current.lrIndex]?.rows.length ?? 1;
  current.iteration = Math.min(Math.max(0, current.iteration), rows - 1);
  for (const l of listeners) l(current);
}
