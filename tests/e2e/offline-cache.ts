// What the site's service worker holds, as the page sees it: for the tests of offline use.
import type { Page } from "@playwright/test";

/** Each cache the site keeps (one per build, normally one), with the paths under the site it
 *  holds, once its service worker is active. */
export async function siteCaches(page: Page): Promise<{ name: string; paths: string[] }[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active!;
    if (worker.state !== "activated") await new Promise((ok) => worker.addEventListener("statechange", ok));
    const names = (await caches.keys()).filter((n) => n.startsWith("gradbook-site-"));
    return Promise.all(names.map(async (name) => ({
      name,
      paths: (await (await caches.open(name)).keys()).map((r) => r.url.slice(registration.scope.length)),
    })));
  });
}

/** An engine's module (`assets/gradbook_bg.wasm-….xz`, `assets/gradbook_cpu_bg.wasm-….xz`). */
export const isEngine = (path: string) => /_bg\.wasm-[\w-]+\.xz$/.test(path);
