// Part 2 on WebGPU (a software adapter here): load MNIST from the site, train an epoch on a few
// hundred images, watch the bar, the plots and the results.
import { expect, test } from "@playwright/test";
import { loadData, needsData, open, QUICK, trainOneEpoch } from "./mnist-helpers";

needsData();

test("trains compact for an epoch on WebGPU", async ({ page }) => {
  test.setTimeout(600_000);
  const errors = await open(page, `${QUICK}&epochs=1&device=wgpu`);
  await loadData(page);
  await trainOneEpoch(page);
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", "wgpu");
  // SwiftShader is the CPU emulating a GPU: it is named as such, never "your GPU".
  await expect(page.locator("#mnist-device")).toContainText("software");
  await expect(page.locator("#mnist-device")).not.toContainText("your GPU");
  expect(errors).toEqual([]);
});

test("auto times both devices and trains on the faster, saying both figures", async ({ page }) => {
  test.setTimeout(600_000);
  const errors = await open(page, `${QUICK}&epochs=1`);
  await loadData(page);
  await trainOneEpoch(page);
  const badge = page.locator("#mnist-device");
  await expect(badge).toContainText(/WebGPU \(.*software\) [\d,.]+ ms\/step · CPU [\d,.]+ ms\/step → training on/);
  // Here the software adapter is far slower than the CPU backend.
  await expect(page.locator("#mnist-device [data-backend]")).toHaveAttribute("data-backend", "flex");
  await expect(badge).toContainText("→ training on the CPU");
  expect(errors).toEqual([]);
});
