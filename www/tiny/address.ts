// What the student is looking at, kept in the page's address beside Part 1's settings
// (www/tiny/params.ts): a link opens on "w1's paths at iteration 12, η = 2", a number's
// precedents, or a step of the step-through.
import { URL_PREFIX } from "./settings";
import { select, type TinyCell, type TinyState } from "./state";
import { ROW_COLUMNS } from "./types";

const KEYS = ["lr", "iteration", "weight", "feeds", "step"] as const;

/** The selection as the address writes it; what is at its default is left out. */
function toParams(s: TinyState): Record<(typeof KEYS)[number], string | null> {
  return {
    lr: s.lrIndex > 0 ? String(s.traces[s.lrIndex]?.learningRate) : null,
    iteration: s.iteration > 0 ? String(s.iteration) : null,
    weight: s.weight === null ? null : `w${s.weight + 1}`,
    feeds: s.feeds,
    step: s.step === null ? null : String(s.step + 1),
  };
}

export const mountAddress: TinyCell = (_root, state) => {
  const q = new URLSearchParams(location.search);
  const get = (key: string) => q.get(URL_PREFIX + key);
  let applied = false;
  // The link's selection applies to the first run, once it is there.
  state.watch((s) => s.traces, (traces) => {
    if (applied || traces.length === 0) return;
    applied = true;
    const lrIndex = traces.findIndex((t) => String(t.learningRate) === get("lr"));
    const iteration = Number(get("iteration"));
    select(state, { lrIndex: Math.max(lrIndex, 0), iteration: Number.isInteger(iteration) ? iteration : 0 });
    const weight = /^w([1-8])$/.exec(get("weight") ?? "");
    const feeds = get("feeds");
    const step = Number(get("step"));
    state.set({
      weight: weight ? Number(weight[1]) - 1 : null,
      feeds: ROW_COLUMNS.some((c) => c.name === feeds) ? feeds : null,
      step: Number.isInteger(step) && step >= 1 ? step - 1 : null,
    });
  });
  state.watch((s) => JSON.stringify(toParams(s)), (json) => {
    if (!applied) return;
    const now = new URLSearchParams(location.search);
    for (const [key, value] of Object.entries(JSON.parse(json) as Record<string, string | null>)) {
      if (value === null) now.delete(URL_PREFIX + key);
      else now.set(URL_PREFIX + key, value);
    }
    history.replaceState(null, "", `${location.pathname}?${now}${location.hash}`);
  });
};
