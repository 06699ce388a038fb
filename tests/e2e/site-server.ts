// A static file server for a copy of the built site, for the tests that redeploy it: what a
// static host does (files by path, index.html for a folder, the content types browsers check,
// gzip, an ETag so that a cached file is revalidated with a 304 rather than sent again) and
// nothing more. It counts what it sends, so a test can say what a visit downloads.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".gz": "application/gzip",
  ".xz": "application/x-xz",
};
/** Already compressed: sent as they are. */
const COMPRESSED = new Set([".woff2", ".woff", ".gz", ".xz"]);

/** One response with a body: the path under the site and the bytes that went over the wire. */
export type Sent = { path: string; bytes: number };

export type Site = { url: string; sent: Sent[]; close: () => Promise<void> };

/** Serves `dir` under `base` (e.g. "/class/gradbook/"); resolves with the site's address and
 *  the list of what it has sent so far. */
export async function serveSite(dir: string, base: string): Promise<Site> {
  const sent: Sent[] = [];
  const zipped = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (!path.startsWith(base)) return void res.writeHead(404).end();
    let file = normalize(join(dir, path.slice(base.length)));
    if (!file.startsWith(normalize(dir))) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) return void res.writeHead(404).end();
    const raw = readFileSync(file);
    const etag = `"${createHash("sha256").update(raw).digest("hex").slice(0, 16)}"`;
    // no-cache: the browser may keep a copy but asks each time whether it is still current.
    const headers: Record<string, string | number> = { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-cache", ETag: etag };
    if (req.headers["if-none-match"] === etag) return void res.writeHead(304, headers).end();
    const gzip = !COMPRESSED.has(extname(file)) && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gzip ? zipped.get(etag) ?? zipped.set(etag, gzipSync(raw)).get(etag)! : raw;
    if (gzip) headers["Content-Encoding"] = "gzip";
    res.writeHead(200, { ...headers, "Content-Length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
    if (req.method !== "HEAD") sent.push({ path: path.slice(base.length), bytes: body.length });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${base}`, sent, close: () => new Promise((ok) => server.close(() => ok())) };
}
