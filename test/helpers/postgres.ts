/**
 * A PostgreSQL database of a test's own: created with a random name on the server the admin URL points at
 * (GLOSS_TEST_PG_ADMIN_URL, default postgres://127.0.0.1:5432/test as user GLOSS_TEST_PG_USER or PGUSER or
 * `postgres`, trust auth), dropped afterwards. Tests never share one, so they can run in parallel.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

function adminUrl(): URL {
  const url = new URL(process.env.GLOSS_TEST_PG_ADMIN_URL ?? "postgres://127.0.0.1:5432/test");
  if (!url.username) url.username = process.env.GLOSS_TEST_PG_USER ?? process.env.PGUSER ?? "postgres";
  return url;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl().href, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Whether the admin database answers (a test may skip, or fail with a clear message, when not). */
export async function pgAvailable(): Promise<boolean> {
  try {
    await withAdmin((c) => c.query("SELECT 1"));
    return true;
  } catch {
    return false;
  }
}

/** The prefix of the databases a test run creates (`pnpm test:postgres` drops what its run left behind). */
export const runPrefix = () =>
  `gloss_test_${/^[a-z0-9]{1,16}$/.test(process.env.GLOSS_TEST_RUN ?? "") ? `${process.env.GLOSS_TEST_RUN}_` : ""}`;

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${runPrefix()}${randomBytes(6).toString("hex")}`;
  // The name is ours (hex), so quoting it is enough; CREATE DATABASE takes no parameters.
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = adminUrl();
  url.pathname = `/${name}`;
  let dropped: Promise<void> | null = null;
  return {
    url: url.href,
    drop() {
      dropped ??= withAdmin(async (c) => {
        // Connections a failed test left open would keep DROP waiting (FORCE ends them too, from 13 on).
        await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
      return dropped;
    },
  };
}

/** Drops every database whose name starts with `prefix` (a run's leftovers: servers restarted on one). */
export async function dropTestDatabases(prefix: string): Promise<number> {
  if (!/^gloss_test_[a-z0-9_]*$/.test(prefix)) throw new Error(`not a test database prefix: ${prefix}`);
  return withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [prefix],
    );
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    return rows.length;
  });
}

/** What a database has done so far: transactions, rows written, and its backends' CPU (local server only). */
export interface DatabaseLoad {
  commits: number;
  rowsWritten: number;
  /** User + system CPU seconds of the server processes connected to the database now (from /proc). */
  backendCpuS: number;
}

/**
 * The load counters of the database at `url` (pg_stat_database, and /proc for the backends' CPU — only
 * meaningful when PostgreSQL runs on this machine; NaN otherwise). Differences between two readings are
 * the load of what ran between them (statistics are flushed by the backends at most every second or so:
 * read after a pause).
 */
export async function databaseLoad(url: string): Promise<DatabaseLoad> {
  const name = new URL(url).pathname.slice(1);
  return withAdmin(async (c) => {
    const stats = await c.query<{ commits: string; written: string }>(
      "SELECT xact_commit AS commits, tup_inserted + tup_updated + tup_deleted AS written FROM pg_stat_database WHERE datname = $1",
      [name],
    );
    const pids = await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [
      name,
    ]);
    let ticks = 0;
    let readable = true;
    const fs = await import("node:fs");
    for (const { pid } of pids.rows) {
      try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
        ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
      } catch {
        readable = false;
      }
    }
    return {
      commits: Number(stats.rows[0]?.commits ?? Number.NaN),
      rowsWritten: Number(stats.rows[0]?.written ?? Number.NaN),
      // USER_HZ is 100 on Linux
      backendCpuS: readable ? ticks / 100 : Number.NaN,
    };
  });
}
