// Offline support: every same-origin file the notebook fetched once (page, scripts, wasm,
// fonts) is answered from this cache when the network is gone. Online, the
// network wins, so a new deployment shows up on the next visit.
const CACHE = "gradbook-site-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // The MNIST files have their own cache (www/mnist/worker.ts); keeping them twice would cost 11 MB.
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.includes("/mnist/")) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request).then((hit) => hit ?? Response.error())),
  );
});
