// The engine thread: one wasm instance of the Rust core answers both parts of the notebook, so
// the page holds one copy of the engine's code and memory, not one per part.
import init from "../pkg/gradbook.js";
import { mnistHandlers } from "./mnist/handlers";
import { serve } from "./serve";
import { tinyHandlers } from "./tiny/handlers";

serve(init(), { ...tinyHandlers, ...mnistHandlers } as { [method: string]: (...args: any[]) => unknown });
