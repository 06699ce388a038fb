// Tablets and phones, with touch: at an iPad's sizes (both orientations) and a phone's, the
// page never zooms out or scrolls sideways, every control is a 44 × 44 px target (WCAG 2.5.5;
// inline links in prose excepted, checkboxes 24 px with their labels), and taps, a drag on the
// scrubber, a stroke on the drawing pad and a drag along a plot (its cursor) work with touch
// alone (real touch events through the browser's input pipeline). WebKit's twin is in
// webkit.spec.ts.
import { expect, test, type Page } from "@playwright/test";
import { watch } from "./watch";

test.use({ hasTouch: true, isMobile: true });

/** Every visible control smaller than a 44 × 44 px target (checkboxes: 24 px). */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("button, select, input, summary, a[href], [role=tab]")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      if (el.tagName === "A" && el.closest("p, li, td, caption")) continue; // a link in a sentence: WCAG's exception
      const least = el.matches("input[type=checkbox], input[type=radio]") ? 24 : 44;
      if (r.width < least || r.height < least) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  });
}

for (const [width, height] of [[390, 844], [768, 1024], [1024, 768]]) {
  test(`at ${width} × ${height} with touch: no sideways scrolling and every control a 44 px target`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width, height }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const errors = watch(page);
    await page.goto("./");
    await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
    await expect(page.locator("#status")).toHaveText(/^Ready/);
    // What widens the page's content makes a phone's browser zoom out: the layout stays the screen's width.
    expect(await page.evaluate(() => [innerWidth, document.documentElement.scrollWidth])).toEqual([width, width]);
    expect(await smallTargets(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
}

test("taps (a weight, the model editor), a drag on the scrubber and a stroke on the drawing pad, by touch alone", async ({ page }) => {
  await page.setViewportSize({ width: 768, height: 1024 });
  const errors = watch(page);
  await page.goto("./");
  await expect(page.locator("#status")).toHaveText(/^Ready/);
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  // A tap points at a weight.
  await page.locator('#paths [data-weight="2"]').tap();
  await expect(page.locator('#paths [data-weight="2"]')).toHaveAttribute("aria-pressed", "true");
  // A touch drag along the scrubber moves the iteration.
  const cdp = await page.context().newCDPSession(page);
  const touch = async (type: "touchStart" | "touchMove" | "touchEnd", x: number, y: number) =>
    cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x, y }] });
  const slider = (await page.locator("#scrub-iteration").boundingBox())!;
  const y = slider.y + slider.height / 2;
  await touch("touchStart", slider.x + 4, y);
  for (let i = 1; i <= 10; i++) await touch("touchMove", slider.x + 4 + (i * (slider.width - 8)) / 10, y);
  await touch("touchEnd", 0, 0);
  await expect(page.locator("#scrub-label")).toHaveText("iteration 40 of 40");
  // The model editor by taps: start from the seed's model, move a layer, remove one.
  await page.selectOption("#design-start", "seed");
  await page.locator("#design-start-button").tap();
  await expect(page.locator("#design-layers > li")).toHaveCount(29);
  await page.getByRole("button", { name: "Move layer 2 (ReLU) down" }).tap();
  await expect(page.locator("#design-layers > li").nth(1).locator(".design-kind")).toHaveText("Dropout");
  await expect(page.locator("#design-layers > li").nth(2).locator(".design-kind")).toHaveText("ReLU");
  await page.getByRole("button", { name: "Remove layer 2 (Dropout)" }).tap();
  await expect(page.locator("#design-layers > li")).toHaveCount(28);
  // A stroke on the drawing pad draws (the pad's pixels are no longer all dark).
  await page.locator("#sketch").scrollIntoViewIfNeeded();
  const pad = (await page.locator("#sketch").boundingBox())!;
  await touch("touchStart", pad.x + pad.width / 2, pad.y + pad.height * 0.2);
  for (let i = 1; i <= 8; i++) await touch("touchMove", pad.x + pad.width / 2, pad.y + pad.height * (0.2 + 0.075 * i));
  await touch("touchEnd", 0, 0);
  expect(await page.locator("#sketch").evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 128) lit++;
    return lit;
  })).toBeGreaterThan(100);
  expect(errors).toEqual([]);
});

test("a finger's drag along a plot reads off its values, as hovering does with a mouse", async ({ page }) => {
  await page.setViewportSize({ width: 768, height: 1024 });
  const errors = watch(page);
  await page.goto("./");
  await expect(page.locator("#status")).toHaveText(/^Ready/);
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true"); // the layout settled
  const over = page.locator("#loss-plot .u-over");
  await over.scrollIntoViewIfNeeded();
  // The legend's first value is the cursor's iteration: empty until the cursor is on the plot.
  const iteration = page.locator("#loss-plot .u-legend .u-series").first().locator(".u-value");
  const cdp = await page.context().newCDPSession(page);
  const touch = async (type: "touchStart" | "touchMove" | "touchEnd", x: number, y: number) =>
    cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x, y }] });
  const box = (await over.boundingBox())!;
  const y = box.y + box.height / 2;
  await touch("touchStart", box.x + 2, y);
  await expect(iteration).toHaveText("0");
  // Drag to the middle and then to the right end: iteration 20 of 40, then 40.
  for (let i = 1; i <= 5; i++) await touch("touchMove", box.x + 2 + (i * (box.width / 2 - 2)) / 5, y);
  await expect(iteration).toHaveText("20");
  for (let i = 1; i <= 5; i++) await touch("touchMove", box.x + box.width / 2 + (i * (box.width / 2 - 1)) / 5, y);
  await touch("touchEnd", 0, 0);
  await expect(iteration).toHaveText("40");
  // The learning rates' values at iteration 40 are the table's E_total there.
  const lr2 = await page.locator("#loss-plot .u-legend .u-series").nth(6).locator(".u-value").textContent();
  expect(Number(lr2)).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
