import { defineConfig } from "vitest/config";

// `pnpm test`: everything that needs only Node (unit tests beside the code, integration tests in test/).
// Browser tests live in test/e2e and run with `pnpm test:e2e`. `pnpm test:postgres` runs the PostgreSQL
// tests of test/postgres and the integration suite again on PostgreSQL (they need a PostgreSQL server:
// test/helpers/postgres.ts).
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
          globalSetup: ["test/helpers/pgRun.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // the integration suite again, every server and CLI run on a PostgreSQL database of its own
        test: {
          name: "integration-postgres",
          include: ["test/api/**/*.test.ts", "test/collab/**/*.test.ts", "test/cli/**/*.test.ts"],
          environment: "node",
          env: { GLOSS_TEST_BACKEND: "postgres" },
          globalSetup: ["test/helpers/pgRun.ts"],
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
