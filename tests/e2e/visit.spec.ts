// A whole visit as a new student makes it, on the built site with its Content-Security-Policy:
// Part 1, Part 2 trained, its results, a drawn digit, the weights downloaded and loaded back;
// then no network, at the bare address and at a link with other settings; then a new
// deployment, which must replace the stored site. `watch` fails it on any CSP violation or
// request to another origin. A copy of dist/ on its own server, so the test can redeploy it.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_PATH } from "../../playwright.config";
import { loadData, needsData, QUICK, trainOneEpoch, WITHOUT_WEBGPU } from "./mnist-helpers";
import { isEngine, siteCaches } from "./offline-cache";
import { serveSite } from "./site-server";
import { watch } from "./watch";

needsData();
test.use({ launchOptions: WITHOUT_WEBGPU });

test("a whole visit breaks no rule of the page's CSP, then works offline at any address; a new deployment replaces it", async ({ page, context }) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), "gradbook-site-"));
  cpSync("dist", dir, { recursive: true });
  const site = await serveSite(dir, BASE_PATH);
  try {
    const errors = watch(page);
    // The first visit, no reload in it. Part 1 with a setting changed:
    await page.goto(`${site.url}?${QUICK}&epochs=1`);
    await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates × 40 iterations/);
    await page.locator('#params input[name="iterations"]').fill("60");
    await page.click('#params button[type="submit"]');
    await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates × 60 iterations/);
    await page.locator("#cell-equations").scrollIntoViewIfNeeded();
    await expect(page.locator("#equations")).toContainText("0.0721571");
    // Part 2: the data, one epoch, its results, a drawn digit, the weights out and back in.
    await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
    await loadData(page);
    await trainOneEpoch(page);
    await expect(page.locator("#gallery canvas").first()).toBeVisible();
    await page.locator("#sketch").scrollIntoViewIfNeeded();
    const box = (await page.locator("#sketch").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await expect(page.locator("#sketch-guess")).toHaveText(/^[0-9]$/);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#mnist-save-weights")]);
    await page.setInputFiles("#mnist-load-weights", await download.path());
    await expect(page.locator("#mnist-weights-status")).toContainText("model compact, tested on all 10,000 test images");
    // Kept for offline use: the build, with the engine this browser ran.
    const [first, ...others] = await siteCaches(page);
    expect(others).toEqual([]);
    await expect.poll(async () => (await siteCaches(page))[0].paths.filter(isEngine)).toEqual([expect.stringMatching(/^assets\/gradbook_cpu_bg\./)]);

    await context.setOffline(true);
    // The bare address: Part 1 computes, Part 2 has its data from the browser's cache.
    await page.goto(site.url);
    await expect(page.locator("#status")).toHaveText(/^Ready/);
    await expect(page.locator("#autodiff [data-backend]")).toHaveAttribute("data-backend", "flex");
    // A link with other settings (Part 1's and Part 2's) is the same stored page: it trains.
    await page.goto(`${site.url}?tiny.learningRates=0.5&recipe=compact&batchSize=64&limitTrain=512&limitTest=500&reportEvery=2&epochs=1`);
    await expect(page.locator("#status")).toHaveText(/^Ready/);
    await expect(page.locator("#scrub-lr option")).toHaveCount(1);
    await expect(page.locator("#mnist-data-status")).toContainText("from this browser's cache");
    await expect(page.locator("#mnist-start")).toBeEnabled();
    await page.click("#mnist-start");
    await expect(page.locator("#mnist-test-accuracy")).toHaveText(/^\d{1,3}\.\d\d%$/, { timeout: 240_000 });

    // A new deployment: a changed page, post-processed as scripts/build.sh does.
    await context.setOffline(false);
    const index = join(dir, "index.html");
    writeFileSync(index, readFileSync(index, "utf8").replace("<h1>gradbook</h1>", "<h1>gradbook, the new build</h1>"));
    execFileSync("node", ["scripts/offline-manifest.mjs", dir]);
    await page.goto(site.url);
    await expect(page.locator("h1")).toHaveText("gradbook, the new build");
    // The new worker stores the new build whole, with the engine the page runs, and drops the old one.
    await expect
      .poll(() => siteCaches(page).then((caches) => caches.length === 1 && caches[0].name !== first.name && caches[0].paths.some(isEngine)), { timeout: 60_000 })
      .toBe(true);
    await context.setOffline(true);
    await page.goto(`${site.url}?recipe=compact`);
    await expect(page.locator("h1")).toHaveText("gradbook, the new build");
    await expect(page.locator("#status")).toHaveText(/^Ready/);
    // Offline, the failed page loads are the browser's own network errors, not the page's.
    expect(errors.filter((e) => !e.includes("ERR_INTERNET_DISCONNECTED"))).toEqual([]);
  } finally {
    await context.setOffline(false);
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
