// Where an element has come to rest. A driver clicks at the point where it found the element;
// while a cell above it is still filling in (the data cell's digits appear as Start is
// enabled) the element moves, and the click lands beside it (docs/results.md, WebKit).

/** `measure()` (an element's box, say) once two readings a quarter of a second apart agree,
 *  or the last reading after about ten seconds. */
export async function untilStill<T>(measure: () => Promise<T>): Promise<T> {
  for (let last = await measure(), i = 0; ; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await measure();
    if (JSON.stringify(now) === JSON.stringify(last) || i > 40) return now;
    last = now;
  }
}
