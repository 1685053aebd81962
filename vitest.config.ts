import { defineConfig } from "vitest/config";

// `pnpm test`: everything that needs only Node (unit tests beside the code, integration tests in test/).
// Browser tests live in test/e2e and run with `pnpm test:e2e`; PostgreSQL tests in test/postgres, with
// `pnpm test:postgres` (they need a PostgreSQL server: test/helpers/postgres.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["shared/src/**/*.test.ts", "server/src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/postgres/**", "**/node_modules/**"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "postgres",
          include: ["test/postgres/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "client",
          include: ["client/src/**/*.test.{ts,tsx}"],
          environment: "happy-dom",
          testTimeout: 30_000,
        },
      },
    ],
  },
});
