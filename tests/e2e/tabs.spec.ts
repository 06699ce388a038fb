// Two tabs of the notebook in one browser share its stored runs (one IndexedDB): a run belongs
// to the tab that trains it (www/mnist/owners.ts), and every tab's table follows every change.
// And the small things a probe of the page found (issue "One run, one owner").
import { expect, test, type Page } from "@playwright/test";
import { loadData, needsData, open, storedRuns, WITHOUT_WEBGPU } from "./mnist-helpers";
import { watch } from "./watch";

needsData();
test.use({ launchOptions: WITHOUT_WEBGPU });

/** 3,200 images in batches of 32: 100 steps an epoch. */
const RUN = "recipe=compact&batchSize=32&limitTrain=3200&limitTest=500&reportEvery=10&device=flex&workers=1";

/** What the page's current model makes of four fixed images, as a string of every bit. */
async function fingerprint(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const pixels = Float32Array.from({ length: 4 * 784 }, (_, i) => ((i * 7919) % 256) / 255);
    const p: Float32Array = await (globalThis as any).gradbook.mnist.call("predict", pixels);
    return [...new Uint32Array(p.buffer)].join(",");
  });
}

/** The runs table's rows as [status, epochs] pairs. */
async function table(page: Page): Promise<string[][]> {
  return page.locator("#compare-table tbody tr").evaluateAll((rows) => rows.map((r) => [r.children[1].textContent!, r.children[2].textContent!]));
}

