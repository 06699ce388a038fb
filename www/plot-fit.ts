// uPlot draws at the pixel width it is given, once. A plot made on a laptop's width runs off a
// phone's screen, and one made on a phone stays narrow when it turns sideways. This plug-in
// keeps a plot as wide as its container, up to `max` pixels, as the container's width changes.
import type uPlot from "uplot";

/** The width a plot in `container` gets: all of it, at most `max`. */
export function widthIn(container: HTMLElement, max: number): number {
  return Math.min(container.clientWidth || max, max);
}

/** Resizes the plot to [`widthIn`] `container` whenever the container's width changes. The
 *  container must not take its width from the plot (a flex item that holds only the plot
 *  does): that would only ever follow the plot. */
export function fitWidth(container: HTMLElement, max: number): uPlot.Plugin {
  let observer: ResizeObserver | undefined;
  return {
    hooks: {
      init: (u) => {
        observer = new ResizeObserver(() => {
          const width = widthIn(container, max);
          if (container.clientWidth > 0 && width !== u.width) u.setSize({ width, height: u.height });
        });
        observer.observe(container);
      },
      destroy: () => observer?.disconnect(),
    },
  };
}
