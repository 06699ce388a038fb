// Which engine the page fetches: the build with the GPU path only where the browser hands out a
// WebGPU adapter (here), the CPU-only build everywhere else (tests/e2e/fallback.spec.ts);
// never both (with the service worker too: tests/e2e/first-visit.spec.ts).
import { expect, test } from "@playwright/test";
import { wasmRequests, watch } from "./watch";

// What the page asks for; what its service worker adds is first-visit.spec.ts's.
test.use({ serviceWorkers: "block" });

test("with WebGPU: fetches only the engine with the GPU path, and runs Part 1's check on WebGPU", async ({ page }) => {
  const wasm = wasmRequests(page);
  await page.goto("./");
  await expect(page.locator("#status")).toHaveText(/^Ready/);
  await expect(page.locator("#autodiff [data-backend]")).toHaveAttribute("data-backend", "wgpu", { timeout: 120_000 });
  expect(wasm).toEqual([expect.stringMatching(/^gradbook_bg\.wasm-[\w-]+\.xz$/)]);
});

for (const [damage, spoil] of [
  ["with one byte changed", (body: Buffer) => ((body[body.length >> 1] ^= 0xff), body)],
  ["cut short", (body: Buffer) => body.subarray(0, body.length >> 1)],
] as const) {
  test(`an engine file ${damage}: the page says the engine did not load, and why`, async ({ page }) => {
    // As a broken download or a faulty cache would leave it: xz's checks catch it before the
    // module is compiled.
    await page.route(/\.wasm-[\w-]+\.xz$/, async (route) => route.fulfill({ body: spoil(await (await route.fetch()).body()), contentType: "application/x-xz" }));
    const errors = watch(page);
    await page.goto("./");
    await expect(page.locator("#status")).toHaveText(/^The engine did not load: gradbook_bg\.wasm-[\w-]+\.xz arrived damaged or incomplete: reload the page to fetch it again\.$/);
    await expect(page.locator("#status")).toHaveAttribute("data-kind", "error");
    expect(errors).toEqual([]);
  });
}
