// Part 2 without WebGPU: the same training on the CPU backend, a bad weights file, a drawn
// digit, and a reload in the middle of a run.
import { expect, test } from "@playwright/test";
import { loadData, needsData, open, QUICK, storedRuns, trainOneEpoch, WITHOUT_WEBGPU } from "./mnist-helpers";

needsData();
test.use({ launchOptions: WITHOUT_WEBGPU });

test("trains on the CPU, rejects a bad weights file, reads a drawn digit", async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await open(page, `${QUICK}&epochs=1`);
  await loadData(page);
  // No empty plots before a run; after one they show it.
  await expect(page.locator("#mnist-plots")).toBeHidden();
  await trainOneEpoch(page);
  await expect(page.locator("#mnist-plots")).toBeVisible();
  // Each plot says in a line what it shows, and holds its numbers as a table.
  const accuracy = page.locator("#plot-epoch-accuracy");
  await expect(accuracy.locator(".plot-summary")).toHaveText(/^accuracy % by epoch: 1 point; at epoch [\d.]+: train [\d.]+, test [\d.]+\.$/);
  await accuracy.locator(".plot-numbers summary").click();
  await expect(accuracy.locator(".plot-numbers tbody tr")).toHaveCount(1);
  await expect(accuracy.locator(".plot-numbers tbody td")).toHaveCount(3);
  await expect(page.locator("#plot-batch-loss .plot-numbers tbody tr")).toHaveCount(0);
  // Early on, the run said about how long it would take: the CPU was not timed before it (no
  // WebGPU to compare with), so from its first report.
  await expect(page.locator("#mnist-log")).toContainText(/About \d+ s of training: 8 steps at \d+ ms each on the CPU \(its first 2 timed\)/);
  // The run tests on its subset, and says so; a loaded model below is tested on all 10,000.
  await expect(page.locator("#results-test-set")).toHaveText("on the first 500 test images");
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", "flex");
  await expect(page.locator("#mnist-device")).toContainText("no WebGPU");
  const before = await page.locator("#results-accuracy").textContent();

  // A file that is not ours: a message, and the model stays as it was.
  await page.setInputFiles("#mnist-load-weights", { name: "weights.bin", mimeType: "application/octet-stream", buffer: Buffer.from("not weights at all") });
  await expect(page.locator("#mnist-weights-status")).toContainText("not a gradbook MNIST checkpoint");
  await expect(page.locator("#mnist-weights-status")).toContainText("unchanged");
  await expect(page.locator("#results-accuracy")).toHaveText(before!);

  // Our own file loads back: download the weights and load them. The run tested on its first
  // 500 images, a loaded model is tested on all 10,000 (the file's exact round trip is
  // tests/mnist/weights_files.rs); loading the file again gives the same figure.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#mnist-save-weights")]);
  // Named after the model it holds (the form may show another recipe by now).
  expect(download.suggestedFilename()).toBe("gradbook-compact.bin");
  const figures: (string | null)[] = [];
  for (const _ of [1, 2]) {
    // A bad file in between: its message replaces the last load's, so each wait below is fresh.
    await page.setInputFiles("#mnist-load-weights", { name: "bad.bin", mimeType: "application/octet-stream", buffer: Buffer.from("nope") });
    await expect(page.locator("#mnist-weights-status")).toContainText("unchanged");
    await page.setInputFiles("#mnist-load-weights", await download.path());
    await expect(page.locator("#mnist-weights-status")).toContainText("model compact, tested on all 10,000 test images");
    await expect(page.locator("#results-test-set")).toHaveText("on all 10,000 test images");
    figures.push(await page.locator("#results-accuracy").textContent());
  }
  expect(figures[0]).toMatch(/^\d+\.\d\d%$/);
  expect(figures[1]).toBe(figures[0]);

  // Draw a stroke (a "1"); the model answers with a digit and ten probabilities.
  await page.locator("#sketch").scrollIntoViewIfNeeded();
  const box = (await page.locator("#sketch").boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  await expect(page.locator("#sketch-guess")).toHaveText(/^[0-9]$/);
  await expect(page.locator("#sketch-output .prob")).toHaveCount(10);

  // On a phone (390 px wide), with every cell filled in, the page never scrolls sideways:
  // the tables, plots and matrix wider than the screen scroll in their own boxes.
  // And at 200 % zoom on a 1280 px window (WCAG 1.4.4 / 1.4.10): a 640 px wide view.
  for (const width of [640, 390]) {
    await page.setViewportSize({ width, height: 844 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  expect(errors).toEqual([]);
});

test("a reload in the middle of a run offers to resume it, and the resumed run ends as one never interrupted", async ({ page }) => {
  test.setTimeout(300_000);
  // 50 steps an epoch: long enough that the run cannot finish between two looks at the table.
  await open(page, "recipe=compact&batchSize=64&limitTrain=3200&limitTest=500&reportEvery=5&epochs=3");
  await loadData(page);
  // First the same run uninterrupted.
  await page.click("#mnist-start");
  await expect(page.locator("#compare-table tbody td").nth(1)).toHaveText("completed", { timeout: 120_000 });
  const uninterrupted = await page.locator("#compare-table tbody tr").nth(0).locator("td").nth(4).textContent();

  await page.click("#mnist-start");
  const second = page.locator("#compare-table tbody tr").nth(1).locator("td");
  // Once epoch 1 (or 2: the CPU is quick) is stored, pause (so the run cannot finish first) and reload.
  await expect(second.nth(2)).toHaveText(/^[12]$/);
  await page.click("#mnist-pause");
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  const offer = page.locator("#mnist-resume-offer");
  await expect(offer).toBeVisible();
  await expect(offer).toContainText(/resumes from the start of epoch [23]/);
  // Where the browser has not promised to keep stored runs, the offer says it may clear them;
  // the compare cell says how much the page keeps.
  if (!(await page.evaluate(() => navigator.storage.persisted()))) await expect(offer).toContainText("may clear it after some days without a visit");
  await expect(page.locator("#mnist-storage")).toHaveText(/^The page keeps \d[\d,]* MB in this browser/);
  const done = Number((await offer.textContent())!.match(/start of epoch (\d)/)![1]) - 1;
  await offer.locator("[data-resume]").click();
  await expect(page.locator("#mnist-test-accuracy")).toBeVisible();
  await expect(page.locator("#mnist-log")).toContainText("Epoch: 3");
  await expect(page.locator("#results-accuracy")).toBeVisible();
  // The finished epochs were not trained again.
  const log = (await page.locator("#mnist-log").textContent())!;
  for (let e = 1; e <= done; e++) expect(log).not.toContain(`Epoch: ${e}\n`);
  expect(log.match(/TEST set/g)).toHaveLength(3);
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(2);
  await expect(second.nth(2)).toHaveText("3");
  // The momentum, the data order and the generators carried on: the same test accuracy, to the digit.
  await expect(second.nth(4)).toHaveText(uninterrupted!);
});

test("one engine serves both parts: Part 1 retrains while Part 2 trains, and neither loses the other's work", async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await open(page, "recipe=compact&batchSize=64&limitTrain=3200&limitTest=500&reportEvery=5&epochs=2");
  await loadData(page);
  // One wasm engine in one worker for the whole page (the service worker is not the page's).
  expect(page.workers()).toHaveLength(1);
  await page.click("#mnist-start");
  await expect(page.locator("#mnist-bar-text")).toContainText("batch");
  // Part 1 asks for a long burn run, then for another before that one can end.
  const iterations = page.locator('#params input[name="iterations"]');
  await iterations.fill("20000");
  await page.click('#params button[type="submit"]');
  await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates × 20000 iterations/);
  await iterations.fill("300");
  await page.click('#params button[type="submit"]');
  await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates × 300 iterations/);
  await expect(page.locator("#autodiff")).toContainText("× 300 iterations on the CPU");
  expect(Number(await page.locator("#max-diff").textContent())).toBeLessThan(1e-5);
  // Part 2's run went on to its end meanwhile, with its data.
  await expect(page.locator("#compare-table tbody td").nth(1)).toHaveText("completed", { timeout: 240_000 });
  await expect(page.locator("#results-accuracy")).toBeVisible();
  await expect(page.locator("#mnist-data-status")).toContainText("60,000 training and 10,000 test images");
  expect(page.workers()).toHaveLength(1);
  expect(errors).toEqual([]);
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
  // Part 1 shares the engine: it trains on the fresh one too.
  await page.locator('#params input[name="iterations"]').fill("50");
  await page.click('#params button[type="submit"]');
  await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates × 50 iterations/);
  await expect(page.locator("#autodiff")).toContainText("× 50 iterations on the CPU");
  expect(errors).toEqual([]);
});

