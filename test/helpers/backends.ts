/**
 * The two databases a service runs on, each fresh and migrated by its real migrations: SQLite (in memory)
 * and PostgreSQL (a database of the test's own, dropped by `close`). For tests that run one body on both.
 */
import { type Db, openDb } from "@gloss/server/db/client";
import { closePg, openPg } from "@gloss/server/db/pg";
import { pgStore, type Store, sqliteStore } from "@gloss/server/db/store";
import { createTestDatabase } from "./postgres";

export interface Backend {
  readonly name: "SQLite" | "PostgreSQL";
  open(): Promise<{ store: Store; close(): Promise<void> }>;
}

export const BACKENDS: readonly Backend[] = [
  {
    name: "SQLite",
    async open() {
      const db: Db = openDb(":memory:");
      return {
        store: sqliteStore(db),
        close: async () => {
          db.$client.close();
        },
      };
    },
  },
  {
    name: "PostgreSQL",
    async open() {
      const database = await createTestDatabase();
      const db = await openPg(database.url, { max: 4 });
      return {
        store: pgStore(db),
        close: async () => {
          await closePg(db);
          await database.drop();
        },
      };
    },
  },
];
