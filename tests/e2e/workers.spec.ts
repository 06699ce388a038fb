// Part 2 on several cores: each batch cut into slices, computed by replica workers beside the
// engine (src/mnist/run/parallel.rs, www/mnist/replicas.ts). Without WebGPU, as on a machine
// without a GPU: the CPU engine.
import { expect, test, type Page } from "@playwright/test";
import { loadData, needsData, open, WITHOUT_WEBGPU } from "./mnist-helpers";

needsData();
test.use({ launchOptions: WITHOUT_WEBGPU });

/** 3,200 images in batches of 32: 100 steps an epoch, reported every 10. */
const SMALL = "recipe=compact&batchSize=32&limitTrain=3200&limitTest=1000&reportEvery=10&device=flex";

/** What the engine's current model (the last run's) makes of four fixed images: its forty
 *  probabilities, every bit of them (a weights file's bytes also hold burn's random ids). */
async function weightsHash(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const pixels = Float32Array.from({ length: 4 * 784 }, (_, i) => ((i * 7919) % 256) / 255);
    const p: Float32Array<ArrayBuffer> = await (globalThis as any).gradbook.mnist.call("predict", pixels);
    const digest = await crypto.subtle.digest("SHA-256", p);
    return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
  });
}

/** Starts a run and waits for its end; its final test accuracy, as the runs table shows it. */
async function trainToEnd(page: Page, during?: () => Promise<void>): Promise<string> {
  const rows = await page.locator("#compare-table tbody tr").count();
  await expect(page.locator("#mnist-start")).toBeEnabled();
  await page.click("#mnist-start");
  await during?.();
  const row = page.locator("#compare-table tbody tr").nth(rows).locator("td");
  await expect(row.nth(1)).toHaveText("completed", { timeout: 240_000 });
  return (await row.nth(4).textContent())!;
}

/** Pauses the run in progress, polls `act` until it answers true (the run's replicas are up
 *  once it holds), and resumes. */
async function pauseThen(page: Page, act: () => Promise<boolean>) {
  await page.click("#mnist-pause");
  await expect(page.locator("#mnist-resume")).toBeVisible();
  await expect.poll(act).toBe(true);
  await page.click("#mnist-resume");
}

test("two workers train, beat chance as one does, and give the same weights twice", async ({ page }) => {
  test.setTimeout(480_000);
  const errors = await open(page, `${SMALL}&epochs=2&workers=2`);
  await loadData(page);
  // The setting is in the form and in the address.
  await expect(page.locator('#mnist-params input[name="workers"]')).toHaveValue("2");
  expect(new URL(page.url()).searchParams.get("workers")).toBe("2");
  const first = await trainToEnd(page);
  const hash = await weightsHash(page);
  // 200 steps learn the digits far beyond chance (10 %).
  expect(parseFloat(first)).toBeGreaterThan(80);
  await expect(page.locator("#compare-table tbody tr").first()).toContainText("CPU × 2");
  // The same seed and workers: the same run, to the bit.
  expect(await trainToEnd(page)).toBe(first);
  expect(await weightsHash(page)).toBe(hash);
  // One worker (the whole batch at once) learns as well; its numbers differ (batch norm saw
  // whole batches).
  await page.fill('#mnist-params input[name="workers"]', "1");
  await expect(page.locator("#mnist-start")).toBeEnabled();
  const one = await trainToEnd(page);
  expect(parseFloat(one)).toBeGreaterThan(80);
  expect(await weightsHash(page)).not.toBe(hash);
  // Out of range: marked at the field, in Rust's words.
  await page.fill('#mnist-params input[name="workers"]', "17");
  await expect(page.locator('#mnist-params [data-field="workers"] .field-error')).toHaveText("workers must be between 1 and 16, got 17");
  await expect(page.locator("#mnist-start")).toBeDisabled();
  expect(errors).toEqual([]);
});

test("a replica that crashes mid-run is replaced and the run ends as one never interrupted", async ({ page }) => {
  test.setTimeout(480_000);
  const errors = await open(page, `${SMALL}&epochs=2&workers=2`);
  await loadData(page);
  const uninterrupted = await trainToEnd(page);
  const hash = await weightsHash(page);
  await trainToEnd(page, async () => {
    // Trap replica 1's engine as running out of memory would (a test-only call), while the
    // run is paused: held at a report, between two steps, with its replicas up. Polled while
    // it ran, a short run could end before any poll reached a replica.
    await pauseThen(page, () => page.evaluate(() => (globalThis as any).gradbook.mnist.call("crashReplica", 1)));
    await expect(page.locator("#mnist-log")).toContainText("Replica 1 crashed");
  });
  await expect(page.locator("#mnist-log")).toContainText("the run goes on");
  expect(await page.locator("#compare-table tbody tr").nth(1).locator("td").nth(4).textContent()).toBe(uninterrupted);
  expect(await weightsHash(page)).toBe(hash);
  expect(errors).toEqual([]);
});

test("a replica that hangs is ended after a minute and replaced, and the run ends as one never interrupted", async ({ page }) => {
  test.setTimeout(480_000);
  const errors = await open(page, `${SMALL}&epochs=1&workers=2`);
  await loadData(page);
  const uninterrupted = await trainToEnd(page);
  await trainToEnd(page, async () => {
    // Replica 1 stops answering, as a worker stuck loading its engine would (a test-only call).
    await pauseThen(page, () => page.evaluate(() => (globalThis as any).gradbook.mnist.call("crashReplica", 1, "hang")));
    await expect(page.locator("#mnist-log")).toContainText("Replica 1 crashed (it did not answer within 60 s)", { timeout: 120_000 });
  });
  expect(await page.locator("#compare-table tbody tr").nth(1).locator("td").nth(4).textContent()).toBe(uninterrupted);
  expect(errors).toEqual([]);
});

test("with two workers a run pauses, resumes, and continues after a reload exactly where it was", async ({ page }) => {
  test.setTimeout(480_000);
  await open(page, `${SMALL}&epochs=3&workers=2`);
  await loadData(page);
  const uninterrupted = await trainToEnd(page);

  await page.click("#mnist-start");
  await expect(page.locator("#mnist-bar-text")).toContainText("batch");
  await page.click("#mnist-pause");
  await expect(page.locator("#mnist-resume")).toBeVisible();
  // A pause takes hold at the run's next report (every 10 steps here): then nothing moves.
  await page.waitForTimeout(500);
  const paused = await page.locator("#mnist-bar-text").textContent();
  await page.waitForTimeout(1500);
  expect(await page.locator("#mnist-bar-text").textContent()).toBe(paused);
  await page.click("#mnist-resume");
  const second = page.locator("#compare-table tbody tr").nth(1).locator("td");
  await expect(second.nth(2)).toHaveText(/^[12]$/, { timeout: 120_000 });
  await page.click("#mnist-pause");
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  const offer = page.locator("#mnist-resume-offer");
  await expect(offer).toBeVisible();
  await offer.locator("[data-resume]").click();
  await expect(second.nth(1)).toHaveText("completed", { timeout: 240_000 });
  await expect(second.nth(4)).toHaveText(uninterrupted);
});
