// The notebook's main flow in Firefox: Part 1's numbers, then Part 2 training on whatever
// backend Firefox offers (on Linux it has no WebGPU, so the CPU) and the badge saying which.
// Playwright's own Firefox build cannot be downloaded here and Playwright cannot drive a stock
// Firefox, so this drives the system's Firefox over WebDriver BiDi with puppeteer-core; the
// Playwright runner only hosts the test and the site server.
import { expect, test } from "@playwright/test";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { BASE_URL, FIREFOX } from "../../playwright.config";
import { QUICK, needsData } from "./mnist-helpers";
import { untilStill } from "./still";

let browser: Browser;
test.beforeAll(async () => {
  browser = await puppeteer.launch({ browser: "firefox", executablePath: FIREFOX, headless: true });
});
test.afterAll(async () => browser?.close());

/** Opens the notebook at `query`, collecting console errors and uncaught exceptions. */
async function open(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${BASE_URL}?${query}`);
  return { page, errors };
}

/** A real click on `selector` once it is in view and has stopped moving (`untilStill`): one
 *  that landed beside a moving Start left the run unstarted, and the test waited out
 *  puppeteer's 180 s protocol timeout (the "stalls"). */
async function click(page: Page, selector: string): Promise<void> {
  await untilStill(() => page.$eval(selector, (el) => {
    el.scrollIntoView({ block: "center" });
    const r = el.getBoundingClientRect();
    return [r.x, r.y, r.width, r.height];
  }));
  await page.click(selector);
}

/** Waits until `selector`'s text matches `pattern`, and returns it. */
async function textOf(page: Page, selector: string, pattern: RegExp, timeout = 120_000): Promise<string> {
  const handle = await page.waitForFunction(
    (sel: string, source: string) => {
      const text = document.querySelector(sel)?.textContent ?? "";
      return new RegExp(source).test(text) ? text : false;
    },
    { timeout, polling: 250 },
    selector,
    pattern.source,
  );
  return (await handle.jsonValue()) as string;
}

test("Part 1 shows the sheet's numbers and burn agrees with the chain rule", async () => {
  const { page, errors } = await open("");
  await textOf(page, "#status", /^Ready: 6 learning rates × 40 iterations/);
  await textOf(page, "#diagram svg", /E_total = 0\.242519857/);
  // The equations are typeset once they come into view.
  await page.$eval("#cell-equations", (el) => el.scrollIntoView());
  await textOf(page, "#equations", /0\.0721571/);
  // burn's autodiff ran on what Firefox offers, and the page says which.
  const backend = await page.$eval("#autodiff [data-backend]", (el) => (el as HTMLElement).dataset.backend);
  const hasWebGpu = await page.evaluate(async () => !!(await (navigator as any).gpu?.requestAdapter()));
  expect(backend).toBe(hasWebGpu ? "wgpu" : "flex");
  if (!hasWebGpu) await textOf(page, "#autodiff", /the CPU/);
  expect(Number(await textOf(page, "#max-diff", /\d/))).toBeLessThan(1e-5);
  expect(errors).toEqual([]);
  await page.close();
});

test("Part 1's chain rule to point at: a link's weight paths, a number's precedents, the step-through's update", async () => {
  const { page, errors } = await open("tiny.lr=2&tiny.iteration=12&tiny.weight=w1&tiny.feeds=dE_dw5&tiny.step=31");
  await textOf(page, "#status", /^Ready/);
  const cell = (iteration: number, column: string) =>
    page.$eval(`#table .grid-row[data-iteration="${iteration}"] span[data-col="${column}"]`, (el) => el.textContent ?? "");
  await textOf(page, "#path-detail h3", /∂E_total\/∂w1 at iteration 12, η = 2/);
  await page.$eval("#cell-table", (el) => el.scrollIntoView());
  expect(await page.$$eval("#diagram svg line.lit", (els) => els.map((e) => (e as SVGElement).dataset.at).sort())).toEqual(["w1", "w5", "w7"]);
  expect(await page.$eval("#path-detail .path-sum strong", (el) => el.textContent)).toBe(await cell(12, "dE_dw1"));
  await textOf(page, "#feeds-answer", /∂E\/∂w5 = ∂E\/∂o1·a_h1 = /);
  expect(await page.$$eval('#table .grid-row[data-iteration="12"] span.feeds', (els) => els.map((e) => (e as HTMLElement).dataset.col))).toEqual(["a_h1", "dE_do1"]);
  await textOf(page, "#step-text", /Step 31 of 31 · Update: w8 at iteration 13/);
  expect(await page.$eval("#step-text", (el) => el.textContent)).toContain(`= ${await cell(13, "w8")}`);
  // Back one step with the keyboard.
  await page.focus('#stepper [data-step="back"]');
  await page.keyboard.press("ArrowLeft");
  await textOf(page, "#step-text", /Step 30 of 31 · Update: w7 at iteration 13/);
  expect(errors).toEqual([]);
  await page.close();
});

