// Part 2's data as the page downloads it: each file goes into the engine as it arrives and into
// the browser's cache on the way; a damaged file or a download cut off keeps nothing, says
// which file, and the next try fetches every file afresh and keeps them.
import { expect, test, type Page } from "@playwright/test";
import { loadData, needsData, open, WITHOUT_WEBGPU } from "./mnist-helpers";
import { untilStill } from "./still";

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

// A student clicks Load, then Start further down once it is enabled. If the digits coming in
// pushed Start down, a click aimed at it would land beside it (the WebKit and Firefox tests' old
// stalls were exactly that). So the data cell holds its final height from the start.
for (const [size, viewport] of [["a laptop", { width: 1280, height: 720 }], ["a phone", { width: 390, height: 844 }]] as const) {
  test(`on ${size}'s screen, loading the data moves nothing below it`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const errors = await open(page, "recipe=compact");
    const startAt = () => page.locator("#mnist-start").evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    // Once the page has set itself up (Part 1 draws its cells after Part 2's are ready):
    await expect(page.locator("#max-diff")).toHaveText(/\d/);
    const before = await untilStill(startAt);
    // Hold one file back, to look at the page while the bars show.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/t10k-labels-idx1-ubyte\.gz$/, async (route) => { await held; await route.continue(); });
    await page.click("#mnist-load");
    await expect(page.locator("#mnist-data-status")).toHaveText("Loading MNIST…");
    await expect(page.locator("#mnist-data .downloads progress")).toHaveCount(4);
    await expect(page.locator("#mnist-data .downloads progress").first()).toBeVisible();
    expect(await startAt(), "while loading").toBe(before);
    release();
    await expect(page.locator("#mnist-data-status")).toContainText("60,000 training and 10,000 test images");
    await expect(page.locator("#mnist-data .samples canvas")).toHaveCount(32);
    expect(await startAt(), "once loaded").toBe(before);
    // The slots were only places: the samples are the digits, named for a screen reader.
    await expect(page.locator("#mnist-data .samples")).not.toHaveAttribute("aria-hidden", "true");
    await expect(page.locator("#mnist-data .digit-slot")).toHaveCount(0);
    await expect(page.locator("#mnist-start")).toBeEnabled();
    expect(errors).toEqual([]);
  });
}
