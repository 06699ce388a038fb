// Part 1's chain rule to point at, used with the keyboard only: a weight's gradient paths lit
// on the diagram and derived factor by factor, "where does this number come from?" in the
// table, the step-through to the update, the computation graph and the finite-difference
// check, and a link that restores what was selected. axe finds nothing in each state.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { watch } from "./watch";

// A touch screen as well as a mouse and keyboard: taps are real touch events.
test.use({ hasTouch: true });

async function open(page: Page, query = ""): Promise<string[]> {
  const errors = watch(page);
  await page.goto(`./${query}`);
  await expect(page.locator("#status")).toHaveText(/^Ready: 6 learning rates × 40 iterations/);
  return errors;
}

/** The table's text for `column` at `iteration` (the selected learning rate's table). */
async function tableCell(page: Page, iteration: number, column: string): Promise<string> {
  return page.locator(`#table .grid-row[data-iteration="${iteration}"] span[data-col="${column}"]`).innerText();
}

/** Presses `key` with the focus on `selector` (found by the keyboard: focus, then keys). */
async function press(page: Page, selector: string, key = "Enter"): Promise<void> {
  await page.locator(selector).focus();
  await page.keyboard.press(key);
}

async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
}

const lit = (page: Page) => page.locator("#diagram svg [data-at].lit").evaluateAll((els) => [...new Set(els.map((e) => (e as HTMLElement).dataset.at))].sort());

test("a weight's gradient paths light on the diagram and multiply out to the table's ∂E/∂w", async ({ page }) => {
  const errors = await open(page);
  // w1 feeds h1, which feeds both outputs: both paths light, through w5 and w7.
  await press(page, '#paths [data-weight="0"]');
  await expect(page.locator('#paths [data-weight="0"]')).toHaveAttribute("aria-pressed", "true");
  await expect.poll(() => lit(page)).toEqual(["E1", "E2", "E_total", "h1", "o1", "o2", "w1", "w5", "w7"]);
  await expect(page.locator("#path-detail table.path")).toHaveCount(2);
  await expect(page.locator("#path-detail .path-sum strong")).toHaveText(await tableCell(page, 0, "dE_dw1"));
  // Each factor, reached by Tab, marks its place: the first is ∂E_total/∂a_o1, at E1.
  await page.locator("#path-detail button.factor").first().focus();
  await expect(page.locator("#diagram svg .spot").first()).toHaveAttribute("data-at", "E1");
  await page.keyboard.press("Tab");
  await expect(page.locator("#diagram svg .spot").first()).toHaveAttribute("data-at", "o1");
  expect(await axe(page), "a weight's paths shown").toEqual([]);

  // w6 (h2 → o1) has one path: E1, o1 and its own edge.
  await press(page, '#paths [data-weight="5"]');
  await expect.poll(() => lit(page)).toEqual(["E1", "E_total", "o1", "w6"]);
  await expect(page.locator("#path-detail table.path")).toHaveCount(1);
  await expect(page.locator("#path-detail table.path td strong")).toHaveText(await tableCell(page, 0, "dE_dw6"));
  // Its factors' numbers are the row's: a_o1 − t1, a_o1(1 − a_o1), a_h2.
  await expect(page.locator("#path-detail table.path")).toContainText("∂a_o1/∂o1");
  // A pointer on the diagram does the same: w5's label.
  await page.locator('#diagram text.weight[data-at="w5"]').click();
  await expect(page.locator('#paths [data-weight="4"]')).toHaveAttribute("aria-pressed", "true");

  // At a phone's width, with touch: a tap points at a weight, the page itself never scrolls
  // sideways (the derivation's tables scroll in their own box), and each button is a
  // 44 × 44 px target.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('#paths [data-weight="1"]').tap();
  await expect(page.locator('#paths [data-weight="1"]')).toHaveAttribute("aria-pressed", "true");
  await expect(page.locator("#path-detail table.path")).toHaveCount(2);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const b of await page.locator("#paths button, #stepper button").all()) {
    const box = (await b.boundingBox())!;
    expect(Math.min(box.width, box.height), await b.innerText()).toBeGreaterThanOrEqual(44);
  }
  expect(errors).toEqual([]);
});

