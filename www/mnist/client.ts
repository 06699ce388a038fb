// The page's handle on Part 2's engine worker.
import { Engine } from "../engine";
import type { MnistApi } from "./protocol";

export const mnist = new Engine<MnistApi>(() => new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }));

/** Where the site keeps the four MNIST files (copied there by `npm run build`, served by `npm start`). */
export const DATA_URL = new URL("mnist/", document.baseURI).href;
