// Times Part 2 of the built notebook (dist/, built with MNIST_DIR) in Chromium: ms per training
// step for a model and batch size, on WebGPU and on the CPU backend (WebGPU disabled), and the
// tab's peak memory during training: the proportional set size (PSS; RSS would count the pages
// they share once per process) of Chromium's renderer processes, which hold the page, its
// workers and their wasm memories; the GPU process is not counted.
//
//   npm run build && node bench/notebook-mnist.mjs [recipe=compact] [batch=64] [steps=20] [devices=wgpu,flex]
//   npm run build && node bench/notebook-mnist.mjs compact 32 5 engine
//   BACKENDS=flex node bench/notebook-mnist.mjs compact 32 200 engine   (beside WebKit's: tests/e2e/webkit.spec.ts)
//   EPOCHS=20 LIMIT_TEST=10000 node bench/notebook-mnist.mjs compact 32 300 flex
//   WORKERS=1,2 ROUNDS=3 node bench/notebook-mnist.mjs compact 32 200 flex
//   WORKERS=1,2 FULL=1 LIMIT_TEST=10000 node bench/notebook-mnist.mjs compact 32 0 flex
//   SEED=4 WORKERS=2 FULL=1 EPOCHS=3 LIMIT_TEST=10000 NOMEM=1 node bench/notebook-mnist.mjs quick 32 0 flex
//
// WORKERS: the page's `workers` setting (each batch cut into that many slices, computed by as
// many replica workers; src/mnist/run/parallel.rs), each in a fresh browser, interleaved over ROUNDS
// rounds. FULL=1 trains on all 60,000 images (steps is then ignored) and also prints the whole
// epoch's time, its test included, as the page reports it.
//
// EPOCHS > 1 also prints the memory at each epoch's end (after its test, on LIMIT_TEST images,
// 100 unless set), to see whether a long run grows.
//
// The step time is read from the page's own progress (seconds since the epoch began ÷ batches),
// after a first report so that shader compilation and warm-up are not counted.
//
// `engine` instead asks the page's engine worker to bench the recipe's step on fixed inputs
// (src/mnist/run/bench.rs, the same code as `gradbook bench`) on WebGPU and on the CPU: ms per step
// after 2 warm-up steps, and the GPU kernels each step launches.
import { execSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { chromium } from "@playwright/test";

const [recipe = "compact", batch = "64", steps = "20", devices = "wgpu,flex"] = process.argv.slice(2);
const report = 5;
const epochs = Number(process.env.EPOCHS ?? 1);
const limitTest = Number(process.env.LIMIT_TEST ?? 100);
const full = process.env.FULL === "1";
const workerCounts = (process.env.WORKERS ?? "").split(",").filter(Boolean);
const rounds = Number(process.env.ROUNDS ?? 1);
const limitTrain = full ? "" : `&limitTrain=${batch * (Number(steps) + report)}`;
const seed = process.env.SEED ? `&seed=${process.env.SEED}` : "";
const baseUrl = `http://127.0.0.1:4175/?recipe=${recipe}&batchSize=${batch}&epochs=${epochs}${limitTrain}&limitTest=${limitTest}&reportEvery=${full ? 50 : report}${seed}`;
let url = baseUrl;
const server = spawn("npx", ["vite", "preview", "--port", "4175", "--strictPort"], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 2000));

/** PSS in kB of Chromium's renderer processes for web content (one tab here: the page and its
 *  worker, and a spare renderer), each shared page counted once in all, split among the
 *  processes sharing it (/proc/PID/smaps_rollup). Not counted: the renderer of Chromium's own
 *  UI (`--top-chrome-webui`, ≈ 80 MB, there before any page opens; earlier figures in
 *  docs/results.md included it), nor the browser and GPU processes. */
