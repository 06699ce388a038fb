// A control that disables or hides itself (Start while a run trains, Pause once paused, Load
// while loading) would drop the keyboard's focus to the page's start. This hands it on instead.

/** Runs `change`; if it made the focused element unusable, focuses the first of `next` that is
 *  still usable, so Space-Space can pause and resume. */
export function keepFocus(change: () => void, next: HTMLElement[]): void {
  const focused = document.activeElement as HTMLElement | null;
  change();
  if (!focused || focused === document.body) return;
  const usable = (el: HTMLElement) => !el.hidden && !(el as HTMLButtonElement).disabled && el.isConnected;
  if (!usable(focused)) next.find(usable)?.focus();
}
