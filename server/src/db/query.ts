/** Small pieces the services build their drizzle queries from. */
import { gt, type Placeholder, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Db } from "./client";

/**
 * `column IN` the ids of one JSON array bound as a single parameter (an array of ids, or a placeholder bound
 * later to `JSON.stringify(ids)`): however many ids, no SQLite parameter limit applies, and SQLite still
 * seeks the column's index once per id.
 */
export const inJsonIds = (column: SQLWrapper, ids: readonly number[] | Placeholder): SQL =>
  sql`${column} in (select value from json_each(${Array.isArray(ids) ? JSON.stringify(ids) : ids}))`;

/** Case-insensitive "contains" on a text column, for the listings' `?q=` search (one rule for all of them). */
export const containsText = (column: SQLWrapper, q: string): SQL =>
  gt(sql`instr(lower(${column}), lower(${q}))`, 0);

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
