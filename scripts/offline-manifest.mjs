// Stamps a built site's service worker with what it must keep for offline use: every built
// file but the worker itself, the MNIST data and the fonts in formats no browser here asks
// for; the engines listed apart (a browser keeps only the one it runs); and a hash of all the
// files. A changed build is then a changed sw.js, which is how browsers learn that a new
// deployment exists.
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

const built = [...walk(dist)].filter((f) => f !== "sw.js" && !f.startsWith("mnist/")).sort();
const hash = createHash("sha256");
for (const f of built) hash.update(f).update("\0").update(readFileSync(join(dist, f))).update("\0");
const version = hash.digest("hex").slice(0, 16);
// The two engines' modules: a browser runs one, which the page asks the service worker to keep.
const engines = built.filter((f) => /_bg\.wasm-[\w-]+\.xz$/.test(f));
// KaTeX's fonts also come as .woff and .ttf for browsers without WOFF2; none that runs this
// page (wasm, module workers) lacks it, so those never leave the server.
const files = built.filter((f) => !engines.includes(f) && !/\.(woff|ttf)$/.test(f));

const line = /^const BUILD = .*;$/m;
const source = readFileSync(worker, "utf8");
if (!line.test(source)) throw new Error(`${worker} has no 'const BUILD = …;' line to stamp`);
writeFileSync(worker, source.replace(line, `const BUILD = ${JSON.stringify({ version, files, engines })};`));
console.log(`${worker}: build ${version}, ${files.length} files kept for offline use, and the engine a browser runs (of ${engines.length})`);