test("forgetting all runs mid-run keeps the run in progress; a run cut off before its first epoch leaves nothing behind", async ({ page }) => {
  test.setTimeout(300_000);
  const stored = async () => (await storedRuns(page)).map((r) => ({ status: r.status, epochs: r.epochs.length }));
  const long = "recipe=compact&batchSize=64&limitTrain=6400&limitTest=500&reportEvery=10&epochs=3&device=flex";
  await open(page, `${QUICK}&epochs=1&device=flex`);
  await loadData(page);
  await page.click("#mnist-start");
  await expect(page.locator("#results-accuracy")).toBeVisible({ timeout: 240_000 });
  // The results show before the run's last save lands: leaving at once could lose the run (its
  // record still "running" with no epoch, which the next visit clears), as it did in CI.
  await expect.poll(stored).toEqual([{ status: "completed", epochs: 1 }]);
  await page.goto(`./?${long}`);
  await expect(page.locator("#mnist-start")).toBeEnabled();
  await page.click("#mnist-start");
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(2);
  // Forget all while the second run trains: the first goes, the one in progress stays (it
  // used to vanish, then come back at its next epoch).
  // Forgetting asks first: one click changes nothing.
  await page.click("#mnist-clear-runs");
  await expect(page.locator("#mnist-clear-runs")).toHaveText("Click again to forget 1 run");
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(2);
  await page.click("#mnist-clear-runs");
  await expect(page.locator("#compare-table tbody tr")).toHaveCount(1);
  await page.click("#mnist-stop");
  await expect(page.locator("#mnist-start")).toBeEnabled();
  expect(await stored()).toEqual([{ status: "stopped", epochs: expect.any(Number) }]);

  // A reload before the next run's first epoch ends: no record stays "running" forever.
  await page.click("#mnist-start");
  await expect.poll(stored).toContainEqual({ status: "running", epochs: 0 });
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  await expect(page.locator("#mnist-resume-offer")).toBeHidden();
  expect((await stored()).filter((r) => r.status === "running")).toEqual([]);
});

