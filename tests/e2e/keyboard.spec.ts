// The notebook with the keyboard alone: a skip link first, Part 1 changed and read, and a whole
// Part 2 training started, paused and resumed with Space, the focus never dropping to the page.
import { expect, test, type Page } from "@playwright/test";
import { needsData, open, WITHOUT_WEBGPU } from "./mnist-helpers";

needsData();
test.use({ launchOptions: WITHOUT_WEBGPU });

/** Presses Tab until `selector` has the focus, as a keyboard user would. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}

const focused = (page: Page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

test("Part 1 and a whole Part 2 training with the keyboard alone", async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await open(page, "recipe=compact&batchSize=64&limitTrain=6400&limitTest=500&reportEvery=10&epochs=1");
  await expect(page.locator("#status")).toHaveText(/^Ready/);
  await page.keyboard.press("Tab");
  await expect(page.locator(".skip")).toBeFocused();

  // Part 1: a setting changed and trained with Enter; the tabs follow the arrow keys.
  await tabTo(page, '#params input[name="iterations"]');
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("60");
  await page.keyboard.press("Enter");
  await expect(page.locator("#status")).toHaveText(/× 60 iterations/);
  await tabTo(page, '#table-tabs [aria-selected="true"]');
  await page.keyboard.press("ArrowRight");
  await expect(page.locator('#table-tabs [data-lr="1"]')).toHaveAttribute("aria-selected", "true");
  await expect(page.locator('#table-tabs [data-lr="1"]')).toBeFocused();
  await page.keyboard.press("End");
  await expect(page.locator('#table-tabs [data-lr="5"]')).toBeFocused();

  // Part 2: the data, then Start, Pause and Resume, each with Space where the focus is left.
  await tabTo(page, "#mnist-load");
  await page.keyboard.press("Enter");
  await expect(page.locator("#mnist-data-status")).toContainText("60,000 training and 10,000 test images");
  expect(await focused(page)).not.toBe("BODY");
  await tabTo(page, "#mnist-start");
  await page.keyboard.press("Space");
  await expect(page.locator("#mnist-pause")).toBeFocused();
  await page.keyboard.press("Space");
  await expect(page.locator("#mnist-resume")).toBeFocused();
  await expect(page.locator("#mnist-pause")).toBeHidden();
  await page.keyboard.press("Space");
  await expect(page.locator("#mnist-pause")).toBeFocused();
  await expect(page.locator("#results-accuracy")).toBeVisible({ timeout: 120_000 });
  expect(await focused(page)).not.toBe("BODY");
  // A misclassified digit is inspected with Enter.
  await tabTo(page, "#gallery figure:nth-child(2)");
  const truth = (await page.locator("#gallery figure:nth-child(2) figcaption").textContent())!.split(" ")[0];
  await page.keyboard.press("Enter");
  await expect(page.locator("#mnist-inspect .inspect-head p")).toContainText(`True digit ${truth},`);
  // Its filters and feature maps carry their numbers (a filter's every value; a map's range).
  await expect(page.locator("#mnist-inspect canvas[role=img]").first()).toHaveAttribute("aria-label", /^\d×\d values, row 1: −?\d/);
  await expect(page.locator("#mnist-inspect canvas[role=img]").last()).toHaveAttribute("aria-label", /^\d+×\d+ values from −?[\d.e−-]+ to −?[\d.e−-]+, highest at row \d+, column \d+$/);
  // The weights file input is in the tab order too.
  await tabTo(page, "#mnist-load-weights");
  // The drawing pad's keyboard alternative: a test image, picked by number, read by the model
  // (the first test image is a 7), the answer a polite status.
  await tabTo(page, '#sketch-pick input[name="index"]');
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("0");
  await page.keyboard.press("Enter");
  await expect(page.locator('#sketch-said[role="status"]')).toHaveText(/^Test image 0 is labelled 7\. It looks like a [0-9]\.$/);
  await expect(page.locator("#sketch-bars .prob")).toHaveCount(10);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("10000");
  await page.keyboard.press("Enter");
  await expect(page.locator("#sketch-said")).toHaveText("A test image is a whole number from 0 to 9999.");
  expect(errors).toEqual([]);
});
