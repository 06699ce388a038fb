// Offline support: on the first visit this worker stores the built site (the page, scripts,
// fonts) in one cache named after the build, and the page asks it to add the one engine this
// browser runs (www/offline.ts), so the next visit works without a network, whatever the page's
// settings (`?recipe=…`). Online, the network wins; offline, the cache answers. A new
// deployment is a new worker (scripts/offline-manifest.mjs stamps the build's files and their
// content hash below), which stores the new files whole and then deletes the old cache: a
// visit never mixes one build's scripts with another's wasm.
// Not cached here: the MNIST files (they have their own, checked cache: www/mnist/handlers.ts).
const BUILD = { version: "dev", files: [], engines: [] };
const CACHE = `gradbook-site-${BUILD.version}`;
const scope = new URL(self.registration.scope);

/** The cache key of a path under the site: the page is one entry, with or without index.html. */
const key = (path) => new URL(path === "index.html" ? "" : path, scope).href;

/** Stores `path` as the server has it now. `no-cache`: the browser's copy (the file this visit
 *  just downloaded) is used only once the server confirms it is current, so nothing is
 *  downloaded twice and nothing of the last build is stored. */
function store(cache, path) {
  return fetch(new Request(key(path), { cache: "no-cache" })).then((response) => {
    if (!response.ok) throw new Error(`${path || "the page"}: ${response.status}`);
    return cache.put(key(path), response);
  });
}

self.addEventListener("install", (event) =>
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.all(["", ...BUILD.files].map((path) => store(cache, path))))
      .then(() => self.skipWaiting()),
  ),
);

self.addEventListener("activate", (event) =>
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("gradbook-site-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  ),
);

// The page names the engine it loaded: kept if it is one of this build's.
self.addEventListener("message", (event) => {
  const url = new URL(String(event.data?.keep ?? ""), scope);
  const path = url.pathname.slice(scope.pathname.length);
  if (url.origin === scope.origin && BUILD.engines.includes(path)) {
    event.waitUntil(caches.open(CACHE).then(async (cache) => (await cache.match(key(path))) ?? store(cache, path)));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const path = url.pathname.slice(scope.pathname.length);
  if (path.startsWith("mnist/")) return;
  event.respondWith(fetch(request).catch(async () => (await caches.match(key(path), { cacheName: CACHE })) ?? Response.error()));
});