test("a run training in one tab is not offered in another; once its tab closes it is, and resumes exactly", async ({ page, context }) => {
  test.setTimeout(480_000);
  await open(page, `${RUN}&epochs=3`);
  await loadData(page);
  // The run uninterrupted first, for its weights.
  await page.click("#mnist-start");
  await expect(page.locator("#compare-table tbody tr").first().locator("td").nth(1)).toHaveText("completed", { timeout: 240_000 });
  const uninterrupted = await fingerprint(page);

  await page.click("#mnist-start");
  await expect(page.locator("#compare-table tbody tr").nth(1).locator("td").nth(2)).toHaveText("1", { timeout: 120_000 });
  await page.click("#mnist-pause");
  const b = await context.newPage();
  const errors = watch(b);
  await b.goto(`./?${RUN}&epochs=3`);
  await expect(b.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  // Tab A still trains it (paused): B neither offers it nor calls it interrupted.
  await expect(b.locator("#compare-table tbody tr").nth(1).locator("td").nth(1)).toHaveText("running in another tab");
  await expect(b.locator("#mnist-resume-offer")).toBeHidden();
  // Tab A goes away: now it was cut off, and B offers it.
  await page.close();
  const offer = b.locator("#mnist-resume-offer");
  await expect(offer).toBeVisible({ timeout: 30_000 });
  await expect(offer).toContainText(/resumes from (the start of epoch 2|epoch [12], after batch)/);
  await loadData(b);
  await offer.locator("[data-resume]").click();
  // The estimate counts the steps left, not the whole run's 300.
  await expect(b.locator("#mnist-log")).toContainText(/About \d+ s of training: (200|1\d\d) steps at/);
  await expect(b.locator("#compare-table tbody tr").nth(1).locator("td").nth(1)).toHaveText("completed", { timeout: 240_000 });
  expect(await fingerprint(b)).toBe(uninterrupted);
  expect(errors).toEqual([]);
});

/** The runs stored in the browser, as [status, finished epochs], read in `page`. */
async function stored(page: Page): Promise<[string, number][]> {
  return (await storedRuns(page)).map((r) => [r.status, r.epochs.length]);
}

test("a tab opened before another's first save leaves its run alone; forgetting all keeps it and says so; both tables agree", async ({ page, context }) => {
  test.setTimeout(480_000);
  const errorsA = await open(page, `${RUN}&epochs=1&limitTrain=640`);
  await loadData(page);
  // A finished run, which any tab may forget.
  await page.click("#mnist-start");
  await expect(page.locator("#compare-table tbody tr").first().locator("td").nth(1)).toHaveText("completed", { timeout: 120_000 });
  // A longer one (400 steps an epoch), and B opens before its first epoch is saved.
  await page.goto(`./?${RUN}&epochs=3&limitTrain=12800`);
  await expect(page.locator("#mnist-start")).toBeEnabled({ timeout: 60_000 });
  await page.click("#mnist-start");
  await expect(page.locator("#mnist-bar-text")).toContainText("epoch 1/3");
  const b = await context.newPage();
  const errorsB = watch(b);
  await b.goto(`./?${RUN}&epochs=3`);
  await expect(b.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  // B kept A's record as it was: running, no epoch yet (it used to drop it as cut off).
  expect(await stored(b)).toEqual([["completed", 1], ["running", 0]]);
  // Once A's first epoch is stored, B's table shows the run, as A's.
  await expect(b.locator("#compare-table tbody tr").nth(1).locator("td").nth(1)).toHaveText("running in another tab", { timeout: 120_000 });
  await expect(b.locator("#mnist-resume-offer")).toBeHidden();
  // Forget all in B: the finished run goes, A's stays, and B says why.
  await b.click("#mnist-clear-runs");
  await expect(b.locator("#mnist-clear-runs")).toHaveText("Click again to forget 1 run");
  await b.click("#mnist-clear-runs");
  await expect(b.locator("#mnist-clear-status")).toHaveText(/Forgot 1 run; kept 1 being trained/);
  await expect(b.locator("#compare-table tbody tr")).toHaveCount(1);
  // A's table followed without a reload.
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(1);
  // A finishes; B's table shows it finished, with its three epochs, as A's does.
  await expect(page.locator("#compare-table tbody tr").first().locator("td").nth(1)).toHaveText("completed", { timeout: 240_000 });
  await expect.poll(() => table(b), { timeout: 30_000 }).toEqual([["completed", "3"]]);
  expect(await table(page)).toEqual(await table(b));
  expect(await stored(b)).toEqual([["completed", 3]]);
  expect(errorsA).toEqual([]);
  expect(errorsB).toEqual([]);
});

test("Stop is heard at once, and a long step's stop takes effect after that step", async ({ page }) => {
  test.setTimeout(300_000);
  // Wide full convolutions at full resolution: seconds a step on the CPU. Reports every 50
  // steps, so a stop that waited for the next report would wait minutes.
  const layers = [{ kind: "conv", out: 96, kernel: 3, pad: 1, bias: false }, { kind: "relu" },
    { kind: "conv", out: 96, kernel: 3, pad: 1, bias: false }, { kind: "relu" }, { kind: "globalAvgPool" }, { kind: "linear", out: 10 }];
  const design = encodeURIComponent(JSON.stringify({ name: "slow", layers }));
  const errors = await open(page, `recipe=compact&batchSize=32&limitTrain=3200&limitTest=100&reportEvery=50&epochs=1&device=flex&workers=1&model=${design}`);
  await loadData(page);
  await page.click("#mnist-start");
  await page.waitForTimeout(3000);
  const clicked = Date.now();
  await page.click("#mnist-stop");
  await expect(page.locator("#mnist-log")).toContainText("Stopping after this step…", { timeout: 1000 });
  await expect(page.locator("#mnist-stop")).toBeDisabled();
  await expect(page.locator("#mnist-log")).toContainText(/stopped at epoch 1, batch \d+/, { timeout: 120_000 });
  await expect(page.locator("#mnist-start")).toBeEnabled();
  const batch = Number((await page.locator("#mnist-log").textContent())!.match(/stopped at epoch 1, batch (\d+)/)![1]);
  expect(batch, "stopped long before the first report").toBeLessThan(50);
  console.log(`stop took ${((Date.now() - clicked) / 1000).toFixed(1)} s, at batch ${batch}`);
  expect(errors).toEqual([]);
});

test("a design the engine cannot read in the link is named in the link's note, without an error", async ({ page }) => {
  const bad = encodeURIComponent(JSON.stringify({ name: "odd", layers: [{ kind: "conv", out: 8, kernel: 3, pad: 1, bias: false }, { kind: "wobble" }] }));
  const errors = await open(page, `recipe=compact&epochs=2&model=${bad}`);
  const note = page.locator("#mnist-url-note");
  await expect(note).toBeVisible();
  await expect(note).toContainText("model={\"name\":\"odd\"");
  await expect(note).toContainText("wobble");
  await expect(note).toContainText("The rest of it is applied");
  await expect(page.locator('#mnist-params input[name="epochs"]')).toHaveValue("2");
  expect(errors).toEqual([]);
});

test("Part 2's controls wait for Part 2: disabled until it is set up", async ({ page }) => {
  // The engine's module held back three seconds, as on a slow device.
  await page.route(/\.wasm\b/, async (route) => {
    await new Promise((r) => setTimeout(r, 3000));
    await route.continue();
  });
  await page.goto(`./?recipe=compact`);
  await expect(page.locator("#mnist-load")).toBeVisible();
  expect(await page.locator("body").getAttribute("data-mnist-ready")).toBeNull();
  for (const id of ["#mnist-load", "#mnist-start", "#mnist-save-weights", "#mnist-clear-runs", "#sketch-clear"]) await expect(page.locator(id)).toBeDisabled();
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true", { timeout: 60_000 });
  for (const id of ["#mnist-load", "#mnist-save-weights", "#mnist-clear-runs", "#sketch-clear"]) await expect(page.locator(id)).toBeEnabled();
});

test("a language tag Intl refuses (WebKit's \"C\") breaks no number or time on the page", async ({ page }) => {
  test.setTimeout(300_000);
  // As WebKit does under LANG=C: navigator.language is "C", and formatting with the browser's
  // own locale throws.
  await page.addInitScript(() => {
    // Where WebKit keeps it: on Navigator's prototype, as an accessor.
    Object.defineProperty(Navigator.prototype, "language", { get: () => "C", configurable: true });
    Object.defineProperty(Navigator.prototype, "languages", { get: () => ["C"], configurable: true });
    const refuse = () => { throw new RangeError("Incorrect locale information provided"); };
    Number.prototype.toLocaleString = refuse;
    Date.prototype.toLocaleTimeString = refuse;
    Date.prototype.toLocaleString = refuse;
  });
  const errors = await open(page, `${RUN}&epochs=1&limitTrain=320`);
  await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates/);
  await loadData(page);
  await expect(page.locator("#model-total")).toHaveText("7,936");
  await page.click("#mnist-start");
  await expect(page.locator("#compare-table tbody tr").first().locator("td").nth(1)).toHaveText("completed", { timeout: 120_000 });
  await expect(page.locator("#compare-table tbody tr").first().locator("td").first()).toContainText(/\d\d:\d\d:\d\d/);
  expect(errors).toEqual([]);
});
