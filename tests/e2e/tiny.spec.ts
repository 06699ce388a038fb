// Part 1 as a student uses it: load the page, read the numbers, export them, make mistakes.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ROW_COLUMNS } from "../../www/generated/engine";
import { closestPair } from "./colour-vision";
import { watch } from "./watch";

// The same exact path natively, through the CLI the README documents.
const GRADBOOK = path.join(process.env.CARGO_TARGET_DIR ?? "target", "release", "gradbook");

/** Opens the notebook, failing the test on any console error or uncaught exception. */
async function open(page: Page): Promise<string[]> {
  const errors = watch(page);
  await page.goto("./");
  await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates × 40 iterations/);
  return errors;
}

const firstRowCell = (page: Page, column: number) =>
  page.locator('#table .grid-row[data-iteration="0"] span').nth(column);
// The table's columns are the Rust core's (after the iteration): where E_total is, it says.
const E_TOTAL = 1 + ROW_COLUMNS.findIndex((c) => c.name === "E_total");

test("loads without errors and shows the sheet's iteration 0", async ({ page }) => {
  const errors = await open(page);
  await expect(firstRowCell(page, E_TOTAL)).toHaveText("0.242519857");
  await expect(page.locator("#diagram svg")).toContainText("E_total = 0.242519857");
  // Its text alternative names every weight and value at the selected iteration.
  await expect(page.locator("#diagram svg")).toHaveAttribute("aria-label", /iteration 0\..*w1 0\.15, w2 0\.2, .*w8 0\.55\..*E_total 0\.242519857/);
  // The equations substitute the numbers: ∂E/∂w5 = 0.0721571 at iteration 0. (They are typeset
  // once they come into view.)
  await page.locator("#cell-equations").scrollIntoViewIfNeeded();
  await expect(page.locator("#equations")).toContainText("0.0721571");
  // A negative number after an operator is in parentheses: "+ (−0.0837589)", never "+ −0.0837589".
  const typeset = (await page.locator("#equations .katex-html").allTextContents()).join(" ");
  expect(typeset).toContain("+(−0.0837589)⋅0.5");
  expect(typeset).not.toMatch(/[+⋅·]\s*−/);
  // Each derivation goes through the deltas, over lines narrow enough that at a laptop's
  // width (1280 px) no box has to scroll: every number is on screen.
  await page.setViewportSize({ width: 1280, height: 800 });
  // (KaTeX puts zero-width spaces into subscripts.)
  expect(typeset.replace(/\u200b/g, "")).toMatch(/δo1\s*=/);
  for (const box of await page.locator("#equations .eq").all()) {
    expect(await box.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  }
  // Six tabs, one per learning rate.
  await expect(page.locator("#table-tabs button")).toHaveCount(6);
  // The deltas the equations use are the row's own, shown in the table too: ∂E/∂o1 at iteration 0.
  await expect(page.locator("#table .grid-head")).toContainText("∂E/∂o1");
  await expect(firstRowCell(page, 1 + ROW_COLUMNS.findIndex((c) => c.name === "dE_do1"))).toHaveText("0.142356862");
  // The conclusion compares the six rates, from the Rust core's reading of them.
  await expect(page.locator("#conclusion")).toContainText("each larger learning rate ends lower");
  // The built page is locked down (vite.config.ts): nothing but the site itself, and (watch.ts)
  // no violation of it and no request elsewhere on the way here.
  const csp = page.locator('meta[http-equiv="Content-Security-Policy"]');
  await expect(csp).toHaveAttribute("content", /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/);
  expect(errors).toEqual([]);
});

test("plots E_total for all six learning rates", async ({ page }) => {
  await open(page);
  await expect(page.locator("#loss-plot canvas")).toHaveCount(1);
  // uPlot's legend: the x series plus one per learning rate.
  const legend = page.locator("#loss-plot .u-legend .u-series");
  await expect(legend).toHaveCount(7);
  await expect(legend.nth(6)).toContainText("η = 2");
  await expectTellableApart(page);
  // In words too, for a screen reader.
  await expect(page.locator("#loss-plot-summary")).toHaveText(
    /^E_total by iteration, 6 learning rates, from 0\.2425 at iteration 0; at iteration 40: η = 0\.1: 0\.\d+, (.+, ){4}η = 2: 0\.\d+\. Every value is in cell 4's table\.$/,
  );
});

/** The six learning rates' lines stay apart for a colour-blind student (and in words below). */
async function expectTellableApart(page: Page): Promise<void> {
  const markers = await page.locator("#loss-plot .u-legend .u-series .u-marker").evaluateAll((els) =>
    els.slice(1).map((el) => [getComputedStyle(el).borderTopColor, getComputedStyle(el).borderTopStyle]));
  const closest = closestPair(markers.map(([colour]) => colour));
  expect(closest.deltaE, `${closest.pair.join(" and ")} under ${closest.vision}`).toBeGreaterThan(20);
  // And without colour: not every line is drawn alike.
  expect(new Set(markers.map(([, style]) => style)).size).toBeGreaterThan(1);
}

test("the learning rates' lines stay apart for colour-blind eyes in a dark theme too", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await open(page);
  await expect(page.locator("#loss-plot .u-legend .u-series")).toHaveCount(7);
  await expectTellableApart(page);
});

