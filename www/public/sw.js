// Offline support: the site's own built files (the page, scripts, wasm, fonts: the list that
// scripts/build.sh writes to offline-files.json), once fetched, are answered from this cache
// when the network is gone. Online, the network wins, so a new deployment shows up on the next
// visit. Nothing else is cached: not other pages of the same origin, not the MNIST files (they
// have their own, checked cache: www/mnist/worker.ts), and the page once, whatever its settings.
const CACHE = "gradbook-site-v2";
const scope = new URL(self.registration.scope);

let built = null;
/** The built files, relative to this worker's folder ("" is the page). */
function builtFiles() {
  built ??= fetch(new URL("offline-files.json", scope))
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`offline-files.json: ${r.status}`))))
    .then((list) => new Set(["", "index.html", ...list]))
    .catch(() => {
      built = null; // ask again next time
      return new Set();
    });
  return built;
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) =>
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("gradbook-site-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  ),
);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const path = url.pathname.slice(scope.pathname.length);
  if (path.startsWith("mnist/")) return;
  event.respondWith(answer(request, path));
});

async function answer(request, path) {
  // One entry per file: the page's address without its settings (`?recipe=…`).
  const key = new URL(path, scope).href;
  try {
    const response = await fetch(request);
    if (response.ok && (await builtFiles()).has(path)) {
      const cache = await caches.open(CACHE);
      await cache.put(key, response.clone());
    }
    return response;
  } catch {
    return (await caches.match(key)) ?? Response.error();
  }
}
