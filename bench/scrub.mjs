// Times a step of Part 1's scrubber in the built notebook (dist/) in Chromium at N iterations
// per learning rate: the slider moved one iteration per frame, every cell redrawn and laid
// out, as fast as the page can show it (a frame is 16.7 ms at 60 Hz, so that figure cannot go
// below it); and, timed on its own, each step's work before the browser paints (the input's
// handlers, the style and layout they cause). Once with the page at the slider (the
// equations, out of view, wait until they are seen), once with the equations in view as well.
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
    // Also the step's own work, timed on its own: the input's handlers and the style and
    // layout they cause, forced at once (what a frame must fit before it paints).
    const work = [];
    const t = performance.now();
    for (let i = 0; i < steps; i++) {
      const w = performance.now();
      slider.value = String(from + i);
      slider.dispatchEvent(new Event("input"));
      void document.body.offsetHeight;
      work.push(performance.now() - w);
      await new Promise((r) => requestAnimationFrame(() => {
        void document.body.offsetHeight;
        r();
      }));
    }
    work.sort((a, b) => a - b);
    const mean = work.reduce((a, b) => a + b, 0) / steps;
    return { perStep: (performance.now() - t) / steps, mean, p95: work[Math.min(steps - 1, Math.floor(steps * 0.95))] };
  }, { from: Math.floor(iterations * 0.9), steps, scrollTo });
  // Where a step's time goes, from Chromium's own counters (seconds, summed over the run).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const counters = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  for (const [where, selector] of [["at the slider", "#cell-network"], ["with the equations in view", "#cell-equations"]]) {
    const before = await counters();
    const { perStep, mean, p95 } = await scrub(selector);
    const after = await counters();
    const ms = (name) => (((after[name] - before[name]) * 1000) / steps).toFixed(1);
    console.log(`scrub at ${iterations} iterations × 6 learning rates, ${where}: ${perStep.toFixed(1)} ms per step (${steps} steps, one frame each at best);` +
      ` its own work (handlers, style, layout) ${mean.toFixed(1)} ms on average, ${p95.toFixed(1)} ms at the 95th percentile` +
      ` — per step: script ${ms("ScriptDuration")} ms, style ${ms("RecalcStyleDuration")} ms, layout ${ms("LayoutDuration")} ms (the 500 ms settle included)`);
  }
  await browser.close();
} finally {
  server.kill();
}
