// Part 1's shapes, generated from the Rust core's types (src/tiny/config.rs, src/tiny/trace.rs,
// src/boundary.rs) into www/generated/engine.ts.
export type { BurnRun, ConfigError, Row, TinyConfig, Trace } from "../generated/engine";
