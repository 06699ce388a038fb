// Part 1's engine API: its calls are written once, as the engine worker answers them
// (www/tiny/handlers.ts), with the Rust boundary's types.
export type { TinyApi } from "./handlers";
