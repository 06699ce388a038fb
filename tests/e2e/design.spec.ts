// The model editor (Part 2, cell 3) as a student uses it: every built-in model summarised as
// `gradbook models` prints it, edits by mouse and keyboard, a design that cannot work stopped
// with its message, and a design of their own trained on WebGPU (on the CPU, shared by link
// and rebuilt from its weights file: design-cpu.spec.ts).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { loadData, needsData, open, trainEveryKind } from "./mnist-helpers";

const GRADBOOK = path.join(process.env.CARGO_TARGET_DIR ?? "target", "release", "gradbook");

/** The rows of a summary table as `gradbook models` prints them: layer, C×H×W, params, RF. */
type Row = [string, string, number, number];

/** `gradbook models`, model by model. */
function cliSummaries(): Map<string, Row[]> {
  const out = execFileSync(GRADBOOK, ["models"], { encoding: "utf8" });
  const models = new Map<string, Row[]>();
  for (const block of out.trim().split(/\n\s*\n/)) {
    const [title, , ...lines] = block.split("\n");
    const rows = lines
      .map((l) => l.match(/^(.*?)\s+(\d+×\d+×\d+)\s+(\d+)\s+(\d+)$/))
      .filter((m) => m !== null)
      .map((m) => [m[1].trim(), m[2], Number(m[3]), Number(m[4])] as Row);
    models.set(title.split(" — ")[0], rows);
  }
  return models;
}

/** Cell 2's table as the page shows it, in the CLI's form. */
async function pageSummary(page: Page): Promise<Row[]> {
  return page.locator("#model-summary tbody tr").evaluateAll((trs) =>
    trs.map((tr) => {
      const [layer, shape, params, rf] = [...tr.querySelectorAll("td")].map((td) => td.textContent!);
      return [layer, shape.replaceAll(" ", ""), Number(params.replaceAll(",", "")), Number(rf)] as [string, string, number, number];
    }),
  );
}

async function startFrom(page: Page, model: string): Promise<void> {
  await page.selectOption("#design-start", model);
  await page.click("#design-start-button");
}

test("every built-in model is summarised as `gradbook models` prints it, and edits show at once", async ({ page }) => {
  const errors = await open(page, "");
  const cli = cliSummaries();
  // The page offers every model the CLI lists, in its order, and nothing else (an empty model aside).
  const offered = await page.locator("#design-start option").evaluateAll((options) =>
    options.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ""));
  expect(offered).toEqual([...cli.keys()]);
  expect(cli.has("seed") && cli.has("compact")).toBe(true);
  for (const [name, rows] of cli) {
    await startFrom(page, name);
    await expect(page.locator("#design-layers > li")).toHaveCount(rows.length);
    await expect.poll(() => pageSummary(page)).toEqual(rows);
    const total = rows.reduce((sum, r) => sum + r[2], 0);
    await expect(page.locator("#model-total")).toHaveText(total.toLocaleString("en-US"));
    await expect(page.locator("#design-meter")).toHaveJSProperty("value", total);
    // Each layer's row says what it gives, as the table does.
    const last = rows[rows.length - 1];
    await expect(page.locator("#design-layers > li").last().locator(".design-result")).toHaveText(`→ ${last[1]} · ${last[2].toLocaleString("en-US")} params · RF ${last[3]}`);
    // An unedited built-in model stays a name in the address.
    expect(new URL(page.url()).searchParams.get("model")).toBe(name === "compact" ? null : name);
  }

  // The seed's earlier experiments in two clicks: seed, then no dropout (a dropout holds no
  // parameters: still 9,320).
  await startFrom(page, "seed");
  await page.click("#design-no-dropout");
  await expect(page.locator("#design-layers > li")).toHaveCount(28);
  await expect(page.locator("#design-total")).toHaveText("9,320 parameters: within the 20,000 budget (over 8,000)");
  await expect(page.locator("#design-name")).toHaveValue("my-seed");
  await expect(page.locator("#design-no-dropout")).toBeHidden();
  // A width changed by typing: the first conv 4 → 6 channels.
  await page.getByLabel("layer 1 (Conv): out").fill("6");
  await expect(page.locator("#design-layers > li").first().locator(".design-result")).toHaveText("→ 6×28×28 · 60 params · RF 3");
  await expect(page.locator("#model-total")).toHaveText("9,484");

  // With the keyboard: a layer moved down keeps the focus on its button; removing one moves
  // the focus to the next layer's.
  const down = page.getByRole("button", { name: "Move layer 2 (ReLU) down" });
  await down.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Move layer 3 (ReLU) down" })).toBeFocused();
  await expect(page.locator("#design-layers > li").nth(1).locator(".design-kind")).toHaveText("Conv");
  await page.keyboard.press("Shift+Tab"); // "Move layer 3 (ReLU) up"
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Move layer 2 (ReLU) up" })).toBeFocused();
  await page.getByRole("button", { name: "Remove layer 2 (ReLU)" }).press("Enter");
  await expect(page.getByRole("button", { name: "Remove layer 2 (Conv)" })).toBeFocused();
  await expect(page.locator("#design-layers > li")).toHaveCount(27);
  expect(errors).toEqual([]);
});

