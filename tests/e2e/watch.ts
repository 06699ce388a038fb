// What every end-to-end test watches a page for: console errors, uncaught exceptions, a
// Content-Security-Policy violation, and any request to an origin other than the page's own.
import type { Page } from "@playwright/test";

export function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => {
    const url = new URL(r.url());
    const own = new URL(page.url() === "about:blank" ? r.url() : page.url()).origin;
    if (!["data:", "blob:"].includes(url.protocol) && url.origin !== own) errors.push(`request to another origin: ${r.url()}`);
  });
  void page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`)));
  return errors;
}

/** The names of the engine modules (xz-compressed wasm) the page and its engine worker request
 *  from now on: which build of the engine it chose (tests/e2e/engine.spec.ts, fallback.spec.ts). */
export function wasmRequests(page: Page): string[] {
  const names: string[] = [];
  page.on("request", (r) => {
    const name = new URL(r.url()).pathname.split("/").pop()!;
    if (/\.wasm\b/.test(name)) names.push(name);
  });
  return names;
}
