// The notebook's main flow in WebKit, Safari's engine (the only engine on an iPad): Part 1's
// numbers, plot and chain rule; Part 2 loading the data, training a short run on the CPU
// (WebKitGTK has no WebGPU on Linux) with its results, the model editor, the weights saved and
// loaded back, a run resumed after a reload, and the engine kept for offline use. Driven over
// W3C WebDriver (tests/e2e/webdriver.ts); the Playwright runner hosts the tests and the server.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_URL } from "../../playwright.config";
import { QUICK, needsData } from "./mnist-helpers";
import { untilStill } from "./still";
import { WebKit, webkitAvailable } from "./webdriver";

let wk: WebKit;
test.beforeAll(async () => {
  test.skip(!webkitAvailable(), "needs WebKitGTK's MiniBrowser, WebKitWebDriver and xvfb-run (scripts/setup.sh --test)");
  wk = await WebKit.start();
});
test.afterAll(async () => wk?.close());

async function open(query: string): Promise<void> {
  await wk.go(`${BASE_URL}?${query}`);
  await wk.watchErrors();
}

/** Fails with what the page shows instead, and whether its engine still answers a call: a run
 *  stuck awaiting something (not computing) leaves the engine's event loop free to. */
async function stuck(e: unknown): Promise<never> {
  throw new Error(`${e}: ${await wk.run(async () => JSON.stringify({
    log: document.getElementById("mnist-log")?.textContent?.slice(-600), bar: document.getElementById("mnist-bar-text")?.textContent,
    data: document.getElementById("mnist-data-status")?.textContent,
    startDisabled: (document.getElementById("mnist-start") as HTMLButtonElement | null)?.disabled, errors: (window as any).__errors,
    engine: await Promise.race([
      (globalThis as any).gradbook.mnist.call("recipes").then(() => "answers calls"),
      new Promise((r) => setTimeout(() => r("does not answer within 5 s"), 5000)),
    ]),
  }))}`);
}

/** Loads the data as a student does, until Start is enabled. The data cell keeps its height as
 *  it fills in, so Start stays where it was in the page (a click aimed at it lands on it). */
async function loadData(): Promise<void> {
  await wk.text("#max-diff", /\d/); // Part 1 has drawn its cells above
  const startAt = () => wk.run(() => document.getElementById("mnist-start")!.getBoundingClientRect().top + window.scrollY);
  const before = await untilStill(startAt);
  await wk.click("#mnist-load");
  await wk.text("#mnist-data-status", /60,000 training and 10,000 test images/, 120_000).catch(stuck);
  await wk.until(() => document.querySelectorAll("#mnist-data .samples canvas").length === 32);
  expect(await startAt(), "Start's place in the page").toBe(before);
  await wk.until(() => !(document.getElementById("mnist-start") as HTMLButtonElement).disabled);
}

test("Part 1: the sheet's numbers, the loss plot, and a weight's gradient paths", async () => {
  await open("tiny.lr=2&tiny.iteration=12&tiny.weight=w1");
  await wk.text("#status", /^Ready: 6 learning rates × 40 iterations/);
  // Started under LANG=C, as CI runs: WebKit may then say its language is "C", which Intl
  // refuses; the page formats its numbers all the same.
  console.log(`WebKit's navigator.language: ${await wk.run(() => navigator.language)}`);
  await wk.text("#diagram svg", /E_total = /);
  await wk.run(() => document.querySelector("#cell-loss")!.scrollIntoView());
  expect(await wk.until(() => document.querySelectorAll("#loss-plot canvas").length)).toBeGreaterThan(0);
  // burn's check ran on the CPU and agrees with the chain rule.
  expect(Number(await wk.text("#max-diff", /\d/))).toBeLessThan(1e-5);
  // The link's weight: both of w1's paths, summed to the table's ∂E/∂w1 at iteration 12, η = 2.
  await wk.text("#path-detail h3", /∂E_total\/∂w1 at iteration 12, η = 2/);
  await wk.run(() => document.querySelector("#cell-table")!.scrollIntoView());
  const cell = (iteration: number, column: string) => wk.run((i: number, c: string) =>
    document.querySelector(`#table .grid-row[data-iteration="${i}"] span[data-col="${c}"]`)?.textContent, iteration, column);
  expect(await wk.run(() => document.querySelector("#path-detail .path-sum strong")?.textContent)).toBe(await cell(12, "dE_dw1"));
  // A real click on w6's button lights its one path.
  await wk.click('#paths [data-weight="5"]');
  await wk.until(() => document.querySelector('#paths [data-weight="5"]')?.getAttribute("aria-pressed") === "true");
  expect(await wk.run(() => [...document.querySelectorAll("#diagram svg line.lit")].map((e) => (e as SVGElement).dataset.at))).toEqual(["w6"]);
  expect(await wk.errors()).toEqual([]);
});

