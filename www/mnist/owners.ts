// Which tab owns which stored run. Every tab of the site shares one IndexedDB, so a run one tab
// trains is visible to all: the tab that trains a run holds a Web Lock named after it for as
// long as it trains (the browser releases it when that tab closes or crashes). Another tab
// never resumes, discards, forgets or overwrites a run held by a live tab; a "running" run
// that nobody holds was cut off, and is offered for resuming.
//
// And every tab hears of every change to the stored runs (BroadcastChannel), so their tables
// agree without a reload.
//
// Web Locks need a secure context (https, or localhost). On a plain-http school server the page
// asks the other tabs instead: each answers for the runs it holds, over the same channel.

const CHANNEL = "gradbook-runs";
const lockName = (id: number) => `gradbook-run-${id}`;
const locks: LockManager | undefined = globalThis.navigator?.locks;

type Message = { changed: true } | { who: number } | { holding: number[]; to: number };

const channel = "BroadcastChannel" in globalThis ? new BroadcastChannel(CHANNEL) : null;
/** The runs this tab holds. */
const mine = new Set<number>();
const listeners: (() => void)[] = [];
/** Open questions "who holds what?" (the fallback without Web Locks), by number. */
const asking = new Map<number, Set<number>>();

channel?.addEventListener("message", (event: MessageEvent<Message>) => {
  const m = event.data;
  if ("changed" in m) listeners.forEach((l) => l());
  else if ("who" in m) channel!.postMessage({ holding: [...mine], to: m.who } satisfies Message);
  else if ("holding" in m) m.holding.forEach((id) => asking.get(m.to)?.add(id));
});

/** Calls `listen` whenever another tab changed the stored runs. */
export function onRunsChanged(listen: () => void): void {
  listeners.push(listen);
}

/** Tells the other tabs that the stored runs changed. */
export function runsChanged(): void {
  channel?.postMessage({ changed: true } satisfies Message);
}

/** Holds run `id` for this tab, if no live tab holds it: a function that lets it go, or null
 *  when another tab has it. */
export async function hold(id: number): Promise<(() => void) | null> {
  if (mine.has(id)) return null;
  if (!locks) {
    if ((await heldElsewhere()).has(id)) return null;
    mine.add(id);
    return () => void mine.delete(id);
  }
  return new Promise((resolve) => {
    void locks.request(lockName(id), { ifAvailable: true }, (lock) => {
      if (!lock) return resolve(null);
      mine.add(id);
      // Held until released: the lock's callback returns a promise settled by `release`.
      return new Promise<void>((release) => resolve(() => (mine.delete(id), release())));
    });
  });
}

/** The runs held by other live tabs. */
export async function heldElsewhere(): Promise<Set<number>> {
  if (locks) {
    const state = await locks.query();
    const held = (state.held ?? []).map((l) => /^gradbook-run-(\d+)$/.exec(l.name ?? "")?.[1]).filter((n): n is string => !!n).map(Number);
    return new Set(held.filter((id) => !mine.has(id)));
  }
  if (!channel) return new Set();
  // Without Web Locks: ask, and take what the live tabs answer within a moment.
  const question = Math.random();
  const answers = new Set<number>();
  asking.set(question, answers);
  channel.postMessage({ who: question } satisfies Message);
  await new Promise((r) => setTimeout(r, 250));
  asking.delete(question);
  return answers;
}

/** Resolves once no tab holds run `id` any more (its tab finished, closed or crashed); never,
 *  without Web Locks. */
export function whenReleased(id: number): Promise<void> {
  if (!locks) return new Promise(() => {});
  return locks.request(lockName(id), () => {}).then(() => {});
}
