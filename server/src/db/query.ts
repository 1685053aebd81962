/** Small pieces the services build their drizzle queries from. */
import type { Placeholder, SQL, SQLWrapper } from "drizzle-orm";
import type { Db } from "./client";
import { containsText as containsTextOn, inIds } from "./store";

const SQLITE = { dialect: "sqlite" } as const;

/**
 * `column IN` the ids of one JSON array bound as a single parameter: store.ts's `inIds` on SQLite, for the
 * services still written against SQLite alone.
 */
export const inJsonIds = (column: SQLWrapper, ids: readonly number[] | Placeholder): SQL =>
  inIds(SQLITE, column, ids);

/** store.ts's `containsText` on SQLite, for the services still written against SQLite alone. */
export const containsText = (column: SQLWrapper, q: string): SQL => containsTextOn(SQLITE, column, q);

/**
 * Builds something (typically prepared statements) once per database: `perDb(build)(db)` calls `build` on
 * first use and returns the same value afterwards (a test opens many databases, so not once per process).
 */
export function perDb<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let value = cache.get(db);
    if (value === undefined) {
      value = build(db);
      cache.set(db, value);
    }
    return value;
  };
}
