// Cell 1: the data. Download progress, then a grid of training digits beside the same digits
// as the augmentation sees them, re-drawn with each click.
import { mnist, DATA_URL } from "./client";
import { digitCanvas } from "./digits";
import type { Augment, DownloadEvent } from "./protocol";

const SAMPLES = 16;
const root = () => document.getElementById("mnist-data")!;
let draw = 0;

export function showDownload(e: DownloadEvent): void {
  const bar = root().querySelector<HTMLProgressElement>(`progress[data-file="${e.file}"]`);
  if (!bar) return;
  if (e.total) bar.max = e.total;
  bar.value = e.loaded;
  // The label files are 5 kB and 29 kB: kilobytes until a megabyte.
  bar.nextElementSibling!.textContent = e.loaded < 1e6 ? `${Math.round(e.loaded / 1e3)} kB` : `${(e.loaded / 1e6).toFixed(1)} MB`;
}

/** Fetches (or takes from the cache) and parses the files; resolves when the engine has them. */
export async function loadData(files: string[]): Promise<boolean> {
  const el = root();
  el.querySelector(".downloads")!.innerHTML = files
    .map((f) => `<div class="download"><code>${f}</code> <progress data-file="${f}" value="0"></progress> <span></span></div>`)
    .join("");
  const status = el.querySelector(".data-status")!;
  status.className = "data-status pending";
  status.textContent = "Loading MNIST…";
  try {
    const r = await mnist.call("load", DATA_URL);
    status.className = "data-status";
    status.textContent = `${r.train.toLocaleString()} training and ${r.test.toLocaleString()} test images` +
      (r.cached ? " (from this browser's cache)." : ", now cached in this browser.");
    el.querySelector(".downloads")!.innerHTML = "";
    return true;
  } catch (e) {
    status.className = "data-status error";
    status.textContent = (e as Error).message;
    return false;
  }
}

/** The sample grid and its augmented twin (a fresh random draw each call). */
export async function showSamples(augment: Augment): Promise<void> {
  const indices = Array.from({ length: SAMPLES }, (_, i) => i * 997);
  const { pixels, labels } = await mnist.call("images", "train", indices);
  const augmented = await mnist.call("augmented", indices, augment, ++draw);
  const grid = (bytes: Uint8Array) => {
    const div = document.createElement("div");
    div.className = "digits";
    indices.forEach((_, k) => {
      const figure = document.createElement("figure");
      figure.append(digitCanvas(bytes, k), Object.assign(document.createElement("figcaption"), { textContent: String(labels[k]) }));
      div.append(figure);
    });
    return div;
  };
  const samples = root().querySelector(".samples")!;
  samples.replaceChildren(
    Object.assign(document.createElement("h3"), { textContent: "Training digits" }), grid(pixels),
    Object.assign(document.createElement("h3"), { textContent: `As the augmentation sees them (draw ${draw})` }), grid(augmented),
  );
}
