// A small W3C WebDriver client for WebKit: Safari's engine as WebKitGTK ships it, driven by its
// WebDriver server (`WebKitWebDriver`, Debian's webkit2gtk-driver) on a virtual display
// (xvfb-run). Playwright's own WebKit build cannot be downloaded here and Playwright cannot drive
// a stock WebKit, so the WebKit tests speak the standard protocol directly: a session, pages,
// scripts, and real clicks and typing through the driver.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { untilStill } from "./still";

/** MiniBrowser, WebKitGTK's test browser (it has no headless mode: hence the virtual display). */
export const MINIBROWSER = process.env.MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const PORT = 4455;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf"; // the W3C name of an element reference

export function webkitAvailable(): boolean {
  return existsSync(MINIBROWSER) && existsSync("/usr/bin/WebKitWebDriver") && existsSync("/usr/bin/xvfb-run");
}

export class WebKit {
  private constructor(private driver: ChildProcess, private session: string) {}

  /** Starts the driver and one browser session. `LANG=C` as in CI: WebKit then reports the
   *  language "C", which `Intl` refuses (the page must cope). */
  static async start(): Promise<WebKit> {
    const driver = spawn("xvfb-run", ["-a", "WebKitWebDriver", `--port=${PORT}`], { stdio: "ignore", detached: true, env: { ...process.env, LANG: "C", LC_ALL: "C" } });
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${PORT}/status`);
        if (r.ok) break;
      } catch {
        if (i > 100) throw new Error("WebKitWebDriver did not start");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const capabilities = { browserName: "MiniBrowser", "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] } };
    const r = await call("POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new WebKit(driver, r.sessionId);
  }

  private cmd(method: string, path: string, body?: unknown): Promise<any> {
    return call(method, `/session/${this.session}${path}`, body);
  }

  go(url: string): Promise<void> {
    return this.cmd("POST", "/url", { url });
  }

  reload(): Promise<void> {
    return this.cmd("POST", "/refresh", {});
  }

  /** Runs `fn(...args)` in the page and returns its (JSON) result; a promise is awaited. */
  run<T>(fn: string | ((...args: any[]) => T | Promise<T>), ...args: unknown[]): Promise<T> {
    const source = typeof fn === "string" ? fn : `return (${fn.toString()})(...arguments)`;
    return this.cmd("POST", "/execute/sync", { script: source, args });
  }

  /** Waits until `fn(...args)` in the page returns something truthy, and returns it. */
  async until<T>(fn: (...args: any[]) => T, args: unknown[] = [], timeout = 60_000, what = fn.toString()): Promise<T> {
    const end = Date.now() + timeout;
    // What the driver last said instead of a value: when the page stalls, the timeout says how.
    let refused = "";
    for (;;) {
      const value = await this.run(fn, ...args).then(
        (v) => ((refused = ""), v),
        (e) => void (refused = ` (the driver's last answer was an error: ${e.message})`),
      );
      if (value) return value as T;
      if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}${refused}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The text of `selector` once it matches `pattern`. */
  text(selector: string, pattern: RegExp, timeout = 60_000): Promise<string> {
    return this.until((sel: string, source: string) => {
      const t = document.querySelector(sel)?.textContent ?? "";
      return new RegExp(source).test(t) ? t : "";
    }, [selector, pattern.source], timeout, `${selector} to match ${pattern}`);
  }

  private async element(selector: string): Promise<string> {
    const r = await this.cmd("POST", "/element", { using: "css selector", value: selector });
    return r[ELEMENT];
  }

  /** A real click, through the driver, on `selector`, once it is scrolled into view and has
   *  stopped moving (`untilStill`): one that landed beside a moving Start left the test
   *  waiting minutes for a run that never started (the "stalls" of 1 run in 5–25). */
  async click(selector: string): Promise<void> {
    await this.box(selector);
    await this.cmd("POST", `/element/${await this.element(selector)}/click`, {});
  }

  /** A finger on the screen, through the driver's pointer actions (W3C `pointerType: "touch"`):
   *  down at the first point, moved through the others, lifted at the last. Points are in the
   *  viewport's CSS pixels. */
  async touch(points: [number, number][], msPerMove = 50): Promise<void> {
    const at = ([x, y]: [number, number]) => ({ type: "pointerMove", duration: msPerMove, origin: "viewport", x: Math.round(x), y: Math.round(y) });
    const actions = [{ ...at(points[0]), duration: 0 }, { type: "pointerDown", button: 0 }, ...points.slice(1).map(at), { type: "pointerUp", button: 0 }];
    await this.cmd("POST", "/actions", { actions: [{ type: "pointer", id: "finger", parameters: { pointerType: "touch" }, actions }] });
    await this.cmd("DELETE", "/actions");
  }

  /** `selector`'s box in the viewport, scrolled to the middle of the screen, once it stays put
   *  for a quarter of a second (cells that are still filling in move what is below them). */
  async box(selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
    return untilStill(() => this.run((sel: string) => {
      const el = document.querySelector(sel)!;
      el.scrollIntoView({ block: "center" });
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    }, selector));
  }

  /** Types `text` into `selector` (replacing what it holds); for a file input, `text` is a path. */
  async type(selector: string, text: string, clear = true): Promise<void> {
    const id = await this.element(selector);
    if (clear) await this.cmd("POST", `/element/${id}/clear`, {});
    await this.cmd("POST", `/element/${id}/value`, { text });
  }

  /** Console errors and uncaught exceptions the page has seen, recorded by `watchErrors`. */
  errors(): Promise<string[]> {
    return this.run(() => (window as any).__errors ?? []);
  }

  /** Records uncaught exceptions and rejections (WebDriver classic has no console log). */
  watchErrors(): Promise<void> {
    return this.run(() => {
      const w = window as any;
      w.__errors ??= [];
      addEventListener("error", (e) => w.__errors.push(String(e.message)));
      addEventListener("unhandledrejection", (e) => w.__errors.push(String(e.reason)));
      const error = console.error;
      console.error = (...a: unknown[]) => { w.__errors.push(a.map(String).join(" ")); error(...a); };
    });
  }

  async close(): Promise<void> {
    await this.cmd("DELETE", "").catch(() => {});
    try {
      process.kill(-this.driver.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await r.json()) as { value: any };
  if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
  return json.value;
}
