// Times a step of Part 1's scrubber in the built notebook (dist/) in Chromium at N iterations
// per learning rate: the slider moved one iteration per frame, every cell redrawn and laid
// out, as fast as the page can show it (a frame is 16.7 ms at 60 Hz). Once with the page at the slider (the equations, out of view,
// wait until they are seen), once with the equations in view as well.
//
//   npm run build && node bench/scrub.mjs [iterations=20000] [steps=50]
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";

const iterations = Number(process.argv[2] ?? 20000);
const steps = Number(process.argv[3] ?? 50);
const url = "http://127.0.0.1:4175/";
const server = spawn("npx", ["vite", "preview", "--port", "4175", "--strictPort"], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 2000));

try {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-webgpu"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.locator("#status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 600_000 });
  await page.fill('#params input[name="iterations"]', String(iterations));
  await page.click('#params button[type="submit"]');
  await page.locator("#status").filter({ hasText: `× ${iterations} iterations` }).waitFor({ timeout: 600_000 });
  await page.locator("#autodiff").filter({ hasText: `× ${iterations} iterations on` }).waitFor({ timeout: 1_800_000 });
  const scrub = (scrollTo) => page.evaluate(async ({ from, steps, scrollTo }) => {
    document.querySelector(scrollTo).scrollIntoView();
    await new Promise((r) => setTimeout(r, 500));
    const slider = document.querySelector("#scrub-iteration");
    // As fast as the page can show them: one step per frame, each frame's layout forced, so a
    // step that costs more than a frame (16.7 ms here) stretches its frame.
    const t = performance.now();
    for (let i = 0; i < steps; i++) {
      slider.value = String(from + i);
      slider.dispatchEvent(new Event("input"));
      await new Promise((r) => requestAnimationFrame(() => {
        void document.body.offsetHeight;
        r();
      }));
    }
    return (performance.now() - t) / steps;
  }, { from: Math.floor(iterations * 0.9), steps, scrollTo });
  // Where a step's time goes, from Chromium's own counters (seconds, summed over the run).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const counters = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  for (const [where, selector] of [["at the slider", "#cell-network"], ["with the equations in view", "#cell-equations"]]) {
    const before = await counters();
    const perStep = await scrub(selector);
    const after = await counters();
    const ms = (name) => (((after[name] - before[name]) * 1000) / steps).toFixed(1);
    console.log(`scrub at ${iterations} iterations × 6 learning rates, ${where}: ${perStep.toFixed(1)} ms per step (${steps} steps, one frame each at best)` +
      ` — per step: script ${ms("ScriptDuration")} ms, style ${ms("RecalcStyleDuration")} ms, layout ${ms("LayoutDuration")} ms (the 500 ms settle included)`);
  }
  await browser.close();
} finally {
  server.kill();
}
