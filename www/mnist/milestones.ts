// When a run's test accuracy first reached the exercise's milestones (99 %, 99.4 %: the Rust
// core's MILESTONES), as the training cell says it. The CLI's report says the same in its words
// (src/bin/gradbook/mnist.rs).
import { MILESTONES } from "../generated/engine";
import type { TestPoint } from "./protocol";

/** A sentence (HTML) saying when `tests` first reached each milestone, in the run's own time:
 *  its training and tests, not its pauses, nor its setup before the first step (the replicas
 *  starting: a few tenths of a second of a student's wait from Start, docs/results.md). Each
 *  time is marked `data-milestone`. `going`: whether the run may still reach the others. */
export function milestonesText(tests: TestPoint[], going: boolean): string {
  if (tests.length === 0) return "";
  const reached: string[] = [];
  const missed: string[] = [];
  for (const m of MILESTONES) {
    const t = tests.find((t) => t.accuracy >= m);
    if (!t) missed.push(`${m}%`);
    else reached.push(`${m}% after <strong data-milestone="${m}">${t.seconds.toFixed(1)} s</strong> (epoch ${(t.epoch - 1 + t.batch / t.batches).toFixed(2)})`);
  }
  const others = missed.join(" or ");
  if (reached.length === 0) return going ? `Test accuracy has not reached ${others} yet.` : `Test accuracy did not reach ${others}.`;
  const not = missed.length === 0 ? "" : going ? `; not yet ${others}` : `; it did not reach ${others}`;
  return `Test accuracy reached ${reached.join(" and ")}${not}.`;
}
