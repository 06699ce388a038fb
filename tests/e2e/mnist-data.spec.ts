// `npm start` without MNIST_DIR: the files are fetched once into the cache folder, checked, and
// reused; a corrupted file or a server that stops mid-file keeps nothing. Mirrors on this
// machine (GRADBOOK_MNIST_MIRRORS) serve ../shared/mnist, changed as each case needs.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { cacheDir, mnistDir } from "../../scripts/mnist-data.ts";
import { needsData } from "./mnist-helpers";

needsData();
const SOURCE = process.env.MNIST_DIR ?? "";

/** A mirror serving MNIST_DIR's files, each answer as `serve` makes it (body, announced length). */
async function mirror(serve: (name: string, bytes: Buffer) => [Buffer, number]): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const name = (req.url ?? "").slice(1);
    const path = join(SOURCE, name);
    if (!existsSync(path)) return void res.writeHead(404).end();
    const [body, length] = serve(name, readFileSync(path));
    res.writeHead(200, { "Content-Length": length });
    res.write(body);
    // Cut off: close the connection under the announced length.
    if (body.length < length) res.socket?.destroy();
    else res.end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

test("without MNIST_DIR the files are fetched once into the cache, checked; a bad or cut-off file keeps nothing", async () => {
  const saved = { ...process.env };
  const cache = mkdtempSync(join(tmpdir(), "gradbook-cache-"));
  const lines: string[] = [];
  const say = (l: string) => void lines.push(l);
  try {
    delete process.env.MNIST_DIR;
    process.env.XDG_CACHE_HOME = cache;
    const dir = cacheDir();
    expect(dir).toBe(join(cache, "gradbook", "mnist"));
    const kept = () => (existsSync(dir) ? readdirSync(dir).sort() : []);

    const corrupt = await mirror((name, bytes) => {
      if (name.startsWith("t10k-labels")) bytes[bytes.length >> 1] ^= 0xff;
      return [bytes, bytes.length];
    });
    process.env.GRADBOOK_MNIST_MIRRORS = corrupt.url;
    const bad = await mnistDir(say);
    corrupt.close();
    expect("error" in bad && bad.error).toMatch(/t10k-labels-idx1-ubyte\.gz: (not a valid gzip file|checksum mismatch)/);
    expect(kept()).toEqual(["t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]);

    const cut = await mirror((_, bytes) => [bytes.subarray(0, bytes.length >> 1), bytes.length]);
    process.env.GRADBOOK_MNIST_MIRRORS = cut.url;
    const broken = await mnistDir(say);
    cut.close();
    expect("error" in broken && broken.error).toContain("could not download t10k-labels-idx1-ubyte.gz from any mirror (is this machine offline?)");
    expect(kept()).not.toContain("t10k-labels-idx1-ubyte.gz");
    expect(kept().filter((f) => f.endsWith(".part"))).toEqual([]);

    const good = await mirror((_, bytes) => [bytes, bytes.length]);
    process.env.GRADBOOK_MNIST_MIRRORS = good.url;
    lines.length = 0;
    expect(await mnistDir(say)).toEqual({ dir });
    good.close();
    expect(lines.join("\n")).toContain("fetching t10k-labels-idx1-ubyte.gz");
    expect(lines).toContain("  t10k-labels-idx1-ubyte.gz: 5 kB of 5 kB");
    // Offline now: what is cached is used, nothing fetched.
    process.env.GRADBOOK_MNIST_MIRRORS = "http://127.0.0.1:9/";
    lines.length = 0;
    expect(await mnistDir(say)).toEqual({ dir });
    expect(lines).toEqual([]);
  } finally {
    process.env = saved;
    rmSync(cache, { recursive: true, force: true });
  }
});
