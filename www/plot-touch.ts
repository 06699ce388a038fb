// uPlot moves its cursor (and so the legend's values) on mouse events only: a finger's drag
// across a plot gives none, a tap one emulated mousemove. This plug-in moves the cursor with
// pointer events of any kind but the mouse (touch, pen), so a drag along a plot reads off its
// values on a tablet as hovering does with a mouse. Vertical swipes still scroll the page.
import type uPlot from "uplot";

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function touchCursor(): uPlot.Plugin {
  return {
    hooks: {
      init: (u) => {
        const over = u.over;
        // The browser keeps vertical pans (scrolling past the plot) and gives us horizontal ones.
        over.style.touchAction = "pan-y";
        const follow = (e: PointerEvent) => {
          if (e.pointerType === "mouse") return; // uPlot's own handlers have it
          const r = over.getBoundingClientRect();
          u.setCursor({ left: clamp(e.clientX - r.left, 0, r.width), top: clamp(e.clientY - r.top, 0, r.height) });
        };
        over.addEventListener("pointerdown", follow);
        over.addEventListener("pointermove", follow);
      },
    },
  };
}
