// Work that only needs to keep pace while a student can see it: a cell redrawn at most once a
// frame while it is on screen (or within `margin` of it), and out of view only once the changes
// rest, or when it comes into view. Scrubbing Part 1's slider rewrites every cell, and the cells
// out of view cost as much to lay out as the ones in it.

/** `draw` for `el`, scheduled: call the returned function after every change. Out of view,
 *  the cell is still brought up to date once the changes rest (`settle` ms), for a screen
 *  reader or find-in-page reading it there. */
export function drawWhenSeen(el: Element, draw: () => void, margin = "100px", settle = 250): () => void {
  let visible = false;
  let stale = true;
  let frame = 0;
  let timer = 0;
  const run = () => {
    frame = 0;
    clearTimeout(timer);
    if (!stale) return;
    stale = false;
    draw();
  };
  const schedule = () => {
    stale = true;
    if (visible) frame ||= requestAnimationFrame(run);
    else {
      clearTimeout(timer);
      timer = window.setTimeout(run, settle);
    }
  };
  new IntersectionObserver((entries) => {
    visible = entries.some((e) => e.isIntersecting);
    if (visible && stale) frame ||= requestAnimationFrame(run);
  }, { rootMargin: margin }).observe(el);
  return schedule;
}

/** `work`, once changes have stopped for `ms`: what no one sees mid-change (a screen reader's
 *  copy of the equations) is written once the slider rests. */
export function whenSettled(work: () => void, ms = 250): () => void {
  let timer = 0;
  return () => {
    clearTimeout(timer);
    timer = window.setTimeout(work, ms);
  };
}
