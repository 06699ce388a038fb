// What the Part 2 tests share: opening the page, loading the data, a short run checked the way
// a student would look at it. The site must have been built with MNIST_DIR set.
import { expect, test, type Page } from "@playwright/test";
import { RUNS_DB } from "../../www/mnist/runs-db";
import type { RunRecord } from "../../www/mnist/store";
import { watch } from "./watch";
export { WITHOUT_WEBGPU } from "../../playwright.config";

export function needsData(): void {
  test.skip(!process.env.MNIST_DIR, "needs MNIST_DIR (the data is copied into dist/ by `npm run build`)");
}

// A small but real run: 512 images in batches of 64 is 8 steps per epoch, reported every 2.
export const QUICK = "recipe=compact&batchSize=64&limitTrain=512&limitTest=500&reportEvery=2";

export async function open(page: Page, query: string): Promise<string[]> {
  const errors = watch(page);
  await page.goto(`./?${query}`);
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  return errors;
}

export async function loadData(page: Page): Promise<void> {
  await page.click("#mnist-load");
  await expect(page.locator("#mnist-data-status")).toContainText("60,000 training and 10,000 test images");
  await expect(page.locator("#mnist-data .samples canvas")).toHaveCount(32);
}

/** Trains one epoch and checks what a student sees: full bar, plots, accuracy, log. */
export async function trainOneEpoch(page: Page): Promise<void> {
  await expect(page.locator("#mnist-start")).toBeEnabled();
  await page.click("#mnist-start");
  // The engine runs in a worker: the page keeps answering while it trains.
  await expect(page.locator("#mnist-bar-text")).toContainText("batch");
  // Ten samples over half a second of training, not one lucky one: the worst under 200 ms,
  // the median under 50.
  const latencies = await page.evaluate(async () => {
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 0));
      document.getElementById("sketch-clear")!.click();
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    return out.sort((a, b) => a - b);
  });
  expect(latencies[9], `${latencies}`).toBeLessThan(200);
  expect(latencies[5], `${latencies}`).toBeLessThan(50);
  // Software WebGPU (SwiftShader, as in CI) takes seconds a step; what is checked is the flow.
  await expect(page.locator("#mnist-test-accuracy")).toBeVisible({ timeout: 480_000 });
  await expect(page.locator("#mnist-bar")).toHaveJSProperty("value", 8);
  await expect(page.locator("#mnist-bar-text")).toContainText("batch 8/8 (100%)");
  await expect(page.locator("#mnist-log")).toContainText("TEST set: Average loss:");
  // 8 steps are too few to promise learning (BatchNorm's running statistics have barely
  // moved); the native tests check that training learns. Here: a real percentage is shown.
  await expect(page.locator("#mnist-test-accuracy")).toHaveText(/^\d{1,3}\.\d\d%$/);
  await expect(page.locator("#results-accuracy")).toBeVisible();
  await expect(page.locator("#confusion tbody tr")).toHaveCount(10);
  for (const id of ["#plot-batch-loss", "#plot-epoch-loss", "#plot-epoch-accuracy"]) {
    await expect(page.locator(`${id} canvas`)).toHaveCount(1);
  }
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(1);
}


/** A design with one layer of every kind (the Rust and CLI tests read it too). */
export const EVERY_KIND = "tests/data/every-kind.json";

/** Opens the design file, trains it one short epoch on `device`, and checks what it trained. */
export async function trainEveryKind(page: Page, device: "flex" | "wgpu"): Promise<void> {
  await page.setInputFiles("#design-open", EVERY_KIND);
  await expect(page.locator("#design-file-status")).toHaveText("Opened every-kind.json.");
  await expect(page.locator("#design-layers > li")).toHaveCount(12);
  await expect(page.locator("#design-total")).toHaveText("582 parameters: within the 20,000 budget, and within 8,000 too");
  await expect(page.locator("#model-total")).toHaveText("582");
  await expect(page.locator("#mnist-start")).toBeEnabled();
  await page.click("#mnist-start");
  await expect(page.locator("#mnist-test-accuracy")).toHaveText(/^\d{1,3}\.\d\d%$/, { timeout: 480_000 });
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", device);
  await expect(page.locator("#compare-table tbody tr").last()).toContainText("model every-kind");
}

/** Every run record the page has stored, read in `page` from its IndexedDB. */
export function storedRuns(page: Page): Promise<RunRecord[]> {
  return page.evaluate((db) => new Promise<RunRecord[]>((resolve, reject) => {
    const open = indexedDB.open(db.name, db.version);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction(db.store).objectStore(db.store).getAll();
      all.onsuccess = () => {
        open.result.close();
        resolve(all.result);
      };
    };
  }), RUNS_DB);
}
