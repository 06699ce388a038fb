// What a first visit downloads, from a server that compresses and validates as static hosts
// do: the page, its scripts and styles, the fonts it shows, and the one engine this browser
// runs, each once, with the service worker keeping them for offline use. Not the other engine
// (0.65 or 2.2 MB that this browser never runs), not the fonts in the older formats
// no browser that runs the page asks for, and nothing fetched a second time.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_PATH, CHROMIUM, CHROMIUM_ARGS, WITHOUT_WEBGPU } from "../../playwright.config";
import { isEngine, siteCaches } from "./offline-cache";
import { serveSite, type Sent } from "./site-server";

/** Bytes sent, by kind, in MB: what the figures in docs/results.md are. */
function tally(sent: Sent[]): Record<string, string> {
  const kind = (p: string) => (isEngine(p) ? "engine" : /\.(woff2?|ttf)$/.test(p) ? "fonts" : "page");
  const sums: Record<string, number> = { page: 0, fonts: 0, engine: 0, total: 0 };
  for (const s of sent) {
    sums[kind(s.path)] += s.bytes;
    sums.total += s.bytes;
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, `${(v / 1e6).toFixed(2)} MB`]));
}

for (const [name, engine, launchOptions] of [
  ["with WebGPU", /^assets\/gradbook_bg\./, { executablePath: CHROMIUM, args: CHROMIUM_ARGS }],
  ["without WebGPU", /^assets\/gradbook_cpu_bg\./, WITHOUT_WEBGPU],
] as const) {
  test(`${name}: a first visit downloads one engine, once, and keeps it for offline use`, async ({ playwright }) => {
    const browser = await playwright.chromium.launch(launchOptions);
    const page = await browser.newPage();
    const dir = mkdtempSync(join(tmpdir(), "gradbook-site-"));
    cpSync("dist", dir, { recursive: true });
    const site = await serveSite(dir, BASE_PATH);
    try {
      await page.goto(site.url);
      await expect(page.locator("#status")).toHaveText(/^Ready/);
      await expect.poll(async () => (await siteCaches(page)).flatMap((c) => c.paths).filter(isEngine), { timeout: 60_000 }).toEqual([expect.stringMatching(engine)]);
      const paths = site.sent.map((s) => s.path);
      console.log(`${name}: first visit sent ${JSON.stringify(tally(site.sent))} (${paths.length} files)`);
      expect(paths.filter(isEngine)).toEqual([expect.stringMatching(engine)]);
      expect(paths.filter((p) => /\.(woff|ttf)$/.test(p))).toEqual([]);
      expect(paths.filter((p, i) => paths.indexOf(p) !== i)).toEqual([]);
    } finally {
      await browser.close();
      await site.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