test("burn's autodiff on WebGPU agrees with the chain rule", async ({ page }) => {
  await open(page);
  await expect(page.locator("#autodiff [data-backend]")).toHaveAttribute("data-backend", "wgpu");
  // The adapter named as the engine sees it: SwiftShader here, a software one, not "your GPU".
  await expect(page.locator("#autodiff")).toContainText("software");
  const diff = Number(await page.locator("#max-diff").textContent());
  expect(diff).toBeLessThan(1e-5);
});

test("the CSV export holds the CLI's numbers", async ({ page }) => {
  await open(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  expect(download.suggestedFilename()).toBe("gradbook-tiny.csv");
  const browser = readFileSync(await download.path(), "utf8").trim().split("\n");
  const cli = execFileSync(GRADBOOK, ["tiny", "--lr", "0.1,0.2,0.5,0.8,1.0,2.0", "--iterations", "40", "--csv"], { encoding: "utf8" })
    .trim().split("\n");
  expect(browser[0]).toBe(cli[0]);
  expect(browser.length).toBe(1 + 6 * 41);
  expect(browser.length).toBe(cli.length);
  // wasm and native may round exp() differently in the last bit; compare as numbers.
  for (let i = 1; i < cli.length; i++) {
    const a = browser[i].split(",").map(Number);
    const b = cli[i].split(",").map(Number);
    expect(a.length).toBe(b.length);
    a.forEach((x, j) => expect(Math.abs(x - b[j])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[j]))));
  }
});

test("scrubbing moves every cell to the chosen iteration", async ({ page }) => {
  await open(page);
  await page.selectOption("#scrub-lr", { label: "η = 0.5" });
  await page.locator("#scrub-iteration").fill("40");
  await expect(page.locator("#scrub-label")).toHaveText("iteration 40 of 40");
  // The table, out of view, catches up when seen (its rows are rebuilt then): read it after.
  await page.locator("#table").scrollIntoViewIfNeeded();
  await expect(page.locator('#table-tabs [aria-selected="true"]')).toHaveText("η = 0.5");
  await expect(page.locator("#table .grid-row.selected")).toHaveAttribute("data-iteration", "40");
  const eTotal = (await page.locator("#table .grid-row.selected span").nth(E_TOTAL).textContent())!;
  expect(Number(eTotal)).toBeLessThan(0.2425);
  await expect(page.locator("#diagram svg")).toContainText(`E_total = ${eTotal}`);
  await page.locator("#cell-equations").scrollIntoViewIfNeeded();
  await expect(page.locator("#equations")).toContainText("iteration 40");
  // In view, they follow the slider; a screen reader's copy (KaTeX's MathML) once it rests.
  const mathml = page.locator("#equations .katex-mathml").first();
  const at40 = await mathml.textContent();
  await page.locator("#scrub-iteration").fill("20");
  await expect(page.locator("#equations")).toContainText("iteration 20");
  await expect(mathml).not.toHaveText(at40!);
  // Out of view the table is brought up to date too, once the slider rests.
  await page.locator("#cell-network").scrollIntoViewIfNeeded();
  await page.locator("#scrub-iteration").fill("30");
  await expect(page.locator("#table .grid-row.selected")).toHaveAttribute("data-iteration", "30");
});

