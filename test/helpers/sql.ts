/**
 * Hand-written SQL in tests, on either database: drizzle's `sql` template binds the values (a `?` on
 * SQLite, `$1` on PostgreSQL), so one query text serves both when it is portable SQL. PostgreSQL returns a
 * bigint expression (count(*), sum) as a string: cast it (`count(*)::int`) — SQLite ignores nothing of
 * that, so write `cast(count(*) as integer)` to stay portable.
 */
import type { PgDb } from "@gloss/server/db/pg";
import type { Store } from "@gloss/server/db/store";
import type { SQL } from "drizzle-orm";

/** The rows of a query. */
export async function sqlRows<T = Record<string, unknown>>(store: Store, query: SQL): Promise<T[]> {
  if (store.dialect === "sqlite") return store.q.all(query) as T[];
  return (await (store.q as unknown as PgDb).execute(query)).rows as T[];
}

/** The first row of a query (undefined when there is none). */
export async function sqlRow<T = Record<string, unknown>>(store: Store, query: SQL): Promise<T | undefined> {
  return (await sqlRows<T>(store, query))[0];
}

/** Runs a statement. */
export async function sqlRun(store: Store, query: SQL): Promise<void> {
  if (store.dialect === "sqlite") store.q.run(query);
  else await (store.q as unknown as PgDb).execute(query);
}
