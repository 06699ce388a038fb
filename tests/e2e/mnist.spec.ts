// Part 2 on WebGPU (a software adapter here): load MNIST from the site, train an epoch on a few
// hundred images, watch the bar, the plots and the results.
import { expect, test } from "@playwright/test";
import { loadData, needsData, open, QUICK, storedRuns, trainOneEpoch } from "./mnist-helpers";

needsData();

test("trains compact for an epoch on WebGPU", async ({ page }) => {
  test.setTimeout(600_000);
  const errors = await open(page, `${QUICK}&epochs=1&device=wgpu`);
  await loadData(page);
  await trainOneEpoch(page);
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", "wgpu");
  // SwiftShader is the CPU emulating a GPU: it is named as such, never "your GPU".
  await expect(page.locator("#mnist-device")).toContainText("software");
  await expect(page.locator("#mnist-device")).not.toContainText("your GPU");
  expect(errors).toEqual([]);
});

test("auto times both devices and trains on the faster, saying both figures", async ({ page }) => {
  test.setTimeout(600_000);
  const errors = await open(page, `${QUICK}&epochs=1`);
  await loadData(page);
  await trainOneEpoch(page);
  const badge = page.locator("#mnist-device");
  await expect(badge).toContainText(/WebGPU \(.*software\) [\d,.]+ ms\/step · CPU [\d,.]+ ms\/step → training on/);
  // Here the software adapter is far slower than the CPU backend.
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", "flex");
  await expect(badge).toContainText("→ training on the CPU");
  // The steps it timed give the run's length before it starts.
  await expect(page.locator("#mnist-log")).toContainText(/About \d+ s of training: 8 steps at \d+ ms each on the CPU \(just timed\)/);
  expect(errors).toEqual([]);
});

test("a GPU lost mid-run: the run carries on on the CPU from the last finished epoch", async ({ page }) => {
  test.setTimeout(600_000);
  const errors = await open(page, `${QUICK}&epochs=3&device=wgpu`);
  await loadData(page);
  await page.click("#mnist-start");
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", "wgpu");
  // Epoch 1 finishes on WebGPU; then the device goes, as in a driver reset.
  await expect(page.locator("#mnist-log")).toContainText("TEST set", { timeout: 480_000 });
  // The epoch's checkpoint follows its report (the weights read back from the GPU first): lose
  // the device once it is stored, or the run rightly starts over (on a loaded machine it did).
  const savedAt = async () => Math.max(0, ...(await storedRuns(page)).map((r) => r.checkpointAt?.epoch ?? 0));
  await expect.poll(savedAt, { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  expect(await page.evaluate(() => (globalThis as any).gradbook.mnist.call("loseGpu"))).toBe(true);
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", "flex", { timeout: 120_000 });
  await expect(page.locator("#mnist-device")).toContainText("WebGPU failed mid-run");
  await expect(page.locator("#mnist-log")).toContainText("continuing on the CPU from the start of epoch 2");
  await expect(page.locator("#results-accuracy")).toBeVisible({ timeout: 300_000 });
  // Every epoch once: 1 on WebGPU, 2 and 3 on the CPU.
  const log = (await page.locator("#mnist-log").textContent()) ?? "";
  expect(log.match(/TEST set/g)).toHaveLength(3);
  await expect(page.locator("#mnist-test-accuracy")).toHaveText(/^\d{1,3}\.\d\d%$/);
  // The engine restarts on the CPU without a word in the console: none was expected, and none
  // reached it in the runs watched (the page's own errors would).
  expect(errors).toEqual([]);
});
