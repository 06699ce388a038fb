// The page's handles on Part 1's engine. Two workers, because a burn run can take a while
// (seconds to minutes on a software GPU) and must never hold up the quick calls — validating
// a field, the exact path, the CSV — that the page makes while the student types.
import { Engine } from "../engine";
import type { TinyApi } from "./protocol";

const part1 = () => new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
/** Quick calls: defaults, validation, the exact path, CSV. */
export const sheet = new Engine<TinyApi>(part1);
/** burn training runs. */
export const trainer = new Engine<TinyApi>(part1);