test("where a number comes from: ∂E/∂w5 from δo1 and a_h1, a weight from the row before", async ({ page }) => {
  const errors = await open(page);
  await page.locator("#cell-table").scrollIntoViewIfNeeded();
  await page.locator("#feeds-of").focus();
  await page.selectOption("#feeds-of", "dE_dw5");
  const answer = page.locator("#feeds-answer");
  await expect(answer.locator("h3")).toHaveText("∂E/∂w5 at iteration 0");
  // The product with its numbers, six digits each: δo1 · a_h1 = 0.142357 · 0.506875.
  await expect(answer).toContainText(`∂E/∂w5 = ∂E/∂o1·a_h1 = 0.142357·0.506875 = ${await tableCell(page, 0, "dE_dw5")}`);
  await expect(page.locator('#table .grid-row[data-iteration="0"] span.feeds')).toHaveCount(2);
  await expect(page.locator('#table .grid-row[data-iteration="0"] span[data-col="dE_do1"]')).toHaveClass("feeds");
  await expect(page.locator('#table .grid-row[data-iteration="0"] span[data-col="a_h1"]')).toHaveClass("feeds");
  await expect(page.locator('#table .grid-row[data-iteration="0"] span[data-col="dE_dw5"]')).toHaveClass("asked");
  expect(await axe(page), "a number's precedents shown").toEqual([]);
  // One step further back, by keyboard: δo1 comes from a_o1 (and the target).
  await press(page, '#feeds-answer [data-feed="dE_do1"]');
  await expect(answer.locator("h3")).toHaveText("∂E/∂o1 at iteration 0");
  await expect(answer).toContainText("(a_o1 − t1)·a_o1·(1 − a_o1)");

  // At iteration 5 a weight comes from the row before: its own value and its gradient there.
  await page.locator("#scrub-iteration").fill("5");
  await page.selectOption("#feeds-of", "w5");
  await expect(answer.locator("h3")).toHaveText("w5 at iteration 5");
  await expect(page.locator('#table .grid-row[data-iteration="4"] span.feeds')).toHaveCount(2);
  await expect(page.locator('#table .grid-row[data-iteration="4"] span[data-col="dE_dw5"]')).toHaveClass("feeds");
  await press(page, '#feeds-answer [data-feed="dE_dw5"][data-previous="true"]');
  await expect(page.locator("#scrub-label")).toHaveText("iteration 4 of 40");
  await expect(answer.locator("h3")).toHaveText("∂E/∂w5 at iteration 4");
  // A click on a number asks the same.
  await page.locator('#table .grid-row[data-iteration="3"] span[data-col="E_total"]').click();
  await expect(answer.locator("h3")).toHaveText("E_total at iteration 3");
  expect(errors).toEqual([]);
});

