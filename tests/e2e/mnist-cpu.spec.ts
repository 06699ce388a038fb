// Part 2 without WebGPU: the same training on the CPU backend, a bad weights file, a drawn
// digit, and a reload in the middle of a run.
import { expect, test } from "@playwright/test";
import { CHROMIUM, CHROMIUM_ARGS } from "../../playwright.config";
import { loadData, needsData, open, QUICK, trainOneEpoch } from "./mnist-helpers";

needsData();
test.use({
  launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS.filter((a) => a !== "--enable-unsafe-webgpu"), "--disable-webgpu"] },
});

test("trains on the CPU, rejects a bad weights file, reads a drawn digit", async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await open(page, `${QUICK}&epochs=1`);
  await loadData(page);
  await trainOneEpoch(page);
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", "flex");
  await expect(page.locator("#mnist-device")).toContainText("no WebGPU");
  const before = await page.locator("#results-accuracy").textContent();

  // A file that is not ours: a message, and the model stays as it was.
  await page.setInputFiles("#mnist-load-weights", { name: "weights.bin", mimeType: "application/octet-stream", buffer: Buffer.from("not weights at all") });
  await expect(page.locator("#mnist-weights-status")).toContainText("not a gradbook MNIST checkpoint");
  await expect(page.locator("#mnist-weights-status")).toContainText("unchanged");
  await expect(page.locator("#results-accuracy")).toHaveText(before!);

  // Our own file round-trips: download the weights, load them back, same accuracy.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#mnist-save-weights")]);
  await page.setInputFiles("#mnist-load-weights", await download.path());
  await expect(page.locator("#mnist-weights-status")).toContainText("model compact");
  await expect(page.locator("#results-accuracy")).toHaveText(before!);

  // Draw a stroke (a "1"); the model answers with a digit and ten probabilities.
  await page.locator("#sketch").scrollIntoViewIfNeeded();
  const box = (await page.locator("#sketch").boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  await expect(page.locator("#sketch-guess")).toHaveText(/^[0-9]$/);
  await expect(page.locator("#sketch-output .prob")).toHaveCount(10);
  expect(errors).toEqual([]);
});

test("a reload in the middle of a run offers to resume it, and resuming continues", async ({ page }) => {
  test.setTimeout(300_000);
  // 50 steps an epoch: long enough that the run cannot finish between two looks at the table.
  await open(page, "recipe=compact&batchSize=64&limitTrain=3200&limitTest=500&reportEvery=5&epochs=3");
  await loadData(page);
  await page.click("#mnist-start");
  // Once epoch 1 (or 2: the CPU is quick) is stored, pause (so the run cannot finish first) and reload.
  await expect(page.locator("#compare-table tbody td").nth(2)).toHaveText(/^[12]$/);
  await page.click("#mnist-pause");
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  const offer = page.locator("#mnist-resume-offer");
  await expect(offer).toBeVisible();
  await expect(offer).toContainText(/stopped at epoch [12] of 3/);
  const done = Number((await offer.textContent())!.match(/epoch (\d) of 3/)![1]);
  await offer.locator("[data-resume]").click();
  await expect(page.locator("#mnist-test-accuracy")).toBeVisible();
  await expect(page.locator("#mnist-log")).toContainText("Epoch: 3");
  await expect(page.locator("#results-accuracy")).toBeVisible();
  // The finished epochs were not trained again.
  const log = (await page.locator("#mnist-log").textContent())!;
  for (let e = 1; e <= done; e++) expect(log).not.toContain(`Epoch: ${e}\n`);
  expect(log.match(/TEST set/g)).toHaveLength(3);
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(1);
  await expect(page.locator("#compare-table tbody td").nth(2)).toHaveText("3");
});

test("after a first visit the notebook and its data work offline", async ({ page, context }) => {
  test.setTimeout(300_000);
  await open(page, QUICK);
  await loadData(page);
  // The service worker takes over on the first visit; a reload lets it see every request.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  await expect(page.locator("#mnist-data-status")).toContainText("from this browser's cache");

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator("#status")).toHaveText(/^Ready/);
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  await expect(page.locator("#mnist-data-status")).toContainText("from this browser's cache");
  await expect(page.locator("#mnist-start")).toBeEnabled();
});

test("many quick clicks on Start start one run", async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await open(page, `${QUICK}&epochs=1`);
  await loadData(page);
  await expect(page.locator("#mnist-start")).toBeEnabled();
  // Ten clicks in one task, as fast as a hand cannot: the first must shut the door on the rest.
  await page.evaluate(() => {
    const start = document.getElementById("mnist-start")!;
    for (let i = 0; i < 10; i++) start.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  });
  await expect(page.locator("#results-accuracy")).toBeVisible({ timeout: 240_000 });
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(1);
  const log = (await page.locator("#mnist-log").textContent())!;
  expect(log.match(/TEST set/g)).toHaveLength(1);
  expect(errors).toEqual([]);
});

test("an engine that crashes mid-run is started afresh: the finished epochs are kept, the next run trains", async ({ page }) => {
  test.setTimeout(300_000);
  // 100 steps an epoch, so that the crash lands in the middle of the run.
  const errors = await open(page, "recipe=compact&batchSize=64&limitTrain=6400&limitTest=500&reportEvery=10&epochs=5&device=flex");
  await loadData(page);
  await page.click("#mnist-start");
  await expect(page.locator("#mnist-log")).toContainText("TEST set", { timeout: 120_000 });
  // Trap the engine as running wasm32 out of memory does (a test-only export, mnistCrash).
  const answer = await page.evaluate(() =>
    (globalThis as any).gradbook.mnist.call("crash").then(() => "returned", (e: Error) => e.message));
  expect(answer).toContain("the engine crashed");
  await expect(page.locator("#mnist-log")).toContainText("A fresh engine has been started; its");
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(1);
  // The fresh engine gets the data back from the cache by itself, and the next run trains.
  await expect(page.locator("#mnist-data-status")).toContainText("60,000 training and 10,000 test images");
  await expect(page.locator("#mnist-start")).toBeEnabled();
  await page.click("#mnist-start");
  await expect(page.locator("#results-accuracy")).toBeVisible({ timeout: 240_000 });
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(2);
  expect(errors).toEqual([]);
});