test("Part 2 trains an epoch on Firefox's backend and shows its results", async () => {
  needsData();
  test.setTimeout(480_000);
  const { page, errors } = await open(`${QUICK}&epochs=1`);
  await page.waitForSelector("body[data-mnist-ready=true]", { timeout: 120_000 });
  await click(page, "#mnist-load");
  await textOf(page, "#mnist-data-status", /60,000 training and 10,000 test images/);
  await page.waitForSelector("#mnist-start:not([disabled])");
  await click(page, "#mnist-start");
  await textOf(page, "#mnist-test-accuracy", /^\d{1,3}\.\d\d%$/, 420_000);
  await textOf(page, "#mnist-bar-text", /batch 8\/8 \(100%\)/);
  await page.waitForSelector("#results-accuracy");
  expect(await page.$$eval("#confusion tbody tr", (rows) => rows.length)).toBe(10);
  // The badge names the backend the run used: the CPU where Firefox has no WebGPU.
  const hasWebGpu = await page.evaluate(async () => !!(await (navigator as any).gpu?.requestAdapter()));
  const badge = await page.$eval("#mnist-device [data-backend]", (el) => [(el as HTMLElement).dataset.backend, el.textContent]);
  expect(badge).toEqual(hasWebGpu ? ["wgpu", "WebGPU"] : ["flex", "CPU"]);
  expect(errors).toEqual([]);
  await page.close();
});

test("Part 2 with two workers: the same weights twice, through a replica's crash", async () => {
  needsData();
  test.setTimeout(480_000);
  // 100 steps of 32 images, each batch in two slices (www/mnist/replicas.ts).
  const { page, errors } = await open("recipe=compact&batchSize=32&limitTrain=3200&limitTest=500&reportEvery=10&epochs=1&device=flex&workers=2");
  await page.waitForSelector("body[data-mnist-ready=true]", { timeout: 120_000 });
  await click(page, "#mnist-load");
  await textOf(page, "#mnist-data-status", /60,000 training and 10,000 test images/);
  // What the model makes of four fixed images, every bit (a weights file also holds random ids).
  const hash = () => page.evaluate(async () => {
    const pixels = Float32Array.from({ length: 4 * 784 }, (_, i) => ((i * 7919) % 256) / 255);
    const p: Float32Array<ArrayBuffer> = await (globalThis as any).gradbook.mnist.call("predict", pixels);
    return [...new Uint8Array(await crypto.subtle.digest("SHA-256", p))].slice(0, 12).join(",");
  });
  const run = async (crash: boolean) => {
    const before = await page.$$eval("#compare-table tbody tr", (rows) => rows.length).catch(() => 0);
    await page.waitForSelector("#mnist-start:not([disabled])");
    await click(page, "#mnist-start");
    if (crash) {
      // Crashed while the run is paused: held at a report, between two steps, with its
      // replicas up. Polled while it ran, a 100-step run could end before any poll reached a
      // replica (once in CI, 60 s of polls that found none).
      await click(page, "#mnist-pause");
      await page.waitForSelector("#mnist-resume:not([hidden])");
      await page.waitForFunction(() => (globalThis as any).gradbook.mnist.call("crashReplica", 1), { timeout: 60_000, polling: 100 });
      await click(page, "#mnist-resume");
      await textOf(page, "#mnist-log", /Replica 1 crashed/);
    }
    await page.waitForFunction((n: number) => document.querySelectorAll("#compare-table tbody tr").length > n &&
      document.querySelectorAll("#compare-table tbody tr")[n].children[1].textContent === "completed", { timeout: 300_000, polling: 250 }, before);
    return hash();
  };
  const first = await run(false);
  expect(parseFloat(await textOf(page, "#results-accuracy", /\d/))).toBeGreaterThan(50);
  expect(await run(false)).toBe(first);
  expect(await run(true)).toBe(first);
  expect(errors).toEqual([]);
  await page.close();
});

test("a run training in one tab is not offered in another; once its tab closes it is", async () => {
  needsData();
  test.setTimeout(480_000);
  const query = "recipe=compact&batchSize=64&limitTrain=6400&limitTest=500&reportEvery=5&epochs=3&device=flex&workers=1";
  const a = await open(query);
  await a.page.waitForSelector("body[data-mnist-ready=true]", { timeout: 120_000 });
  await click(a.page, "#mnist-load");
  await textOf(a.page, "#mnist-data-status", /60,000 training and 10,000 test images/);
  const before = await a.page.$$eval("#compare-table tbody tr", (rows) => rows.length).catch(() => 0);
  await click(a.page, "#mnist-start");
  // Once the run has stored its first epoch, A pauses it (so it cannot finish) and B opens.
  const row = `#compare-table tbody tr:nth-child(${before + 1})`;
  await textOf(a.page, `${row} td:nth-child(3)`, /^1$/, 240_000);
  await click(a.page, "#mnist-pause");
  const b = await open(query);
  await b.page.waitForSelector("body[data-mnist-ready=true]", { timeout: 120_000 });
  await textOf(b.page, `${row} td:nth-child(2)`, /^running in another tab$/);
  expect(await b.page.$eval("#mnist-resume-offer", (el) => (el as HTMLElement).hidden)).toBe(true);
  // A goes away: its lock is released, and B offers the run.
  await a.page.close();
  await textOf(b.page, "#mnist-resume-offer", /resumes from (the start of epoch 2|epoch [12], after batch)/, 30_000);
  expect(a.errors).toEqual([]);
  expect(b.errors).toEqual([]);
  await b.page.close();
});
