import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { PG_MIGRATIONS_DIR } from "../paths";
import * as pgSchema from "./pgSchema";

export type PgDb = NodePgDatabase<typeof pgSchema> & { $client: pg.Pool };

/** The advisory lock key taken while migrating ("gloss" in ASCII): one server migrates, the others wait. */
const MIGRATION_LOCK = 0x676c6f7373;

const INT8_OID = 20;

/**
 * This pool's type parsers: BIGINT (int8) as a JS number, as SQLite gives integers, instead of node-postgres'
 * string. Ids, timestamps and counters stay far below 2^53. Per pool, not `pg.types.setTypeParser`, so other
 * users of pg in the process keep its defaults. Caveat: drizzle passes its own parsers with every query it
 * runs, falling back to the global ones, so a raw `sql` int8 result (count(*), max(id)) through drizzle is
 * still a string: cast it (`::int`) or `.mapWith(Number)`. Drizzle's bigint columns (mode "number") and
 * queries on `$client` are numbers.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8_OID && format !== "binary") return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? "text");
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/**
 * Connects a pool to the PostgreSQL database at `url` and applies the migrations (PG_MIGRATIONS_DIR), under
 * an advisory lock so servers starting at once do not migrate together (the second finds nothing to do).
 */
export async function openPg(url: string, opts: { max?: number } = {}): Promise<PgDb> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types });
  // An idle connection dropped by the server (restart, timeout) emits here; without a listener it would
  // crash the process. The pool discards it and the next query connects anew.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      try {
        // On the locked connection itself: the migration transaction runs in the session holding the lock.
        await migrate(drizzle(client, { schema: pgSchema }), { migrationsFolder: PG_MIGRATIONS_DIR });
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return drizzle(pool, { schema: pgSchema }) as PgDb;
}

/** Closes the pool (waits for checked-out clients to be released). */
export async function closePg(db: PgDb): Promise<void> {
  await db.$client.end();
}

export { pgSchema };
