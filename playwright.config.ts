// End-to-end tests: the built notebook (dist/) served under a sub-path, driven in the
// system's Chromium, with a real (software) WebGPU adapter; then its main flow in the system's
// Firefox (tests/e2e/firefox.spec.ts, which drives Firefox itself) and in WebKit, Safari's engine
// (tests/e2e/webkit.spec.ts, over WebDriver).
import { defineConfig } from "@playwright/test";

export const BASE_PATH = "/class/gradbook/";
export const BASE_URL = `http://127.0.0.1:4173${BASE_PATH}`;
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--no-sandbox", "--enable-unsafe-webgpu", "--disable-dev-shm-usage"];
/** Debian's Firefox ESR (`firefox` elsewhere). */
export const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox";
/** Chromium as on a machine without WebGPU: the page trains on the CPU backend. */
export const WITHOUT_WEBGPU = { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS.filter((a) => a !== "--enable-unsafe-webgpu"), "--disable-webgpu"] };

export default defineConfig({
  testDir: "tests/e2e",
  timeout: 180_000,
  expect: { timeout: 120_000 },
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    acceptDownloads: true,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
  },
  projects: [
    { name: "chromium", testIgnore: ["firefox.spec.ts", "webkit.spec.ts"] },
    // One retry each, reported as flaky when it passes, not hidden. The Part 2 "stalls" both
    // projects had (a click on Start landing beside the button as the data cell filled in
    // above it: docs/results.md) are fixed in the tests' clicks, and the data cell now keeps
    // its height as it fills in; the retry stays for what a driver over a virtual display
    // still does now and then.
    { name: "firefox", testMatch: "firefox.spec.ts", retries: 1 },
    { name: "webkit", testMatch: "webkit.spec.ts", retries: 1 },
  ],
  webServer: {
    // Serving dist/ under a sub-path checks that every URL in the build is relative.
    command: `vite preview --base ${BASE_PATH} --port 4173 --strictPort`,
    url: BASE_URL,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
