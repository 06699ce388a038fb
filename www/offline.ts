// Registers the service worker (www/public/sw.js) so the notebook works offline after a first
// visit. Only in the built site: during development it would serve stale modules.
export function enableOffline(): void {
  if (import.meta.env.PROD && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(new URL("sw.js", document.baseURI)).catch((e) => console.warn("offline support unavailable:", e));
  }
}
