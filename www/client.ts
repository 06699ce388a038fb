// The page's one engine (www/worker.ts), shared by both parts.
import { Engine } from "./engine";
import type { MnistApi } from "./mnist/protocol";
import type { EngineLoaded } from "./protocol";
import { keepEngineOffline } from "./offline";
import type { TinyApi } from "./tiny/protocol";

export const engine = new Engine<TinyApi & MnistApi>(() => new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }));
engine.on("engine", (loaded: EngineLoaded) => "module" in loaded && keepEngineOffline(loaded.module));
