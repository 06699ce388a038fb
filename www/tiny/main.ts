// Part 1 of the notebook: mounts each cell (a module beside this one) on its section with the
// part's shared state, and trains what the parameters cell asks for — the exact path first,
// then burn's autodiff check, on the page's engine worker.
import { EngineRestarted } from "../engine";
import type { EngineLoaded } from "../protocol";
import { saveFile } from "../share";
import { tiny } from "./client";
import { mountAddress } from "./address";
import { mountAutodiff } from "./autodiff";
import { mountConclusion } from "./conclusion";
import { mountDiagram } from "./diagram";
import { mountEquations } from "./equations";
import { mountExplainer } from "./explainer";
import { mountFeeds } from "./feeds";
import { mountGraph } from "./graph";
import { mountPaths } from "./paths";
import { mountStepper } from "./stepper";
import { mountLossPlot } from "./lossplot";
import { mountParams } from "./params";
import { mountScrubber } from "./scrubber";
import { newTinyState, select, type TinyCell } from "./state";
import { mountTable } from "./table";
import { TINY_DEFAULTS, type TinyConfig } from "./types";

const status = document.getElementById("status")!;
const state = newTinyState();
// Each Train press supersedes the previous one's burn run, whose result is then dropped.
let generation = 0;

let shown: () => void = () => {};
/** Settles once Part 1's first run is on screen, or has failed to be: what a visitor sees
 *  first, so the page sets up Part 2 after it (www/main.ts). */
export const firstShown = new Promise<void>((resolve) => (shown = resolve));

/** Each cell and the section it lives in. */
const CELLS: [string, TinyCell][] = [
  ["cell-network", mountScrubber],
  ["cell-network", mountAddress],
  ["cell-network", mountExplainer],
  ["cell-network", mountDiagram],
  ["cell-network", mountPaths],
  ["cell-network", mountStepper],
  ["cell-equations", mountEquations],
  ["cell-params", mountParams],
  ["cell-table", mountFeeds],
  ["cell-table", mountTable],
  ["cell-loss", mountLossPlot],
  ["cell-autodiff", mountAutodiff],
  ["cell-graph", mountGraph],
  ["cell-conclusion", mountConclusion],
];

function setStatus(text: string, kind: "ok" | "busy" | "error" = "ok"): void {
  status.textContent = text;
  status.dataset.kind = kind;
}

/** `again`: this is the one retry after the engine was restarted under the first try. */
async function train(config: TinyConfig, again = false): Promise<void> {
  const mine = ++generation;
  setStatus("Training on the exact path…", "busy");
  let run;
  try {
    run = await tiny.call("tinyExact", config);
  } catch (e) {
    if (e instanceof EngineRestarted && !again && mine === generation) return void train(config, true);
    setStatus(`Training failed: ${(e as Error).message}`, "error");
    shown();
    return;
  }
  if (mine !== generation) return;
  const n = run.traces.length;
  state.set({ config, traces: run.traces, conclusion: run.conclusion, iteration: 0 });
  select(state, {});
  setStatus(`Ready: ${n} learning rate${n === 1 ? "" : "s"} × ${config.iterations} iterations.`);
  // After the browser has drawn it.
  requestAnimationFrame(() => setTimeout(shown, 0));

  // The autodiff check has its own cell and its own progress: on a software GPU it takes a while.
  state.set({ burn: { kind: "pending", message: "burn is training the same networks…" } });
  try {
    // WebGPU where the browser has it; the engine falls back to the CPU and says why. Asking
    // for this run stops the one before it, if it is still going.
    const burn = await tiny.call("tinyBurn", config, "wgpu");
    if (mine === generation) state.set({ burn: { kind: "done", run: burn, exact: run.traces } });
  } catch (e) {
    if (mine !== generation) return;
    // The engine was restarted under it (by Part 2, after a GPU failure): ask again.
    if (e instanceof EngineRestarted && !again) return void train(config, true);
    state.set({ burn: { kind: "failed", message: (e as Error).message } });
  }
}

/** How far burn's run is, in the autodiff cell's words. */
function onBurnProgress({ done, total }: { done: number; total: number }): void {
  if (state.get().burn.kind !== "pending") return;
  const percent = Math.floor((100 * done) / Math.max(total, 1));
  state.set({ burn: { kind: "pending", message: `burn is training the same networks… iteration ${done} of ${total} (${percent}%)` } });
}

async function exportCsv(): Promise<void> {
  const csv = await tiny.call("tinyCsv", state.get().traces);
  saveFile("gradbook-tiny.csv", csv, "text/csv");
}

/** Lays the cells out with the sheet's settings (from the Rust core, generated) while the
 *  engine is still loading; the first run waits for it. */
function start(): void {
  state.set({ defaults: TINY_DEFAULTS, config: TINY_DEFAULTS });
  tiny.on("tinyProgress", onBurnProgress);
  // Nothing runs without the engine: its failure is this part's status, not a wait forever.
  tiny.on("engine", (loaded: EngineLoaded) => "error" in loaded && setStatus(`${loaded.error[0].toUpperCase()}${loaded.error.slice(1)}.`, "error"));
  for (const [id, mount] of CELLS) mount(document.getElementById(id)!, state);
  document.getElementById("export-csv")!.addEventListener("click", () => {
    exportCsv().catch((e) => setStatus(`CSV export failed: ${(e as Error).message}`, "error"));
  });
  // The parameters cell asks for the first run too, with the link's settings.
  state.watch((s) => s.requested, (config) => {
    if (config) void train(config);
  });
}

start();
