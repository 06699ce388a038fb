// WCAG 2.1 AA as axe-core checks it (the rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa), in
// each state a student sees: loaded with Part 1's run, Part 2 training, its results, an error
// showing, and the offer to resume after a reload. Zero violations in each, and in a dark
// system theme too where it matters most (Part 1 loaded, Part 2's results).
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { loadData, needsData, open, WITHOUT_WEBGPU } from "./mnist-helpers";

needsData();
test.use({ launchOptions: WITHOUT_WEBGPU });

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
}

/** The same with the system's theme dark (the page follows `prefers-color-scheme`), then light again. */
async function darkViolations(page: Page): Promise<string[]> {
  await page.emulateMedia({ colorScheme: "dark" });
  // The theme really changed: the page's background is dark.
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe("rgb(12, 17, 29)");
  const found = await violations(page);
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}

test("no WCAG 2.1 AA violation loaded, training, with results, with an error, and with the resume offer", async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await open(page, "recipe=compact&batchSize=64&limitTrain=3200&limitTest=500&reportEvery=5&epochs=3");
  await expect(page.locator("#status")).toHaveText(/^Ready/);
  // The equations are typeset once they come into view.
  await page.locator("#cell-equations").scrollIntoViewIfNeeded();
  await expect(page.locator("#equations")).toContainText("0.0721571");
  expect(await violations(page), "loaded").toEqual([]);
  expect(await darkViolations(page), "loaded, dark theme").toEqual([]);

  await loadData(page);
  await page.click("#mnist-start");
  await expect(page.locator("#mnist-bar-text")).toContainText("batch");
  expect(await violations(page), "training").toEqual([]);
  await expect(page.locator("#results-accuracy")).toBeVisible({ timeout: 120_000 });
  await expect(page.locator("#compare-table tbody td").nth(1)).toHaveText("completed", { timeout: 120_000 });
  expect(await violations(page), "results").toEqual([]);
  expect(await darkViolations(page), "results, dark theme").toEqual([]);
  // A screen reader hears each epoch's result (a polite status), not every batch.
  await expect(page.locator('#mnist-last[role="status"]')).toContainText("Epoch 3: test accuracy");
  expect(await page.locator("#mnist-bar-text").evaluate((el) => el.closest('[aria-live], [role="status"], [role="log"]') === null)).toBe(true);

  await page.setInputFiles("#mnist-load-weights", { name: "weights.bin", mimeType: "application/octet-stream", buffer: Buffer.from("not weights") });
  await expect(page.locator("#mnist-weights-status")).toContainText("unchanged");
  await page.fill('#mnist-params input[name="batchSize"]', "0");
  await expect(page.locator("#mnist-start")).toBeDisabled();
  expect(await violations(page), "errors showing").toEqual([]);
  await page.fill('#mnist-params input[name="batchSize"]', "64");
  await expect(page.locator("#mnist-start")).toBeEnabled();
  // The model editor with a layer that cannot work marked, and its message.
  await page.getByLabel("layer 23 (Conv): kernel").fill("30");
  await expect(page.locator("#design-error")).toContainText("Layer 23: a conv's kernel size must be between 1 and 28, got 30");
  expect(await violations(page), "a design error showing").toEqual([]);
  await page.getByLabel("layer 23 (Conv): kernel").fill("1");
  await expect(page.locator("#mnist-start")).toBeEnabled();

  // A run paused once its first epoch is stored, then a reload: the offer to resume.
  await page.click("#mnist-start");
  await expect(page.locator("#compare-table tbody tr").nth(1).locator("td").nth(2)).toHaveText(/^[12]$/, { timeout: 120_000 });
  await page.click("#mnist-pause");
  await page.reload();
  await expect(page.locator("#mnist-resume-offer")).toBeVisible();
  expect(await violations(page), "resume offer").toEqual([]);
  expect(errors).toEqual([]);
});
