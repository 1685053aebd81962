import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const target = process.env.GLOSS_SERVER ?? "http://127.0.0.1:8787";

/**
 * `pnpm dev`: Vite with hot reload; the API and the collaboration socket are proxied to the server.
 * `vite build` (`pnpm build`): the product only — index.html and the chunks it loads, into dist/.
 * `vite build --mode bench`: the editor benchmark page alone (bench/editor.ts builds it into a temp dir).
 */
const INPUTS: Record<string, Record<string, string>> = {
  production: { main: "index.html" },
  bench: { "editor-bench": "editor-bench.html" },
};

export default defineConfig(({ mode }) => ({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/api": { target, changeOrigin: false },
      "/collab": { target, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    // Source maps publish the whole source to every visitor: only on request (GLOSS_SOURCEMAPS=true).
    sourcemap: process.env.GLOSS_SOURCEMAPS === "true",
    rolldownOptions: {
      input: INPUTS[mode] ?? INPUTS.production,
    },
  },
}));
