// Where the page's CPU engine spends a training step: the engine's own bench (the same code as
// `gradbook bench`) run in node on a wasm build that keeps its function names, under V8's
// sampling profiler; prints ms per step and each function's share of the samples, with, for the
// top ones, who called them. Node's V8 is not Chromium's, but it compiles the same wasm the same
// way, and it needs no browser: a kernel change is measured in seconds.
//
//   cargo build --lib --target wasm32-unknown-unknown --profile release --no-default-features
//   wasm-bindgen --target web --out-dir target/wasm-profile --out-name gradbook_cpu \
//     target/wasm32-unknown-unknown/release/gradbook.wasm
//   node bench/wasm-profile.mjs [recipe=quick] [batch=16] [steps=300] [top=25]
//
// (batch 16: one replica's slice of `quick`'s 32 at the page's two workers.) `CALLERS=N` lists
// the N commonest callers of each function above 3 % (default 1). Without the
// profile, `PROFILE=0` only times it: interleave two builds' runs to compare them.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Session } from "node:inspector/promises";

const [recipe = "quick", batch = "16", steps = "300", top = "25"] = process.argv.slice(2);
const dir = resolve(process.env.PKG ?? "target/wasm-profile");
const glue = await import(join(dir, "gradbook_cpu.js"));
glue.initSync({ module: readFileSync(join(dir, "gradbook_cpu_bg.wasm")) });
const config = { ...new Map(glue.mnistRecipes()).get(recipe), batchSize: Number(batch) };

const session = new Session();
const profiling = process.env.PROFILE !== "0";
if (profiling) {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
}
const timing = await glue.mnistBench(config, "flex", 5, Number(steps));
console.log(`${recipe} batch ${batch}: ${timing.msPerStep.toFixed(2)} ms/step over ${steps} steps`);
if (!profiling) process.exit(0);
const { profile } = await session.post("Profiler.stop");

// Self time per function, and each function's callers two frames up.
const name = (n) => (n.callFrame.functionName || "(anonymous)").replace(/::h[0-9a-f]{16}$/, "");
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const self = new Map();
const callers = new Map();
for (const n of profile.nodes) {
  const h = hits.get(n.id) ?? 0;
  if (h === 0) continue;
  const k = name(n);
  self.set(k, (self.get(k) ?? 0) + h);
  const chain = [];
  for (let q = parent.get(n.id); q && chain.length < 2; q = parent.get(q.id)) chain.push(name(q).split("::").slice(-2).join("::"));
  const by = callers.get(k) ?? new Map();
  by.set(chain.join(" ← "), (by.get(chain.join(" ← ")) ?? 0) + h);
  callers.set(k, by);
}
const total = profile.samples.length;
const callersShown = Number(process.env.CALLERS ?? 1);
for (const [k, h] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${((100 * h) / total).toFixed(1).padStart(5)} %  ${k.slice(0, 110)}`);
  if (h / total <= 0.03) continue;
  for (const [chain, n] of [...callers.get(k)].sort((a, b) => b[1] - a[1]).slice(0, callersShown)) {
    console.log(`          from ${chain} (${((100 * n) / h).toFixed(0)} % of it)`);
  }
}