test("Part 2: data, a short run on the CPU with its results, the editor, weights out and in, a resumed run, kept offline", async () => {
  needsData();
  test.setTimeout(600_000);
  await open(`${QUICK}&epochs=1`);
  await wk.until(() => document.body.dataset.mnistReady === "true", [], 120_000);
  await loadData();
  await wk.click("#mnist-start");
  await wk.text("#mnist-test-accuracy", /^\d{1,3}\.\d\d%$/, 300_000).catch(stuck);
  await wk.text("#mnist-bar-text", /batch 8\/8 \(100%\)/);
  await wk.until(() => document.getElementById("results-accuracy"));
  expect(await wk.run(() => document.querySelectorAll("#confusion tbody tr").length)).toBe(10);
  expect(await wk.run(() => (document.querySelector("#mnist-device [data-backend]") as HTMLElement)?.dataset.backend)).toBe("flex");

  // The model editor: start from tiny, and the total is its parameter count.
  await wk.run(() => {
    const select = document.getElementById("design-start") as HTMLSelectElement;
    select.value = "tiny";
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await wk.click("#design-start-button");
  await wk.text("#model-total", /^3,944$/);

  // The weights as the page saves them (the bytes handed to the browser's download), loaded back.
  await wk.run(() => {
    const w = window as any;
    const create = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob) => ((w.__saved = blob), create(blob));
  });
  await wk.click("#mnist-save-weights");
  const bytes = (await wk.until(async () => {
    const blob = (window as any).__saved as Blob | undefined;
    return blob ? [...new Uint8Array(await blob.arrayBuffer())] : null;
  })) as number[];
  expect(bytes.length).toBeGreaterThan(1000);
  const file = path.join(mkdtempSync(path.join(tmpdir(), "gradbook-webkit-")), "gradbook-compact.bin");
  writeFileSync(file, Buffer.from(bytes));
  await wk.type("#mnist-load-weights", file, false);
  await wk.text("#mnist-weights-status", /model compact, tested on all 10,000 test images/, 120_000);

  // A reload in the middle of a three-epoch run offers to resume it; resumed, it finishes.
  await open("recipe=compact&batchSize=64&limitTrain=3200&limitTest=500&reportEvery=5&epochs=3");
  await wk.until(() => document.body.dataset.mnistReady === "true", [], 120_000);
  await loadData();
  await wk.click("#mnist-start");
  // The new run is the table's second row (the first is the one-epoch run above); once it has
  // stored epoch 1 (or 2), pause it so that it cannot finish first, and reload.
  await wk.until(() => /^[12]$/.test(document.querySelector("#compare-table tbody tr:nth-child(2) td:nth-child(3)")?.textContent ?? ""), [], 300_000).catch(stuck);
  await wk.click("#mnist-pause");
  await wk.reload();
  await wk.watchErrors();
  await wk.text("#mnist-resume-offer", /resumes from the start of epoch [23]/, 120_000).catch(async (e) => {
    // What the page showed instead, for the report.
    throw new Error(`${e}: ${await wk.run(async () => JSON.stringify({
      offer: document.querySelector("#mnist-resume-offer")?.textContent, runs: document.querySelector("#compare-table")?.textContent,
      locks: await navigator.locks?.query(), errors: (window as any).__errors,
    }))}`);
  });
  // Where the browser has not promised to keep the runs (Safari may clear them), the offer says so.
  // (WebKitGTK's MiniBrowser has no navigator.storage at all: nothing promised, no estimate.)
  const storage = await wk.run(async () => navigator.storage ? { kept: await navigator.storage.persisted() } : null);
  if (!storage?.kept) await wk.text("#mnist-resume-offer", /may clear it after some days without a visit/);
  await wk.text("#mnist-storage", storage ? /^The page keeps \d[\d,]* MB in this browser/ : /^This browser may clear it/);
  await wk.click("#mnist-resume-offer [data-resume]");
  await wk.text("#mnist-log", /Epoch: 3/, 300_000).catch(stuck);
  await wk.until(() => document.getElementById("results-accuracy"), [], 300_000).catch(stuck);

  // A first visit kept the engine and the page for offline use: a service worker controls the
  // page, and its cache holds an engine module.
  expect(await wk.until(async () => {
    if (!navigator.serviceWorker.controller) return false;
    const cached = await Promise.all((await caches.keys()).map(async (k) => (await (await caches.open(k)).keys()).map((r) => r.url)));
    return cached.flat().some((u) => /\.wasm/.test(u));
  }, [], 60_000)).toBe(true);
  expect(await wk.errors()).toEqual([]);
});

test("touch: a tap on a weight, a drag along the scrubber and the loss plot, a stroke on the pad", async () => {
  await open("");
  await wk.text("#status", /^Ready/);
  const mid = (b: { x: number; y: number; width: number; height: number }): [number, number] => [b.x + b.width / 2, b.y + b.height / 2];
  // A tap points at a weight.
  await wk.touch([mid(await wk.box('#paths [data-weight="2"]'))]);
  await wk.until(() => document.querySelector('#paths [data-weight="2"]')?.getAttribute("aria-pressed") === "true");
  // A drag along the scrubber moves the iteration to its end.
  const slider = await wk.box("#scrub-iteration");
  const along = (b: typeof slider, from: number, to: number): [number, number][] =>
    Array.from({ length: 9 }, (_, i) => [b.x + b.width * (from + ((to - from) * i) / 8), b.y + b.height / 2]);
  await wk.touch(along(slider, 0.02, 0.99));
  await wk.text("#scrub-label", /^iteration 40 of 40$/);
  // WebKitGTK's driver delivers those touch actions as a mouse (pointerType "mouse": it has no
  // touch screen to simulate), so they show that nothing needs more than a press, a drag and a
  // release. A finger along a plot is a different path (plot-touch.ts; a mouse's drag zooms):
  // pointer events of type "touch", made in the page, check it in WebKit's engine.
  await wk.box("#loss-plot .u-over");
  const finger = (type: string, fraction: number) => wk.run((type: string, fraction: number) => {
    const over = document.querySelector("#loss-plot .u-over")!;
    const r = over.getBoundingClientRect();
    const [clientX, clientY] = [r.left + r.width * fraction, r.top + r.height / 2];
    over.dispatchEvent(new PointerEvent(type, { pointerType: "touch", clientX, clientY, bubbles: true, isPrimary: true }));
  }, type, fraction);
  const legend = (iteration: string) => wk.text("#loss-plot .u-legend .u-series .u-value", new RegExp(`^${iteration}$`), 5_000);
  await finger("pointerdown", 0.001);
  await legend("0");
  await finger("pointermove", 0.5);
  await legend("20");
  await finger("pointermove", 0.999);
  await finger("pointerup", 0.999);
  await legend("40");
  // A stroke down the drawing pad draws on it.
  await wk.until(() => document.body.dataset.mnistReady === "true", [], 120_000);
  const pad = await wk.box("#sketch");
  await wk.touch(Array.from({ length: 9 }, (_, i) => [pad.x + pad.width / 2, pad.y + pad.height * (0.2 + 0.075 * i)] as [number, number]));
  expect(await wk.run(() => {
    const c = document.querySelector<HTMLCanvasElement>("#sketch")!;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 128) lit++;
    return lit;
  })).toBeGreaterThan(100);
  expect(await wk.errors()).toEqual([]);
});

