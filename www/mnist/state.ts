// Part 2's state, which its cells share: the models and recipes, the settings chosen, the
// data, the run under way as the training cell shows it, the results on screen and the stored
// runs. The run's life cycle (www/mnist/run.ts) writes most of it; the cells show it.
import { State } from "../state";
import type { Preference } from "../generated/engine";
import type { Backend, DesignCheck, DownloadEvent, EpochMetrics, Evaluation, ModelChoice, ModelInfo, ModelSpec, Progress, TestPoint, TrainConfig } from "./protocol";
import type { RunRecord } from "./store";

export interface Setup {
  recipe: string;
  config: TrainConfig;
  device: Preference;
}

/** "stopping": Stop was pressed; the run ends after the step under way. */
export type RunState = "idle" | "running" | "paused" | "stopping";

export type DataStatus =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "loaded"; train: number; test: number; cached: boolean }
  | { kind: "failed"; message: string };

export interface MnistState {
  models: ModelInfo[];
  recipes: [string, TrainConfig][];
  /** What the settings cell holds (a fresh object per change), and whether it can train. */
  setup: Setup | null;
  settingsValid: boolean;
  /** The model on the editor's screen (cell 3), a fresh value per edit: the settings (cell 4)
   *  train it. */
  designed: ModelChoice | null;
  /** The settings' model as the engine checked it (cell 3 asks after every edit). */
  design: { spec: ModelSpec; check: DesignCheck } | null;
  data: DataStatus;
  download: DownloadEvent | null;
  runState: RunState;
  device: { backend: Backend; detail: string } | null;
  /** Which run the training cell shows: a new number clears its plots (`null` before any run,
   *  when the empty plots stay out of the way). Its epochs and log grow as new arrays; the cell
   *  draws what was added. */
  view: number | null;
  epochs: EpochMetrics[];
  /** The run's tests so far (each epoch's, and any within its last epoch). */
  tests: TestPoint[];
  log: string[];
  progress: Progress | null;
  /** What the results cell shows: the last run's test, or a loaded model's. */
  evaluation: Evaluation | null;
  runs: RunRecord[];
  /** The stored runs another tab is training now (www/mnist/owners.ts). */
  elsewhere: number[];
  /** How much the browser keeps of this page, and whether it may evict it (cell 8 shows it). */
  storage: string;
  /** The run this tab trains, while it does. */
  current: RunUnderWay | null;
  /** The model the engine holds (the last trained or loaded): what a download is named after. */
  held: string | null;
  /** What became of the last weights downloaded or loaded (cell 5 shows it). */
  weightsNote: { text: string; kind: "ok" | "error" } | null;
  /** A run a closed or reloaded page left unfinished, offered for resuming (cell 5). */
  interrupted: { run: RunRecord; message: string } | null;
}

/** The run this tab trains. Its record is the stored one, grown in place as epochs come in
 *  (the cells read the copies in `epochs`, `tests` and `log`). */
export interface RunUnderWay {
  record: RunRecord;
  /** Whether the run has said how long it will take. */
  estimated: boolean;
  /** Why the run changed device mid-run ("" when it did not), for the badge. */
  switchedBecause: string;
}

export type MnistCell = (root: HTMLElement, state: State<MnistState>) => void;

export const part2 = new State<MnistState>({
  models: [], recipes: [], setup: null, settingsValid: false, designed: null, design: null, data: { kind: "idle" }, download: null,
  runState: "idle", device: null, view: null, epochs: [], tests: [], log: [], progress: null, evaluation: null, runs: [], elsewhere: [],
  storage: "", current: null, held: null, weightsNote: null, interrupted: null,
});

/** Adds `lines` to the training log of the run on screen. */
export function log(...lines: string[]): void {
  part2.set({ log: [...part2.get().log, ...lines] });
}

/** The seed notebook's two log lines for a finished epoch. */
export function epochLines(m: EpochMetrics): string[] {
  return [
    `TRAIN set: Average loss: ${m.trainLoss.toFixed(4)}, Train Accuracy: ${m.trainAccuracy.toFixed(2)}%`,
    `TEST set: Average loss: ${m.testLoss.toFixed(4)}, Test Accuracy: ${m.testAccuracy.toFixed(2)}%  (${m.seconds.toFixed(1)} s)`,
  ];
}