test("bad input gets a message at its field and keeps the last results", async ({ page }) => {
  const errors = await open(page);
  const field = (name: string) => page.locator(`#params input[name="${name}"]`);
  const message = (name: string) => page.locator(`#params [data-field="${name}"] .field-error`);
  const cases: [string, string, RegExp][] = [
    ["learningRates", "0.1, -2", /positive|> 0|greater than/i],
    ["learningRates", "0.1, 1e9", /at most|too large|≤/i],
    ["learningRates", "0.1, abc", /not a number/],
    ["iterations", "0", /must be between 1 and 20000/],
    ["iterations", "10000000", /must be between 1 and 20000/],
    ["weights", "0.1, 0.2", /8/],
    ["inputs", "Infinity, 1", /finite|number/i],
    ["targets", "NaN, 0.5", /not a number/],
  ];
  for (const [name, value, expected] of cases) {
    await page.click('#params button[data-reset]');
    await expect(page.locator("#status")).toHaveText(/^Ready/);
    await field(name).fill(value);
    await page.click('#params button[type="submit"]');
    await expect(message(name)).toHaveText(expected);
    await expect(firstRowCell(page, E_TOTAL)).toHaveText("0.242519857");
  }
  // A good edit trains again and clears the message.
  await page.click('#params button[data-reset]');
  await field("iterations").fill("1000");
  await page.click('#params button[type="submit"]');
  await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates × 1000 iterations/);
  await expect(page.locator("#params .field-error:not(:empty)")).toHaveCount(0);
  await expect(page.locator("#table .grid-body")).toHaveCSS("height", `${1001 * 24}px`);
  // Decimal commas, as many countries write them, separated by spaces.
  await field("learningRates").fill("0,1 0,5");
  await page.click('#params button[type="submit"]');
  await expect(page.locator("#status")).toHaveText(/^Ready: 2 learning rates × 1000 iterations/);
  await expect(page.locator("#table-tabs button")).toHaveText(["η = 0.1", "η = 0.5"]);
  // One learning rate: said in the singular, and nothing is claimed about comparing rates.
  await field("learningRates").fill("0.5");
  await page.click('#params button[type="submit"]');
  await expect(page.locator("#status")).toHaveText(/^Ready: 1 learning rate × 1000 iterations/);
  await expect(page.locator("#conclusion")).toContainText("nothing to compare");
  await expect(page.locator("#conclusion")).not.toContainText("larger learning rate");
  expect(errors).toEqual([]);
});

test("a link reproduces Part 1's settings; a bad value in it is named and the rest applies", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const errors = watch(page);
  await page.goto("./?tiny.learningRates=0.5&tiny.iterations=5&tiny.bias=0.35,0.6");
  await expect(page.locator("#status")).toHaveText(/^Ready: 1 learning rate × 5 iterations/);
  await expect(page.locator('#params input[name="bias"]')).toHaveValue("0.35,0.6");
  await expect(page.locator("#diagram svg")).toContainText("b1 = 0.35");
  await expect(page.locator("#tiny-url-note")).toBeHidden();
  // An edit goes into the address, beside what was there.
  await page.locator('#params input[name="iterations"]').fill("7");
  await page.click('#params button[type="submit"]');
  await expect(page.locator("#status")).toHaveText(/^Ready: 1 learning rate × 7 iterations/);
  const q = new URL(page.url()).searchParams;
  expect([q.get("tiny.iterations"), q.get("tiny.learningRates"), q.get("tiny.bias")]).toEqual(["7", "0.5", "0.35,0.6"]);
  // "Copy link" puts that address on the clipboard, and says so.
  await page.click("#params [data-copy-link]");
  await expect(page.locator("#params .copy-link output")).toHaveText(/^Link copied/);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
  // A bad value: named, the sheet's used instead, the rest of the link applied; Part 2 leaves
  // Part 1's settings to it.
  await page.goto("./?tiny.iterations=abc&tiny.learningRates=0.5");
  await expect(page.locator("#status")).toHaveText(/^Ready: 1 learning rate × 40 iterations/);
  await expect(page.locator("#tiny-url-note")).toContainText("tiny.iterations=abc");
  await expect(page.locator("#mnist-url-note")).toBeHidden();
  expect(errors).toEqual([]);
});

