// Part 2 of the notebook: mounts each cell (a module beside this one) on its section with the
// part's shared state, then hands over to the run's life cycle (www/mnist/run.ts).
import { mnist } from "./client";
import { mountCompare } from "./compare";
import { mountData } from "./data";
import { mountEditor } from "./editor";
import { MNIST_CACHE } from "./files";
import { mountModel } from "./model";
import { mountParams } from "./params";
import { mountResults } from "./results";
import { begin } from "./run";
import { mountSketch } from "./sketch";
import { part2, type MnistCell } from "./state";
import { mountTraining } from "./training";

/** Each cell and the section it lives in. The settings come before the cells that show them. */
const CELLS: [string, MnistCell][] = [
  ["cell-mnist-params", mountParams],
  ["cell-mnist-data", mountData],
  ["cell-mnist-model", mountModel],
  ["cell-mnist-design", mountEditor],
  ["cell-mnist-train", mountTraining],
  ["cell-mnist-results", mountResults],
  ["cell-mnist-try", mountSketch],
  ["cell-mnist-compare", mountCompare],
];

async function start(): Promise<void> {
  const [models, recipes] = await Promise.all([mnist.call("models"), mnist.call("recipes")]);
  part2.set({ models, recipes });
  for (const [id, mount] of CELLS) mount(document.getElementById(id)!, part2);
  await begin(MNIST_CACHE);
  // Part 2's controls answer from here on: before, a click would have gone nowhere.
  for (const el of document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>("[data-until-ready]")) {
    el.disabled = false;
    el.removeAttribute("data-until-ready");
  }
  // The engine's handle for scripts driving the page (bench/notebook-mnist.mjs) and the console.
  (globalThis as { gradbook?: unknown }).gradbook = { mnist };
  document.body.dataset.mnistReady = "true";
}

/** Sets up Part 2, saying so in its first cell if it cannot. */
export function startPart2(): void {
  start().catch((e) => {
    const status = document.getElementById("mnist-data-status")!;
    status.textContent = `Part 2 could not start: ${(e as Error).message}`;
    status.className = "error";
  });
}
