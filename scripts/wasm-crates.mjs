// What takes a wasm module's bytes, summed by the crate each function comes from (for a trait
// impl, `<Type as Trait>::f`, the type's crate), from twiggy's list of every item:
//   twiggy top -n 1000000 -f csv MODULE.wasm > top.csv && node scripts/wasm-crates.mjs top.csv [N]
// The module needs its name section (wasm-bindgen without --remove-name-section, cargo with
// strip = false): docs/results.md says how the figures there were made.
import { readFileSync } from "node:fs";

const [file, top = "25"] = process.argv.slice(2);
const byCrate = new Map();
for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
  // Name,ShallowSize,... where Name is quoted and may hold commas.
  const m = line.match(/^"((?:[^"]|"")*)",(\d+),/) ?? line.match(/^([^,]*),(\d+),/);
  if (!m) continue;
  const name = m[1].replaceAll('""', '"');
  const crate = name.match(/^[<&\s]*(?:dyn |mut )*([a-z_][a-z0-9_]*)::/)?.[1] ?? name.replace(/\[\d+\]$/, "");
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + Number(m[2]));
}
const total = [...byCrate.values()].reduce((a, b) => a + b, 0);
console.log(`${(total / 1e6).toFixed(2)} MB in all`);
for (const [crate, bytes] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${(bytes / 1e6).toFixed(2).padStart(6)} MB  ${((100 * bytes) / total).toFixed(1).padStart(4)} %  ${crate}`);
}
