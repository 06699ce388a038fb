// Storage a student can trust: the page asks the browser to keep its saved runs
// (`navigator.storage.persist()`), says how much it keeps, and, where the browser has not
// promised to keep them, says that it may clear them (Safari does after seven days without a
// visit), so that nobody counts on a run the browser may drop.
import { count } from "../format";

let asked: Promise<boolean> | null = null;

/** Asks once per page, at the first saved run: browsers grant it without a prompt or not at all. */
export function askToKeep(): Promise<boolean> {
  asked ??= (async () => {
    try {
      return (await navigator.storage?.persist?.()) ?? false;
    } catch {
      return false;
    }
  })();
  return asked;
}

/** Whether the browser has promised to keep what the page stores. */
export async function persisted(): Promise<boolean> {
  try {
    return (await navigator.storage?.persisted?.()) ?? false;
  } catch {
    return false;
  }
}

/** "The page keeps 41 MB in this browser (…)" and whether the browser may clear it. */
export async function describeStorage(): Promise<string> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  const kept = await persisted();
  const size = estimate?.usage === undefined ? "" : `The page keeps ${count(Math.ceil(estimate.usage / 1e6))} MB in this browser (its runs, the engine and the data); Forget all runs frees the runs. `;
  return size + (kept ? "The browser has promised to keep it." : EVICTION);
}

/** What may happen to saved runs in a browser that has not promised to keep them. */
export const EVICTION = "This browser may clear it after some days without a visit (Safari does after seven): download the weights of a run you want to keep.";
