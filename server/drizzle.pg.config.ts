import { defineConfig } from "drizzle-kit";

// The PostgreSQL backend's migrations (`pnpm db:generate:pg`); the SQLite ones come from drizzle.config.ts.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/pgSchema.ts",
  out: "../migrations/postgres",
});
