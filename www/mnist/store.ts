// Runs kept in IndexedDB: settings, every finished epoch's metrics and the run's latest
// checkpoint. A run still marked "running" after a reload is one the page can offer to resume.
import { timeOfDay } from "../format";
import { modelName } from "./design";
import { askToKeep } from "./keep";
import { runsChanged } from "./owners";
import { RUNS_DB } from "./runs-db";
import type { Backend, EpochMetrics, Place, TestPoint, TrainConfig } from "./protocol";

export interface RunRecord {
  id: number;
  recipe: string;
  config: TrainConfig;
  backend: Backend;
  epochs: EpochMetrics[];
  /** Every test so far, with the run's time (absent in records from before these were kept). */
  tests?: TestPoint[];
  /** The run's latest checkpoint: weights, optimizer state and place, to resume exactly. */
  checkpoint: Uint8Array | null;
  /** Where it was taken; absent in records from before exact resuming (weights after the last
   *  finished epoch). */
  checkpointAt?: Place;
  status: "running" | "completed" | "stopped" | "diverged" | "failed";
  created: number;
}

const STORE = RUNS_DB.store;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(RUNS_DB.name, RUNS_DB.version);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise((resolve, reject) => {
    const request = work(db.transaction(STORE, mode).objectStore(STORE));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).finally(() => db.close()) as Promise<T>;
}

/** Every change is told to the other tabs (www/mnist/owners.ts), whose tables follow. */
export const saveRun = (run: RunRecord) => {
  void askToKeep(); // once, at the first run saved (www/mnist/keep.ts)
  return tx("readwrite", (s) => s.put(run)).then(runsChanged);
};
export const deleteRun = (id: number) => tx("readwrite", (s) => s.delete(id)).then(runsChanged);
export const listRuns = async () => (await tx<RunRecord[]>("readonly", (s) => s.getAll())).sort((a, b) => a.id - b.id);

/** How a run is named in the compare table and plot: enough settings that two different runs
 *  never read alike, and the time to the second. */
export function runLabel(r: RunRecord): string {
  const c = r.config;
  const when = timeOfDay(r.created);
  const images = c.limitTrain === null ? "60k img" : `${c.limitTrain} img`;
  const augmented = Object.values(c.augment).some((v) => typeof v === "number" && v !== 0) ? "aug" : "no aug";
  // The model, unless the recipe is named after it.
  const model = modelName(c.model) === r.recipe ? [] : [`model ${modelName(c.model)}`];
  return [r.recipe, ...model, c.optimizer.kind, `${c.epochs} ep`, `bs ${c.batchSize}`, `lr ${c.lr}`, images, augmented, `seed ${c.seed}`, r.backend === "wgpu" ? "WebGPU" : `CPU${(c.workers ?? 1) > 1 ? ` × ${c.workers}` : ""}`, when].join(" · ");
}
