// The notebook page: asks the engine worker for results and hands them to the cells.
// Each cell lives in its own module under www/tiny/; this file only wires them together.
import "./style.css";
import { sheet, trainer } from "./engine";
import { typesetInline } from "./math";
import { enableOffline } from "./offline";
import { mountAutodiff, showBurn, showBurnError, showBurnPending } from "./tiny/autodiff";
import { drawConclusion } from "./tiny/conclusion";
import { mountDiagram } from "./tiny/diagram";
import { mountEquations } from "./tiny/equations";
import { drawLossPlot } from "./tiny/lossplot";
import { mountParams } from "./tiny/params";
import { mountScrubber } from "./tiny/scrubber";
import { select, selection } from "./tiny/selection";
import { mountTable } from "./tiny/table";
import type { TinyConfig, Trace } from "./tiny/types";

const status = document.getElementById("status")!;
// The config the traces on screen were trained with; a rejected edit never replaces it.
let shown: TinyConfig;
// Each Train press supersedes the previous one's burn run, whose result is then dropped.
let generation = 0;

function setStatus(text: string, kind: "ok" | "busy" | "error" = "ok"): void {
  status.textContent = text;
  status.dataset.kind = kind;
}

async function train(config: TinyConfig): Promise<void> {
  const mine = ++generation;
  setStatus("Training on the exact path…", "busy");
  let exact: Trace[];
  try {
    exact = await sheet.call("tinyExact", config);
  } catch (e) {
    setStatus(`Training failed: ${(e as Error).message}`, "error");
    return;
  }
  if (mine !== generation) return;
  shown = config;
  select({ traces: exact, lrIndex: Math.min(selection().lrIndex, exact.length - 1), iteration: 0 });
  drawLossPlot(exact);
  drawConclusion(exact);
  setStatus(`Ready: ${exact.length} learning rates × ${config.iterations} iterations.`);

  // The autodiff check has its own cell and its own progress: on a software GPU it takes a while.
  showBurnPending("burn is training the same networks…");
  if (trainer.busy) trainer.restart();
  try {
    // WebGPU where the browser has it; the engine falls back to the CPU and says why.
    const run = await trainer.call("tinyBurn", config, "wgpu");
    if (mine === generation) showBurn(run, exact);
  } catch (e) {
    if (mine === generation) showBurnError((e as Error).message);
  }
}

async function exportCsv(): Promise<void> {
  const csv = await sheet.call("tinyCsv", selection().traces);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  link.download = "gradbook-tiny.csv";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

async function start(): Promise<void> {
  enableOffline();
  typesetInline();
  let defaults: TinyConfig;
  try {
    defaults = await sheet.call("tinyDefaults");
  } catch (e) {
    setStatus(`The engine did not load: ${(e as Error).message}`, "error");
    return;
  }
  shown = defaults;
  mountScrubber();
  mountDiagram(() => shown);
  mountEquations(() => shown);
  mountTable();
  mountAutodiff();
  mountParams(defaults, (c) => sheet.call("tinyValidate", c), (c) => void train(c));
  document.getElementById("export-csv")!.addEventListener("click", () => {
    exportCsv().catch((e) => setStatus(`CSV export failed: ${(e as Error).message}`, "error"));
  });
  await train(defaults);
}

void start();