test("a link with typos still opens Part 2: each bad value is named, the rest applies; other kinds' fields hide", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const errors = await open(page, "optimizer.kind=rmsprop&schedule.kind=cosine&epochs=abc&device=tpu&recipe=nope&limit_train=5&lr=0.02&limitTrain=-3");
  const note = page.locator("#mnist-url-note");
  await expect(note).toBeVisible();
  for (const part of [
    "optimizer.kind=rmsprop (not one of sgd, adam)",
    "schedule.kind=cosine (not one of constant, step, oneCycle)",
    'epochs=abc ("abc" is not a number)',
    "device=tpu (not one of auto, flex, wgpu)",
    "recipe=nope (not one of",
    "limit_train=5 (not a setting)",
    "limitTrain=-3 (must be a whole number, 0 or more)",
  ]) await expect(note).toContainText(part);
  await expect(page.locator('#mnist-params input[name="lr"]')).toHaveValue("0.02");
  // compact trains with SGD and a one-cycle schedule: momentum shows, the step schedule's fields do not.
  const field = (path: string) => page.locator(`#mnist-params [data-field="${path}"]`);
  await expect(field("optimizer.momentum")).toBeVisible();
  await expect(field("schedule.every")).toBeHidden();
  await expect(field("schedule.warmup")).toBeVisible();
  // A rule only Rust knows is marked at its field too, not only under the form.
  await page.fill('#mnist-params input[name="optimizer.momentum"]', "2");
  await expect(field("optimizer.momentum").locator(".field-error")).toHaveText("momentum must be between 0 and 0.999, got 2");
  await expect(field("optimizer.momentum").locator("input")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#mnist-params-error")).toContainText("fix the marked field");
  await page.fill('#mnist-params input[name="optimizer.momentum"]', "0.9");
  await expect(field("optimizer.momentum").locator(".field-error")).toHaveText("");
  await page.selectOption('#mnist-params select[name="optimizer.kind"]', "adam");
  await expect(field("optimizer.momentum")).toBeHidden();
  await expect(field("optimizer.nesterov")).toBeHidden();
  // A negative count is marked at its field (serde's "expected usize" never reaches the page).
  await page.fill('#mnist-params input[name="limitTrain"]', "-3");
  await expect(field("limitTrain").locator(".field-error")).toHaveText("must be a whole number, 0 or more");
  await expect(page.locator("#mnist-start")).toBeDisabled();
  // The link, with what the form now holds, is one click away.
  await page.fill('#mnist-params input[name="limitTrain"]', "600");
  await page.click("#mnist-params [data-copy-link]");
  await expect(page.locator("#mnist-params .copy-link output")).toHaveText(/^Link copied/);
  const copied = new URL(await page.evaluate(() => navigator.clipboard.readText()));
  expect([copied.searchParams.get("limitTrain"), copied.searchParams.get("optimizer.kind")]).toEqual(["600", "adam"]);
  expect(errors).toEqual([]);
});

