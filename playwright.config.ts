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
    // One retry: about one whole Firefox run in six, the page stops answering the driver for
    // three minutes in a Part 2 test (seen at 6879584 too; the cause is not found:
    // docs/results.md). A retry that passes is reported as flaky, not hidden.
    { name: "firefox", testMatch: "firefox.spec.ts", retries: 1 },
    // WebKit's Part 2 test stalls the same way now and then (1 of 5 whole-project runs at
    // a51ce65, 3 of 8 on the next change; run alone, 5 of 5 passed): retried once, and
    // reported as flaky when a retry passes.
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