test("the diagram's labels stay clear of each other, of the circles and of its edges, with long numbers too", async ({ page }) => {
  const errors = watch(page);
  await page.goto("./?tiny.bias=0.35,0.6&tiny.iterations=20000&tiny.learningRates=2");
  await expect(page.locator("#status")).toHaveText(/^Ready: 1 learning rate × 20000 iterations/);
  await page.locator("#scrub-iteration").fill("18000");
  await expect(page.locator("#diagram svg")).toContainText("e-8");
  const problems = await page.evaluate(() => {
    const svg = document.querySelector<SVGSVGElement>("#diagram svg")!;
    const view = svg.viewBox.baseVal;
    const box = (e: SVGGraphicsElement) => e.getBBox();
    const labels = [...svg.querySelectorAll<SVGTextElement>("text.weight")];
    const circles = [...svg.querySelectorAll<SVGCircleElement>("circle")].map((c) => ({ x: c.cx.baseVal.value, y: c.cy.baseVal.value, r: c.r.baseVal.value }));
    const out: string[] = [];
    const meet = (a: DOMRect, b: DOMRect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    labels.forEach((a, i) => labels.slice(i + 1).forEach((b) => { if (meet(box(a), box(b))) out.push(`${a.textContent} meets ${b.textContent}`); }));
    for (const l of labels) {
      const b = box(l);
      for (const c of circles) {
        // The box's nearest point to the centre lies outside the circle.
        const nx = Math.max(b.x, Math.min(c.x, b.x + b.width)), ny = Math.max(b.y, Math.min(c.y, b.y + b.height));
        if (Math.hypot(nx - c.x, ny - c.y) < c.r) out.push(`${l.textContent} is on a circle`);
      }
    }
    for (const t of svg.querySelectorAll<SVGTextElement>("text")) {
      const b = box(t);
      if (b.x < view.x || b.x + b.width > view.x + view.width) out.push(`${t.textContent} runs off the picture`);
    }
    // Each node's lines fit inside its circle's width.
    svg.querySelectorAll(".node").forEach((g) => {
      const r = (g.querySelector("circle") as SVGCircleElement).r.baseVal.value;
      g.querySelectorAll<SVGTextElement>("text").forEach((t) => { if (box(t).width > 2 * r - 4) out.push(`${t.textContent} overflows its circle`); });
    });
    return out;
  });
  expect(problems).toEqual([]);
  expect(errors).toEqual([]);
});

test("a student who asks for less motion gets none: no animated progress bar, no smooth scrolling", async ({ page }) => {
  await open(page);
  // What the page shows while a download's size is unknown (a compressing server): an
  // indeterminate bar, which the browser animates unless motion is reduced.
  const bar = () => page.evaluate(() => {
    const p = document.createElement("progress");
    document.querySelector(".downloads")!.append(p);
    const style = getComputedStyle(p);
    const seen = { appearance: style.appearance, scroll: getComputedStyle(document.documentElement).scrollBehavior };
    p.remove();
    return seen;
  });
  expect((await bar()).appearance).toBe("auto");
  await page.emulateMedia({ reducedMotion: "reduce" });
  expect(await bar()).toEqual({ appearance: "none", scroll: "auto" });
});

test("what is scrolled to stays where it was brought: no cell changes height on coming into view", async ({ page }) => {
  await open(page);
  // Once the page has set itself up (Part 2's cells, Part 1's autodiff check):
  await expect(page.locator("body")).toHaveAttribute("data-mnist-ready", "true");
  await expect(page.locator("#max-diff")).toHaveText(/\d/);
  // Far down the page, from the top: the drawing pad, Part 2's Start, the runs' table.
  for (const selector of ["#sketch", "#mnist-start", "#cell-mnist-compare"]) {
    await page.evaluate(() => window.scrollTo(0, 0));
    const moved = await page.evaluate(async (s) => {
      const el = document.querySelector(s)!;
      el.scrollIntoView({ block: "center" });
      const before = el.getBoundingClientRect().top;
      for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
      return el.getBoundingClientRect().top - before;
    }, selector);
    expect(moved, selector).toBe(0);
  }
});
