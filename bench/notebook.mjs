// Times the built notebook (dist/) in Chromium: time to first interactive, and 6 learning
// rates × N iterations on the exact path, on burn/WebGPU and on burn/Flex (WebGPU disabled).
//
//   npm run build && node bench/notebook.mjs [iterations=1000]
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";

const iterations = Number(process.argv[2] ?? 1000);
const url = "http://127.0.0.1:4174/";
const server = spawn("npx", ["vite", "preview", "--port", "4174", "--strictPort"], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 2000));

async function measure(args, label) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", ...args] });
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.locator("#status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 600_000 });
  const interactive = Date.now() - t0;
  await page.locator("#autodiff [data-backend]").waitFor({ timeout: 600_000 });

  await page.fill('#params input[name="iterations"]', String(iterations));
  const t1 = Date.now();
  await page.click('#params button[type="submit"]');
  await page.locator("#status").filter({ hasText: `× ${iterations} iterations` }).waitFor({ timeout: 600_000 });
  const exact = Date.now() - t1;
  await page.locator("#autodiff").filter({ hasText: `× ${iterations} iterations on` }).waitFor({ timeout: 1_800_000 });
  const burn = await page.locator("#autodiff").textContent();
  const backend = await page.locator("#autodiff [data-backend]").getAttribute("data-backend");
  const ms = /in (\d+) ms/.exec(burn ?? "")?.[1];
  const diff = await page.locator("#max-diff").textContent();
  console.log(`${label}: first interactive ${interactive} ms; exact path (6 × ${iterations}, incl. transfer and drawing) ${exact} ms; burn on ${backend} ${ms} ms, max |diff| ${diff}`);
  await browser.close();
}

try {
  await measure(["--enable-unsafe-webgpu"], "WebGPU (software adapter)");
  await measure(["--disable-webgpu"], "no WebGPU (Flex)");
} finally {
  server.kill();
}
