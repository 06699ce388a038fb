import { defineConfig } from "vite";

// `base: "./"` makes every URL relative, so dist/ works from any static server under any sub-path.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", target: "es2022", chunkSizeWarningLimit: 4096 },
  worker: { format: "es" },
  server: { host: "127.0.0.1", port: 5173, strictPort: false },
  preview: { host: "127.0.0.1", port: 4173 },
});
