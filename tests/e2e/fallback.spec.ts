// Without WebGPU the notebook still trains, on the CPU, and says so; and the page fetches only
// the CPU-only build of the engine (the GPU path's code could never run here).
import { expect, test } from "@playwright/test";
import { WITHOUT_WEBGPU } from "../../playwright.config";
import { wasmRequests } from "./watch";

// What the page asks for; what its service worker adds is first-visit.spec.ts's.
test.use({ launchOptions: WITHOUT_WEBGPU, serviceWorkers: "block" });

test("falls back to burn's CPU backend when the browser has no WebGPU", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const wasm = wasmRequests(page);
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
  // Part 2's engine calls are answered by the same engine: the model table comes from it.
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  expect(wasm).toEqual([expect.stringMatching(/^gradbook_cpu_bg\.wasm-[\w-]+\.xz$/)]);
  expect(errors).toEqual([]);
});
