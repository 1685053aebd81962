/**
 * The two databases a service runs on, each fresh and migrated by its real migrations: SQLite (in memory)
 * and PostgreSQL (a database of the test's own, dropped by `close`). For tests that run one body on both.
 */
import { type Db, openDb } from "@gloss/server/db/client";
import { closePg, openPg } from "@gloss/server/db/pg";
import { pgStore, type Store, sqliteStore } from "@gloss/server/db/store";
import { HttpError } from "@gloss/server/errors";
import { afterEach } from "vitest";
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

/** Closers a test pushes (databases, servers), run after each test in reverse order. */
export function useClosers(): Array<() => Promise<void>> {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return closers;
}

/** What a call ends in: its value, or the HttpError's "status code: message" (the same on both databases). */
export const settle = <T>(p: Promise<T>) =>
  p.then(
    (v) => v,
    (e: unknown) =>
      e instanceof HttpError ? `${e.status} ${e.code}: ${e.message}` : `not an HttpError: ${e}`,
  );
