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
  await expect(page.locator("#mnist-device")).toContainText("your GPU");
  expect(errors).toEqual([]);
});
