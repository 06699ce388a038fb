// Where the page keeps its runs: one IndexedDB database with one object store of run records
// (store.ts). Its own module so that the end-to-end tests read the same names.
export const RUNS_DB = { name: "gradbook", version: 1, store: "runs" } as const;
