// Cell 1: the data. Download progress, then a grid of training digits beside the same digits
// as the augmentation sees them, re-drawn with each click.
import { count } from "../format";
import { keepFocus } from "../focus";
import { mnist } from "./client";
import { digitCanvas } from "./digits";
import { MNIST_FILES } from "./files";
import { ensureData } from "./run";
import type { MnistCell } from "./state";
import type { Augment } from "./protocol";

const SAMPLES = 16;

/** A row of digits, each captioned; `slot` is what stands in the place of digit `k`. */
function grid(slot: (k: number) => HTMLElement, caption: (k: number) => string): HTMLElement {
  const div = document.createElement("div");
  div.className = "digits";
  for (let k = 0; k < SAMPLES; k++) {
    const figure = document.createElement("figure");
    figure.append(slot(k), Object.assign(document.createElement("figcaption"), { textContent: caption(k) }));
    div.append(figure);
  }
  return div;
}

const heading = (text: string) => Object.assign(document.createElement("h3"), { textContent: text });
const augmentedHeading = (draw: number) => heading(`As the augmentation sees them (draw ${draw})`);

/** Empty slots the size of the sample grids, before there is data: the cell takes its final
 *  height at once. A screen reader skips them; the status line says what is happening. */
function showSlots(samples: HTMLElement): void {
  const slot = () => Object.assign(document.createElement("span"), { className: "digit-slot" });
  samples.setAttribute("aria-hidden", "true");
  samples.replaceChildren(
    heading("Training digits"), grid(slot, () => "\u00a0"),
    // The heading the first draw will have, so that it wraps (on a phone) as that one will.
    augmentedHeading(1), grid(slot, () => "\u00a0"),
  );
}

/** The sample grid and its augmented twin (draw number `draw` of the augmentation). */
async function showSamples(samples: HTMLElement, augment: Augment, draw: number): Promise<void> {
  const indices = Array.from({ length: SAMPLES }, (_, i) => i * 997);
  const { pixels, labels } = await mnist.call("images", "train", indices);
  const augmented = await mnist.call("augmented", indices, augment, draw);
  samples.removeAttribute("aria-hidden");
  samples.replaceChildren(
    heading("Training digits"), grid((k) => digitCanvas(pixels, k), (k) => String(labels[k])),
    augmentedHeading(draw), grid((k) => digitCanvas(augmented, k), (k) => String(labels[k])),
  );
}

export const mountData: MnistCell = (cell, state) => {
  const root = cell.querySelector<HTMLElement>("#mnist-data")!;
  const load = root.querySelector<HTMLButtonElement>("#mnist-load")!;
  const again = root.querySelector<HTMLButtonElement>("#mnist-augment")!;
  const status = root.querySelector<HTMLElement>(".data-status")!;
  const downloads = root.querySelector<HTMLElement>(".downloads")!;
  const sampleGrids = root.querySelector<HTMLElement>(".samples")!;
  let draw = 0;
  const samples = () => {
    const setup = state.get().setup;
    if (setup) void showSamples(sampleGrids, setup.config.augment, ++draw);
  };
  showSlots(sampleGrids);
  load.addEventListener("click", () => void ensureData());
  again.addEventListener("click", samples);

  state.watch((s) => s.data, (data) => {
    keepFocus(() => {
      load.disabled = data.kind === "loading" || data.kind === "loaded";
      again.disabled = data.kind !== "loaded";
    }, [again, status]);
    status.className = `data-status${data.kind === "loading" ? " pending" : data.kind === "failed" ? " error" : data.kind === "idle" ? " dim" : ""}`;
    if (data.kind === "loading") {
      downloads.innerHTML = MNIST_FILES
        .map((f) => `<div class="download"><code>${f}</code> <progress data-file="${f}" value="0"></progress> <span></span></div>`)
        .join("");
      status.textContent = "Loading MNIST…";
    } else if (data.kind === "loaded") {
      downloads.innerHTML = "";
      status.textContent = `${count(data.train)} training and ${count(data.test)} test images` +
        (data.cached ? " (from this browser's cache)." : ", now cached in this browser.");
      samples();
    } else if (data.kind === "failed") {
      status.textContent = data.message;
    }
    // The bars, while there are any, take the samples' place rather than adding to the height.
    sampleGrids.classList.toggle("behind", downloads.childElementCount > 0);
  });
  // Data loaded before the settings were (from the cache, on a return visit): the samples
  // follow the settings' augmentation as soon as there is one.
  state.watch((s) => s.setup !== null, (ready, s) => {
    if (ready && draw === 0 && s.data.kind === "loaded") samples();
  });
  state.watch((s) => s.download, (e) => {
    const bar = e && downloads.querySelector<HTMLProgressElement>(`progress[data-file="${e.file}"]`);
    if (!e || !bar) return;
    // Without a total (a compressing server) the bar only says that bytes are coming.
    if (e.total) {
      bar.max = e.total;
      bar.value = e.loaded;
    } else bar.removeAttribute("value");
    // The label files are 5 kB and 29 kB: kilobytes until a megabyte.
    bar.nextElementSibling!.textContent = e.loaded < 1e6 ? `${Math.round(e.loaded / 1e3)} kB` : `${(e.loaded / 1e6).toFixed(1)} MB`;
  });
};
