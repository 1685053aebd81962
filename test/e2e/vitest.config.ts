import path from "node:path";
import { defineConfig } from "vitest/config";

// `pnpm test:e2e`: browser tests in Debian's Chromium (playwright-core), against a real server and SQLite.
export default defineConfig({
  root: path.resolve(import.meta.dirname, "../.."),
  test: {
    name: "e2e",
    include: ["test/e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