test("the form shows the settings a student changes first and folds the rest under More settings", async ({ page }) => {
  const errors = await open(page, "recipe=compact");
  const more = page.locator("#mnist-params .more-settings");
  await expect(more).not.toHaveAttribute("open");
  for (const path of ["epochs", "batchSize", "lr", "seed", "limitTrain", "limitTest"]) {
    await expect(page.locator(`#mnist-params [data-field="${path}"]`)).toBeVisible();
  }
  await expect(page.locator('#mnist-params [data-field="optimizer.momentum"]')).toBeHidden();
  await more.locator("summary").click();
  await expect(page.locator('#mnist-params [data-field="optimizer.momentum"]')).toBeVisible();
  // A folded field the engine refuses opens the fold itself, so the mark is seen.
  await more.locator("summary").click();
  await page.evaluate(() => {
    const m = document.querySelector<HTMLInputElement>('#mnist-params input[name="optimizer.momentum"]')!;
    m.value = "2";
    m.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await expect(more).toHaveAttribute("open");
  await expect(page.locator('#mnist-params [data-field="optimizer.momentum"] .field-error')).toContainText("momentum must be");
  expect(errors).toEqual([]);
});

test("on a phone the plots fit the screen, and widen when it turns sideways", async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 390, height: 844 });
  const errors = await open(page, `${QUICK}&epochs=1`);
  await loadData(page);
  await page.click("#mnist-start");
  await expect(page.locator("#mnist-test-accuracy")).toBeVisible({ timeout: 240_000 });
  await expect(page.locator("#compare-plot .uplot")).toBeVisible();
  // Each plot's box against the box it sits in (which would scroll sideways if the plot were
  // wider): Part 1's loss, Part 2's three live plots, the runs' comparison.
  const plots = ["#loss-plot", "#plot-batch-loss", "#plot-epoch-loss", "#plot-epoch-accuracy", "#compare-plot"];
  const widths = () => page.evaluate((ids) => ids.map((id) => {
    const box = document.querySelector<HTMLElement>(id)!;
    const plot = box.querySelector<HTMLElement>(".uplot")!;
    const cell = box.closest<HTMLElement>(".cell")!;
    const style = getComputedStyle(cell);
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { id, plot: plot.getBoundingClientRect().width, room, scrolls: box.scrollWidth > box.clientWidth };
  }), plots);
  const upright = await widths();
  for (const w of upright) {
    expect(w.scrolls, w.id).toBe(false);
    expect(w.plot, w.id).toBeLessThanOrEqual(w.room);
    expect(w.plot, w.id).toBeGreaterThan(w.room * 0.9);
  }
  await page.setViewportSize({ width: 844, height: 390 });
  // Sideways there is more room: each plot takes it (up to its own most, 460 or 900 px).
  await expect.poll(async () => (await widths()).map((w) => w.plot > w.room * 0.9 || w.plot >= 460)).toEqual(plots.map(() => true));
  const sideways = await widths();
  for (const [k, w] of sideways.entries()) {
    expect(w.scrolls, w.id).toBe(false);
    expect(w.plot, w.id).toBeGreaterThan(upright[k].plot);
  }
  expect(errors).toEqual([]);
});
