// Registers the service worker (www/public/sw.js) so the notebook works offline after a first
// visit. Only in the built site: during development it would serve stale modules.
const enabled = import.meta.env.PROD && "serviceWorker" in navigator;

/** The engine modules this page loaded (the engine's, and the CPU engine its replica workers
 *  run), for whichever service worker is in charge. */
const engineModules = new Set<string>();

function keepEngine(worker: ServiceWorker | null | undefined): void {
  for (const url of engineModules) worker?.postMessage({ keep: url });
}

export function enableOffline(): void {
  if (!enabled) return;
  navigator.serviceWorker.register(new URL("sw.js", document.baseURI)).catch((e) => console.warn("offline support unavailable:", e));
  // A new deployment's worker takes over with a cache of its own: it is told again.
  navigator.serviceWorker.addEventListener("controllerchange", () => keepEngine(navigator.serviceWorker.controller));
}

/** Asks the service worker to keep the engine this browser loaded (`url`, a wasm module): it
 *  stores only the one of the two engines that is used, from the browser's cache, not again
 *  from the network. */
export function keepEngineOffline(url: string): void {
  if (!enabled) return;
  engineModules.add(url);
  void navigator.serviceWorker.ready.then((registration) => keepEngine(registration.active));
}
