// The page's pure TypeScript (the address and the settings of both parts) under node's own test
// runner: vite bundles each tests/unit/*.test.ts, resolving the page's imports as the page's
// build does, and node runs the bundles. No browser; a second or two.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { build } from "vite";

const tests = readdirSync("tests/unit").filter((f) => f.endsWith(".test.ts"));
const out = "target/unit";
await build({
  configFile: false,
  logLevel: "warn",
  build: {
    ssr: true,
    outDir: out,
    emptyOutDir: true,
    rollupOptions: {
      input: Object.fromEntries(tests.map((f) => [f.replace(/\.ts$/, ""), `tests/unit/${f}`])),
      output: { entryFileNames: "[name].mjs" },
    },
  },
});
const run = spawnSync(process.execPath, ["--test", ...tests.map((f) => `${out}/${f.replace(/\.ts$/, ".mjs")}`)], { stdio: "inherit" });
process.exit(run.status ?? 1);
