// Without WebGPU the notebook still trains, on the CPU, and says so.
import { expect, test } from "@playwright/test";
import { WITHOUT_WEBGPU } from "../../playwright.config";

test.use({ launchOptions: WITHOUT_WEBGPU });

test("falls back to burn's CPU backend when the browser has no WebGPU", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("./");
  // Chromium may keep `navigator.gpu` but hands out no adapter.
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as any).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
  expect(adapter).toBe(false);
  await expect(page.locator("#status")).toHaveText(/^Ready/);
  await expect(page.locator("#autodiff [data-backend]")).toHaveAttribute("data-backend", "flex");
  await expect(page.locator("#autodiff")).toContainText("the CPU");
  expect(Number(await page.locator("#max-diff").textContent())).toBeLessThan(1e-5);
  expect(errors).toEqual([]);
});