test("stepping through an iteration ends at the update, whose numbers are the table's next row", async ({ page }) => {
  const errors = await open(page, "?tiny.lr=0.5&tiny.iteration=12");
  await expect(page.locator("#scrub-label")).toHaveText("iteration 12 of 40");
  await press(page, '#stepper [data-step="start"]');
  const said = page.locator("#step-text");
  await expect(said).toContainText("Step 1 of 31 · Forward pass: h1 = i1·w1 + i2·w2 = 0.05·");
  await expect(page.locator("#diagram svg .step-note")).toHaveText(/^h1 = /);
  // The arrows step once the focus is in the stepper.
  await page.locator('#stepper [data-step="next"]').focus();
  for (let i = 1; i < 11; i++) await page.keyboard.press("ArrowRight");
  await expect(said).toContainText("Step 11 of 31 · Forward pass: E_total = E1 + E2");
  await page.keyboard.press("ArrowRight");
  await expect(said).toContainText("Step 12 of 31 · Backward pass: ∂E/∂o1 = (a_o1 − t1)");
  await expect(page.locator("#diagram svg .spot").first()).toHaveAttribute("data-at", "o1");
  expect(await axe(page), "stepping through").toEqual([]);
  for (let i = 12; i < 31; i++) await page.keyboard.press("ArrowRight");
  await expect(said).toContainText("Step 31 of 31 · Update: w8 at iteration 13 = w8 − η·∂E/∂w8");
  // w8 at iteration 13 as the table has it.
  await expect(said).toContainText(`= ${await tableCell(page, 13, "w8")}`);
  await page.keyboard.press("ArrowLeft");
  await expect(said).toContainText(`Step 30 of 31 · Update: w7 at iteration 13`);
  await expect(said).toContainText(`= ${await tableCell(page, 13, "w7")}`);
  await press(page, '#stepper [data-step="stop"]');
  await expect(page.locator("#diagram svg .step-note")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the computation graph's gradients are the table's, and finite differences agree to 1e-6", async ({ page }) => {
  const errors = await open(page, "?tiny.iteration=7");
  await page.locator("#cell-graph").scrollIntoViewIfNeeded();
  await expect(page.locator("#graph svg .gnode")).toHaveCount(35); // 12 leaves, 3 operations per neuron input, 4 σ, 3 per error, 1 sum
  await page.locator("#cell-table").scrollIntoViewIfNeeded();
  const table: string[] = [];
  for (let k = 1; k <= 8; k++) table.push(await tableCell(page, 7, `dE_dw${k}`));
  await page.locator("#cell-graph").scrollIntoViewIfNeeded();
  for (let k = 1; k <= 8; k++) {
    const row = page.locator(`#gradient-check tr[data-weight="w${k}"] td`);
    const [graph, numeric, difference] = await row.allInnerTexts();
    // To the table's nine digits.
    expect(Math.abs(Number(graph) - Number(table[k - 1])), `w${k}`).toBeLessThanOrEqual(5e-9 * Math.abs(Number(table[k - 1])));
    expect(Math.abs(Number(numeric) - Number(graph))).toBeLessThan(1e-6);
    expect(Number(difference)).toBeLessThan(1e-6);
    // The graph's own box for the weight says the same gradient.
    const box = (await page.locator(`#graph [data-node="w${k}"] .ggrad`).textContent()) ?? "";
    expect(Math.abs(Number(box.replace("grad ", "")) - Number(graph))).toBeLessThanOrEqual(5e-6 * Math.abs(Number(graph)));
  }
  // Read out as a list too: E_total's gradient with respect to itself is 1.
  await expect(page.locator("#graph .graph-list li").last()).toContainText("E_total = E1 + E2:");
  await expect(page.locator("#graph .graph-list li").last()).toContainText("gradient 1");
  expect(await axe(page), "the graph and the check").toEqual([]);
  expect(errors).toEqual([]);
});

test("a shared link restores the learning rate, iteration, weight, question and step", async ({ page, context }) => {
  const errors = await open(page);
  await page.selectOption("#scrub-lr", { label: "η = 2" });
  await page.locator("#scrub-iteration").fill("12");
  await press(page, '#paths [data-weight="0"]');
  await page.selectOption("#feeds-of", "dE_dh1");
  const inLink = (key: string) => new URL(page.url()).searchParams.get(`tiny.${key}`);
  await expect.poll(() => ["lr", "iteration", "weight", "feeds", "step"].map(inLink)).toEqual(["2", "12", "w1", "dE_dh1", null]);
  const link = page.url();
  await expect(page.locator("#path-detail h3")).toHaveText("∂E_total/∂w1 at iteration 12, η = 2");
  await page.locator("#cell-table").scrollIntoViewIfNeeded();
  const sum = await tableCell(page, 12, "dE_dw1");
  await expect(page.locator("#path-detail .path-sum strong")).toHaveText(sum);

  const other = await context.newPage();
  const otherErrors = watch(other);
  await other.goto(link);
  await expect(other.locator("#scrub-label")).toHaveText("iteration 12 of 40");
  await expect(other.locator("#scrub-lr")).toHaveValue("5"); // η = 2, the sixth
  await expect(other.locator('#paths [data-weight="0"]')).toHaveAttribute("aria-pressed", "true");
  await expect(other.locator("#path-detail h3")).toHaveText("∂E_total/∂w1 at iteration 12, η = 2");
  await expect(other.locator("#path-detail .path-sum strong")).toHaveText(sum);
  await expect(other.locator("#feeds-answer h3")).toHaveText("∂E/∂h1 at iteration 12");
  await expect(other.locator("#tiny-link-note")).toBeHidden();
  // A value that does not fit is left out and named, with why; the rest of the link applies.
  await other.goto(`./?tiny.lr=7&tiny.iteration=x&tiny.weight=w9&tiny.feeds=nope&tiny.step=2&tiny.wieght=w1`);
  await expect(other.locator("#status")).toHaveText(/^Ready/);
  await expect(other.locator("#scrub-label")).toHaveText("iteration 0 of 40");
  await expect(other.locator("#step-text")).toContainText("Step 2 of 31");
  const note = other.locator("#tiny-link-note");
  await expect(note).toBeVisible();
  for (const part of ["tiny.lr=7 (the run's learning rates are 0.1, 0.2, 0.5, 0.8, 1, 2)", "tiny.iteration=x (the run's iterations are 0 to 40)",
    "tiny.weight=w9 (the weights are w1 to w8)", "tiny.feeds=nope (not a column of the table)", "tiny.wieght (not a setting)"]) {
    await expect(note).toContainText(part);
  }
  await expect(note).not.toContainText("tiny.step");
  expect(otherErrors).toEqual([]);
  expect(errors).toEqual([]);
});
