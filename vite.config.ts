import { copyFileSync, createReadStream, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type Plugin } from "vite";
import { MNIST_FILES } from "./www/generated/engine.ts";
import { mnistDir } from "./scripts/mnist-data.ts";

/** Serves the MNIST files at mnist/ during `npm start` and copies them into dist/mnist/ on
 *  `npm run build`: from $MNIST_DIR, or else from the cache folder they are fetched into once
 *  (scripts/mnist-data.ts). Without them Part 1 still works, and Part 2 says what is missing. */
function mnistData(): Plugin {
  let found: ReturnType<typeof mnistDir> | null = null;
  const data = async () => {
    const r = await (found ??= mnistDir());
    if ("error" in r) console.warn(`\n  gradbook: Part 2 needs the MNIST files: ${r.error}.\n  Part 1 works without them.\n`);
    return "dir" in r ? r.dir : null;
  };
  return {
    name: "gradbook-mnist-data",
    async configureServer(server) {
      const dir = await data();
      server.middlewares.use("/mnist", (req, res, next) => {
        const name = (req.url ?? "").replace(/^\//, "").split("?")[0];
        if (!MNIST_FILES.includes(name)) return next();
        if (!dir) {
          // A clear 404, not the dev server's index.html fallback, which the page would try to parse.
          res.statusCode = 404;
          return res.end(`${name} is not served: the MNIST files were not found (see the terminal running npm start)`);
        }
        const path = join(dir, name);
        res.setHeader("Content-Type", "application/gzip");
        res.setHeader("Content-Length", String(statSync(path).size));
        createReadStream(path).pipe(res);
      });
    },
    async closeBundle() {
      const dir = await data();
      if (!dir) return;
      mkdirSync("dist/mnist", { recursive: true });
      for (const f of MNIST_FILES) copyFileSync(join(dir, f), join("dist/mnist", f));
    },
  };
}

/** The built page's Content-Security-Policy: everything from the site itself, nothing else.
 *  Beyond `'self'`: `'wasm-unsafe-eval'` to compile the engine's WebAssembly (and
 *  the xz decoder's, www/engine-module.ts); `data:` images
 *  for the empty favicon (which spares a request for /favicon.ico); inline styles because KaTeX
 *  lays out formulas with style attributes, as the page does its computed sizes. Only in the
 *  build: the dev server injects what a strict policy would block. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

function contentSecurityPolicy(): Plugin {
  return {
    name: "gradbook-csp",
    apply: "build",
    transformIndexHtml: (html) => html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`),
  };
}

// `base: "./"` makes every URL relative, so dist/ works from any static server under any sub-path.
export default defineConfig({
  base: "./",
  publicDir: "www/public",
  plugins: [mnistData(), contentSecurityPolicy()],
  // No assets inlined as data: URLs (small KaTeX fonts were): the CSP allows fonts from the site only.
  build: { outDir: "dist", target: "es2022", chunkSizeWarningLimit: 4096, assetsInlineLimit: 0 },
  worker: { format: "es" },
  server: { host: "127.0.0.1", port: 5173, strictPort: false },
  preview: { host: "127.0.0.1", port: 4173 },
});
