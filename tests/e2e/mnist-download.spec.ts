// Part 2's data as the page downloads it: each file goes into the engine as it arrives and into
// the browser's cache on the way; a damaged file or a download cut off keeps nothing, says
// which file, and the next try fetches every file afresh and keeps them.
import { expect, test, type Page } from "@playwright/test";
import { loadData, needsData, open, WITHOUT_WEBGPU } from "./mnist-helpers";

needsData();
test.use({ launchOptions: WITHOUT_WEBGPU });

/** The MNIST files the browser's cache holds. */
const cachedFiles = (page: Page) =>
  page.evaluate(async () => (await (await caches.open("gradbook-mnist-v1")).keys()).map((r) => r.url.split("/").pop()).sort());

for (const [damage, spoil, message] of [
  ["with one byte changed", (body: Buffer) => ((body[body.length >> 1] ^= 0xff), body), /^train-labels-idx1-ubyte: .*SHA-256 mismatch/],
  ["cut off", (body: Buffer) => body.subarray(0, body.length >> 1), /^train-labels-idx1-ubyte: .*\(truncated\)$/],
] as const) {
  test(`a training-labels file ${damage}: nothing is kept, the file is named; the next try loads all four`, async ({ page }) => {
    const errors = await open(page, "recipe=compact");
    await page.route(/train-labels-idx1-ubyte\.gz$/, async (route) =>
      route.fulfill({ body: spoil(await (await route.fetch()).body()), contentType: "application/gzip" }));
    await page.click("#mnist-load");
    await expect(page.locator("#mnist-data-status")).toHaveText(message);
    expect(await cachedFiles(page)).toEqual([]);

    await page.unrouteAll();
    await loadData(page);
    await expect(page.locator("#mnist-data-status")).toContainText("now cached in this browser");
    await expect.poll(() => cachedFiles(page)).toEqual(["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]);
    expect(errors).toEqual([]);
  });
}
