// A design of the student's own on the CPU (Chromium without WebGPU): trained, saved as JSON,
// shared by link and rebuilt from its weights file in a page that never trained it.
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { EVERY_KIND, loadData, needsData, open, trainEveryKind, WITHOUT_WEBGPU } from "./mnist-helpers";

needsData();
test.use({ launchOptions: WITHOUT_WEBGPU });

test("trains on the CPU, lives in the link, and is rebuilt from its weights file", async ({ page, context }) => {
  test.setTimeout(300_000);
  const errors = await open(page, "recipe=compact&batchSize=32&limitTrain=128&limitTest=100&epochs=1");
  await loadData(page);
  await trainEveryKind(page, "flex");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#mnist-save-weights")]);
  expect(download.suggestedFilename()).toBe("gradbook-every-kind.bin");
  // The design is saved as the JSON file it was opened from (the same layers).
  const [saved] = await Promise.all([page.waitForEvent("download"), page.click("#design-save")]);
  expect(saved.suggestedFilename()).toBe("every-kind.json");
  const file = JSON.parse(await readFile((await saved.path())!, "utf8"));
  const original = JSON.parse(await readFile(EVERY_KIND, "utf8"));
  expect(file).toEqual(original);

  // A link to the page holds the design: opened fresh, it shows the same model.
  const link = page.url();
  expect(new URL(link).searchParams.get("model")).toContain('"name":"every-kind"');
  const other = await context.newPage();
  const otherErrors = await open(other, new URL(link).search.slice(1));
  await expect(other.locator("#design-name")).toHaveValue("every-kind");
  await expect(other.locator("#design-layers > li")).toHaveCount(12);
  await expect(other.locator("#model-total")).toHaveText("582");
  // Its weights file alone rebuilds the model there, before any run.
  // The data comes from this browser's cache, loaded when the page opens.
  await expect(other.locator("#mnist-data-status")).toContainText("60,000 training and 10,000 test images");
  await other.setInputFiles("#mnist-load-weights", (await download.path())!);
  await expect(other.locator("#mnist-weights-status")).toContainText("model every-kind, tested on all 10,000 test images");
  await expect(other.locator("#results-accuracy")).toHaveText(/^\d+\.\d\d%$/);
  expect(otherErrors).toEqual([]);
  expect(errors).toEqual([]);
});
