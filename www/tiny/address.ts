// What the student is looking at, kept in the page's address beside Part 1's settings
// (www/tiny/params.ts): a link opens on "w1's paths at iteration 12, η = 2", a number's
// precedents, or a step of the step-through.
import { showIgnored } from "../share";
import { FIELDS, URL_PREFIX } from "./settings";
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

export const mountAddress: TinyCell = (root, state) => {
  const q = new URLSearchParams(location.search);
  const get = (key: string) => q.get(URL_PREFIX + key);
  let applied = false;
  // The link's selection applies to the first run, once it is there. What does not fit it (a
  // learning rate the run has not, "w9", a typo in a name) is shown as it is done for the
  // settings: named, with why, and the rest applied.
  state.watch((s) => s.traces, (traces) => {
    if (applied || traces.length === 0) return;
    applied = true;
    const ignored: string[] = [];
    const unfit = (key: string, why: string) => ignored.push(`${URL_PREFIX}${key}=${get(key)} (${why})`);
    const lrIndex = traces.findIndex((t) => String(t.learningRate) === get("lr"));
    if (get("lr") !== null && lrIndex < 0) unfit("lr", `the run's learning rates are ${traces.map((t) => t.learningRate).join(", ")}`);
    const last = traces[Math.max(lrIndex, 0)].rows.length - 1;
    const iteration = Number(get("iteration"));
    const iterationFits = Number.isInteger(iteration) && iteration >= 0 && iteration <= last;
    if (get("iteration") !== null && !iterationFits) unfit("iteration", `the run's iterations are 0 to ${last}`);
    select(state, { lrIndex: Math.max(lrIndex, 0), iteration: iterationFits ? iteration : 0 });
    const weight = /^w([1-8])$/.exec(get("weight") ?? "");
    if (get("weight") !== null && !weight) unfit("weight", "the weights are w1 to w8");
    const feeds = get("feeds");
    const feedsFits = ROW_COLUMNS.some((c) => c.name === feeds);
    if (feeds !== null && !feedsFits) unfit("feeds", "not a column of the table");
    const step = Number(get("step"));
    const stepFits = Number.isInteger(step) && step >= 1;
    if (get("step") !== null && !stepFits) unfit("step", "steps are numbered from 1");
    const known = new Set<string>([...KEYS, ...FIELDS.map((f) => f.key)]);
    for (const name of new Set(q.keys())) {
      if (name.startsWith(URL_PREFIX) && !known.has(name.slice(URL_PREFIX.length))) ignored.push(`${name} (not a setting)`);
    }
    state.set({
      weight: weight ? Number(weight[1]) - 1 : null,
      feeds: feedsFits ? feeds : null,
      step: stepFits ? step - 1 : null,
    });
    showIgnored(root.querySelector<HTMLElement>("#tiny-link-note")!, ignored);
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