// Not a test: WebKit's CPU step time for docs/results.md, beside Chromium's from
// `node bench/notebook-mnist.mjs compact 32 200 engine` (the same engine call: the recipe's
// step on fixed inputs, src/mnist/run/bench.rs, after 2 warm-up steps). Run it with
//   BENCH=1 npx playwright test --project=webkit -g "step time"
test("step time on the CPU in WebKit (BENCH=1)", async () => {
  test.skip(process.env.BENCH !== "1", "a benchmark: BENCH=1 runs it");
  test.setTimeout(600_000);
  const [recipe, batch, steps] = [process.env.RECIPE ?? "compact", Number(process.env.BATCH ?? 32), Number(process.env.STEPS ?? 200)];
  await open("");
  await wk.until(() => document.body.dataset.mnistReady === "true", [], 120_000);
  const t = await wk.run(async (recipe: string, batch: number, steps: number) => {
    const { mnist } = (globalThis as any).gradbook;
    const config = { ...(await mnist.call("recipes")).find(([name]: [string]) => name === recipe)[1], batchSize: batch };
    return mnist.call("bench", config, "flex", 2, steps);
  }, recipe, batch, steps);
  console.log(`WebKit engine: ${t.model} batch ${t.batch} on ${t.device}: ${t.msPerStep.toFixed(1)} ms/step`);
});
