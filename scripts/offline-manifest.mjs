// Stamps a built site's service worker with what it must keep for offline use: every built
// file but the worker itself and the MNIST data, and a hash of their contents. A changed build
// is then a changed sw.js, which is how browsers learn that a new deployment exists.
//   node scripts/offline-manifest.mjs [DIST]   (default dist/)
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dist = process.argv[2] ?? "dist";
const worker = join(dist, "sw.js");

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield relative(dist, path).split(sep).join("/");
  }
}

const files = [...walk(dist)].filter((f) => f !== "sw.js" && !f.startsWith("mnist/")).sort();
const hash = createHash("sha256");
for (const f of files) hash.update(f).update("\0").update(readFileSync(join(dist, f))).update("\0");
const version = hash.digest("hex").slice(0, 16);

const line = /^const BUILD = .*;$/m;
const source = readFileSync(worker, "utf8");
if (!line.test(source)) throw new Error(`${worker} has no 'const BUILD = …;' line to stamp`);
writeFileSync(worker, source.replace(line, `const BUILD = ${JSON.stringify({ version, files })};`));
console.log(`${worker}: build ${version}, ${files.length} files kept for offline use`);
