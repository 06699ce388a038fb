// Which engine the page fetches: the build with the GPU path only where the browser hands out a
// WebGPU adapter (here), the CPU-only build everywhere else (tests/e2e/fallback.spec.ts);
// never both (with the service worker too: tests/e2e/first-visit.spec.ts).
import { expect, test } from "@playwright/test";
import { wasmRequests } from "./watch";

// What the page asks for; what its service worker adds is first-visit.spec.ts's.
test.use({ serviceWorkers: "block" });

test("with WebGPU: fetches only the engine with the GPU path, and runs Part 1's check on WebGPU", async ({ page }) => {
  const wasm = wasmRequests(page);
  await page.goto("./");
  await expect(page.locator("#status")).toHaveText(/^Ready/);
  await expect(page.locator("#autodiff [data-backend]")).toHaveAttribute("data-backend", "wgpu", { timeout: 120_000 });
  expect(wasm).toEqual([expect.stringMatching(/^gradbook_bg\b.*\.wasm$/)]);
});