test("a design that cannot work says which layer and why, and cannot be started", async ({ page }) => {
  needsData();
  const errors = await open(page, "recipe=seed&limitTrain=64&limitTest=32");
  await loadData(page);
  await expect(page.locator("#mnist-start")).toBeEnabled();
  // The seed's 8×8 average pool made 9×9: the maps there are 8×8.
  await page.getByLabel("layer 28 (Average pool): kernel").fill("9");
  const why = "Layer 28: a 9×9 average pool needs at least 9×9 input, the maps are 8×8 here";
  await expect(page.locator("#design-error")).toHaveText(why);
  await expect(page.locator("#design-layers > li").nth(27)).toHaveClass(/invalid/);
  await expect(page.getByLabel("layer 28 (Average pool): kernel")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#mnist-start")).toBeDisabled();
  await expect(page.locator("#mnist-start-hint")).toHaveText("Fix the model first (cell 3).");
  await expect(page.locator("#mnist-params-error")).toContainText("fix the model in cell 3: layer 28: a 9×9 average pool");
  // Cell 2 shows the layers that fit and says the rest does not.
  await expect(page.locator("#model-summary tbody tr")).toHaveCount(27);
  // Half-typed numbers wait, with a word; a fixed design can start again.
  await page.getByLabel("layer 28 (Average pool): kernel").fill("-1");
  await expect(page.locator("#design-error")).toHaveText("Layer 28: kernel must be a whole number, 0 or more");
  await page.getByLabel("layer 28 (Average pool): kernel").fill("8");
  await expect(page.locator("#design-error")).toHaveText("");
  await expect(page.locator("#mnist-start")).toBeEnabled();
  // Without its linear head, a 4×4 pool leaves 10×2×2: not ten values.
  await page.getByRole("button", { name: "Remove layer 29 (Linear)" }).click();
  await expect(page.locator("#mnist-start")).toBeEnabled();
  await page.getByLabel("layer 28 (Average pool): kernel").fill("4");
  await expect(page.locator("#design-error")).toContainText("the last layer must give 10 values, one per digit (10×1×1); this one gives 10×2×2 = 40");
  await expect(page.locator("#mnist-start")).toBeDisabled();
  // A file that is not a design: a message, and the design on screen stays.
  await page.setInputFiles("#design-open", { name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"hello": 1}') });
  await expect(page.locator("#design-file-status")).toHaveText("notes.json is not a model design: it holds no name and layers. The design on screen is unchanged.");
  await expect(page.locator("#design-layers > li")).toHaveCount(28);
  expect(errors).toEqual([]);
});

test("a design trains on WebGPU too", async ({ page }) => {
  needsData();
  test.setTimeout(600_000);
  // Software WebGPU here (SwiftShader) takes seconds a step: two steps.
  const errors = await open(page, "recipe=compact&device=wgpu&batchSize=32&limitTrain=64&limitTest=32&epochs=1");
  await loadData(page);
  await trainEveryKind(page, "wgpu");
  expect(errors).toEqual([]);
});
