import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const target = process.env.GLOSS_SERVER ?? "http://127.0.0.1:8787";

// `pnpm dev`: Vite with hot reload; the API and the collaboration socket are proxied to the server.
export default defineConfig({
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
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    // index.html is the app; editor-bench.html is the editor benchmark page (bench/editor.ts).
    rolldownOptions: { input: { main: "index.html", "editor-bench": "editor-bench.html" } },
  },
});
