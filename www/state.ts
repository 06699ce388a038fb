// What every cell of the notebook shows, held in one place per part. A cell is mounted once,
// on its root element, with its part's state: it watches the parts it shows and redraws itself
// when they change; what the student does there, it writes back (or asks the engine for).
export class State<T extends object> {
  private listeners: ((s: T, before: T) => void)[] = [];

  constructor(private current: T) {}

  get(): T {
    return this.current;
  }

  /** Replaces the named parts; every watcher whose part changed hears of it. */
  set(change: Partial<T>): void {
    const before = this.current;
    this.current = { ...before, ...change };
    for (const l of this.listeners) l(this.current, before);
  }

  /** Calls `show` now and whenever `part` of the state changes (compared by identity). */
  watch<P>(part: (s: T) => P, show: (value: P, s: T) => void): void {
    show(part(this.current), this.current);
    this.listeners.push((s, before) => {
      const value = part(s);
      if (!Object.is(value, part(before))) show(value, s);
    });
  }
}

/** The one contract every cell keeps: mounted with its root and its part's shared state. */
export type Cell<T extends object> = (root: HTMLElement, state: State<T>) => void;
