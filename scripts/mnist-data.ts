// Where `npm start` and `npm run build` find the MNIST files: $MNIST_DIR, or else the platform's
// cache folder, where they are fetched once as `gradbook download` does (the same mirrors,
// `GRADBOOK_MNIST_MIRRORS` to replace them, and the SHA-256 of each file's decompressed bytes:
// www/generated/engine.ts, from src/mnist/data/mod.rs). A file is checked before it takes its
// final name, so a corrupted or cut-off download keeps nothing.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, platform } from "node:os";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { MNIST_FILES, MNIST_MIRRORS, MNIST_SHA256 } from "../www/generated/engine.ts";

/** The CLI's cache folder too (src/bin/gradbook/download.rs `cache_dir`), so one download serves both. */
export function cacheDir(): string {
  const env = (name: string) => process.env[name] || null;
  const base = platform() === "win32" ? env("LOCALAPPDATA") ?? join(homedir(), "AppData", "Local")
    : platform() === "darwin" ? join(homedir(), "Library", "Caches")
    : env("XDG_CACHE_HOME") ?? join(homedir(), ".cache");
  return join(base, "gradbook", "mnist");
}

function mirrors(): string[] {
  const list = (process.env.GRADBOOK_MNIST_MIRRORS ?? "").split(/[\s,]+/).filter(Boolean);
  return (list.length ? list : [...MNIST_MIRRORS]).map((m) => (m.endsWith("/") ? m : `${m}/`));
}

/** Why `bytes` are not the file `name`, or null when they are. */
function check(name: string, bytes: Uint8Array): string | null {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch (e) {
    return `not a valid gzip file (${(e as Error).message})`;
  }
  const sum = createHash("sha256").update(raw).digest("hex");
  return sum === MNIST_SHA256[name] ? null : `checksum mismatch (SHA-256 ${sum}, expected ${MNIST_SHA256[name]}): corrupted, or not MNIST`;
}

const size = (n: number) => (n < 1e6 ? `${Math.round(n / 1e3)} kB` : `${(n / 1e6).toFixed(1)} MB`);

async function fetchFile(name: string, to: string, say: (line: string) => void): Promise<void> {
  const reasons: string[] = [];
  for (const mirror of mirrors()) {
    const url = mirror + name;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (!response.ok || !response.body) throw new Error(`${response.status} ${response.statusText}`);
      const total = Number(response.headers.get("content-length")) || 0;
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      let shown = -1;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        chunks.push(chunk);
        loaded += chunk.length;
        const tenth = total ? Math.floor((10 * loaded) / total) : -1;
        if (tenth > shown) say(`  ${name}: ${size(loaded)} of ${size(total)}`);
        shown = tenth;
      }
      if (total && loaded !== total) throw new Error(`the server stopped after ${loaded} of ${total} bytes`);
      const bytes = Buffer.concat(chunks);
      const wrong = check(name, bytes);
      if (wrong) throw Object.assign(new Error(`${url}: ${wrong}`), { final: true });
      writeFileSync(to, bytes);
      return;
    } catch (e) {
      if ((e as { final?: boolean }).final) throw e;
      reasons.push(`${url}: ${(e as Error).message}`);
    }
  }
  throw new Error(`could not download ${name} from any mirror (is this machine offline?):\n    ${reasons.join("\n    ")}`);
}

/** The folder with the four files, fetching what is missing into the cache folder when
 *  MNIST_DIR is not set; or why there is none (a message to show; Part 1 works regardless). */
export async function mnistDir(say: (line: string) => void = console.log): Promise<{ dir: string } | { error: string }> {
  if (process.env.MNIST_DIR) {
    const dir = resolve(process.env.MNIST_DIR);
    const missing = MNIST_FILES.filter((f) => !existsSync(join(dir, f)));
    return missing.length ? { error: `MNIST_DIR=${dir} lacks ${missing.join(", ")}` } : { dir };
  }
  const dir = cacheDir();
  try {
    mkdirSync(dir, { recursive: true });
    for (const name of MNIST_FILES) {
      const path = join(dir, name);
      if (existsSync(path) && check(name, readFileSync(path)) === null) continue;
      say(`gradbook: MNIST_DIR is not set: fetching ${name} into ${dir} (once)`);
      const partial = `${path}.part`;
      try {
        await fetchFile(name, partial, say);
        renameSync(partial, path);
      } finally {
        rmSync(partial, { force: true });
      }
    }
    return { dir };
  } catch (e) {
    return {
      error: `MNIST_DIR is not set and the files could not be fetched into ${dir}: ${(e as Error).message}\n` +
        `  Copy the four MNIST .gz files there by hand, or set MNIST_DIR to a folder that has them`,
    };
  }
}