function rendererKb() {
  const out = execSync("ps -eo pid=,args=", { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes("--type=renderer") && !l.includes("--top-chrome-webui")).reduce((kb, l) => {
    try {
      const rollup = readFileSync(`/proc/${l.trim().split(/\s+/)[0]}/smaps_rollup`, "utf8");
      return kb + Number(rollup.match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0);
    } catch {
      return kb; // the process ended in between
    }
  }, 0);
}

async function measure(args, label) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", ...args] });
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator("body[data-mnist-ready=true]").waitFor({ timeout: 600_000 });
  await page.click("#mnist-load");
  await page.locator("#mnist-data .samples canvas").first().waitFor({ timeout: 600_000 });
  // The wall-clock time from the click on Start to each milestone's first showing, as a student
  // waits for it: the page's own figure is the run's clock, which leaves out its setup (the
  // replicas starting) and the page's calls between steps.
  await page.evaluate(() => {
    const shown = (globalThis.__milestonesShown = {});
    const el = document.getElementById("mnist-milestones");
    new MutationObserver(() => {
      for (const m of el.querySelectorAll("[data-milestone]")) shown[m.dataset.milestone] ??= performance.now() - globalThis.__startClicked;
    }).observe(el, { childList: true, subtree: true, characterData: true });
    document.getElementById("mnist-start").addEventListener("click", () => (globalThis.__startClicked = performance.now()), { capture: true });
  });
  await page.click("#mnist-start");

  // [seconds, batch] at each report, from the bar's text.
  const seen = [];
  let peak = 0;
  // Per finished epoch: the memory once its test has been reported.
  const atEpoch = [];
  while (!(await page.locator("#results-accuracy").count())) {
    const text = (await page.locator("#mnist-bar-text").textContent()) ?? "";
    const m = /batch (\d+)\/(\d+)/.exec(text);
    const t = await page.evaluate(() => performance.now());
    if (m && !seen.some((s) => s[1] === Number(m[1])) && (seen.length === 0 || Number(m[1]) > seen[seen.length - 1][1])) seen.push([t / 1000, Number(m[1])]);
    // Reading every renderer's smaps takes CPU from the page: NOMEM=1 times the steps alone.
    const kb = process.env.NOMEM === "1" ? 0 : rendererKb();
    peak = Math.max(peak, kb);
    const tests = ((await page.locator("#mnist-log").textContent()) ?? "").match(/TEST set/g)?.length ?? 0;
    if (epochs > 1 && tests > atEpoch.length) {
      atEpoch.push(kb);
      console.log(`  epoch ${tests}: ${(kb / 1024).toFixed(0)} MB PSS`);
    }
    await page.waitForTimeout(process.env.NOMEM === "1" ? 1000 : 200);
  }
  const backend = await page.locator("#mnist-device [data-backend]").getAttribute("data-backend");
  const workers = new URL(page.url()).searchParams.get("workers");
  const epochTimes = [...((await page.locator("#mnist-log").textContent()) ?? "").matchAll(/TEST set: .*\(([\d.]+) s\)/g)].map((m) => Number(m[1]));
  const [first, last] = [seen[0], seen[seen.length - 1]];
  const ms = last && first && last[1] > first[1] ? ((last[0] - first[0]) * 1000) / (last[1] - first[1]) : NaN;
  const accuracies = [...((await page.locator("#mnist-log").textContent()) ?? "").matchAll(/TEST set: .*Test Accuracy: ([\d.]+)%/g)].map((m) => m[1]);
  const wall = await page.evaluate(() => Object.entries(globalThis.__milestonesShown).map(([m, ms]) => `${m} % ${(ms / 1000).toFixed(1)} s`).join(", "));
  const milestones = `${(await page.locator("#mnist-milestones").textContent()) ?? ""} Wall-clock from the click on Start: ${wall || "none"}.`;
  const epochText = full ? `; epochs ${epochTimes.map((s) => `${s} s`).join(", ")} with the test; test accuracy ${accuracies.join(", ")} %; ${milestones}` : "";
  console.log(`${label}: ${recipe} batch ${batch} on ${backend}, workers=${workers}: ${ms.toFixed(1)} ms/step over ${last[1] - first[1]} steps${epochText}; renderer memory peak ${(peak / 1024).toFixed(0)} MB PSS`);
  await browser.close();
}

/** The engine's own bench of `steps` steps on each backend, in one WebGPU-enabled tab. */
async function engineBench() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--enable-unsafe-webgpu"] });
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator("body[data-mnist-ready=true]").waitFor({ timeout: 600_000 });
  for (const backend of (process.env.BACKENDS ?? "wgpu,flex").split(",")) {
    const t = await page.evaluate(async ([recipe, batch, steps, backend]) => {
      const { mnist } = globalThis.gradbook;
      const config = { ...(await mnist.call("recipes")).find(([name]) => name === recipe)[1], batchSize: batch };
      return mnist.call("bench", config, backend, 2, steps);
    }, [recipe, Number(batch), Number(steps), backend]);
    const on = t.adapter ? `${t.device} (${t.adapter.name || "unnamed adapter"}${t.adapter.software ? ", software" : ""})` : t.device;
    const kernels = t.kernelsPerStep === null ? "" : `, ${t.kernelsPerStep} kernels/step`;
    console.log(`engine: ${t.model} batch ${t.batch} on ${on}: ${t.msPerStep.toFixed(1)} ms/step${kernels}`);
  }
  await browser.close();
}

try {
  if (devices === "engine") await engineBench();
  if (devices.includes("wgpu")) await measure(["--enable-unsafe-webgpu"], "WebGPU (software adapter)");
  for (let round = 0; round < rounds; round++) {
    for (const k of workerCounts.length ? workerCounts : [null]) {
      url = k === null ? baseUrl : `${baseUrl}&workers=${k}`;
      if (devices.includes("flex")) await measure(["--disable-webgpu"], "no WebGPU (Flex in wasm)");
    }
  }
} finally {
  server.kill();
}
