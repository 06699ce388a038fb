// Asks the engine where each number of the selected iteration comes from
// (src/tiny/explain.rs) whenever the selection moves: one question at a time, the latest
// selection asked next, so scrubbing never queues up stale ones.
import { tiny } from "./client";
import { selectedRow, type TinyCell } from "./state";

export const mountExplainer: TinyCell = (_root, state) => {
  let busy = false;
  const ask = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        const s = state.get();
        const trace = s.traces[s.lrIndex];
        if (!trace || !s.config || !selectedRow(s)) return;
        const key = selectedRow(s);
        const explained = await tiny.call("tinyExplain", s.config, trace.learningRate, s.iteration).catch(() => null);
        // Still what is selected: show it; else ask again for what is.
        if (selectedRow(state.get()) === key) return void state.set({ explained });
      }
    } finally {
      busy = false;
    }
  };
  state.watch(selectedRow, () => void ask());
};
