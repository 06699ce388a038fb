// Prints a file's size as it travels: raw, gzip -9 (what most static hosts send) and brotli 11
// (what a CDN may send); an .xz file's own size.   node scripts/wasm-size.mjs FILE...
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  // Compressed already (the module as the page fetches it): a host sends it as it is.
  if (file.endsWith(".xz")) {
    console.log(`${file}: ${mb(bytes.length)} (${bytes.length} bytes), sent as it is`);
    continue;
  }
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length;
  console.log(`${file}: ${mb(bytes.length)} raw (${bytes.length} bytes), ${mb(gzip)} gzip, ${mb(brotli)} brotli`);
}
