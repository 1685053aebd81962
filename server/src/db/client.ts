import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { MIGRATIONS_DIR } from "../paths";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/**
 * Opens (creating if needed) the SQLite database, sets WAL, foreign keys and a busy timeout,
 * and applies the migrations in-process. `:memory:` gives a private database (tests).
 */
export function openDb(file: string, durability: "normal" | "strict" = "normal"): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  if (file !== ":memory:") sqlite.pragma("journal_mode = WAL");
  // NORMAL in WAL mode: a commit survives the process crashing (the OS has it), not a power cut before the
  // next checkpoint's fsync; FULL fsyncs the WAL at every commit (GLOSS_DURABILITY=strict).
  sqlite.pragma(durability === "strict" ? "synchronous = FULL" : "synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  optimize(sqlite, true);
  return db;
}

/**
 * Keeps the query planner's statistics current, as SQLite advises for long-lived connections: at open
 * (`0x10002`: also tables never analysed, such as a freshly seeded 100,000-document project — without
 * statistics its queue picks the name index and sorts, 31 → 80 ms), then periodically (server.ts). Bounded by
 * `analysis_limit`: a few milliseconds whatever the size.
 */
export function optimize(sqlite: Database.Database, atOpen = false): void {
  if (sqlite.readonly) return;
  sqlite.pragma("analysis_limit = 400");
  sqlite.pragma(atOpen ? "optimize = 0x10002" : "optimize");
}

export { schema };
