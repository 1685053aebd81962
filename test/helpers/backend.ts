/**
 * Which database the integration suite (test/api, test/collab, test/cli) runs on: SQLite (`pnpm test`) or
 * PostgreSQL (`pnpm test:postgres` sets GLOSS_TEST_BACKEND=postgres). On PostgreSQL every data directory
 * a test uses stands for a database of its own, created on first use and named in the directory's
 * `pg-url` file, so a server restarted on the same directory (or a CLI run on it) finds the same data.
 */
import fs from "node:fs";
import path from "node:path";
import { openDb } from "@gloss/server/db/client";
import { closePg, openPg } from "@gloss/server/db/pg";
import { pgStore, type Store, sqliteStore } from "@gloss/server/db/store";
import { createTestDatabase } from "./postgres";

export const onPostgres = process.env.GLOSS_TEST_BACKEND === "postgres";

const memory = new Map<string, Promise<string>>();

/**
 * The PostgreSQL database URL of a data directory (created on first use; "" for a server without one,
 * which gets a database of its own). Dropped at the end of the run (test/helpers/pgRun.ts).
 */
export function databaseUrlFor(dataDir: string): Promise<string> {
  if (!dataDir) return createTestDatabase().then((d) => d.url);
  const file = path.join(dataDir, "pg-url");
  if (fs.existsSync(file)) return Promise.resolve(fs.readFileSync(file, "utf8").trim());
  let url = memory.get(dataDir);
  if (!url) {
    url = createTestDatabase().then((d) => {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(file, d.url);
      return d.url;
    });
    memory.set(dataDir, url);
  }
  return url;
}

/** A connection of a test's own to a database. */
export interface DataDirConnection {
  store: Store;
  close(): Promise<void>;
}

/**
 * A connection of its own to the database of `dataDir` (the one a server started there uses: the SQLite
 * file, or on PostgreSQL the data directory's database), migrated: to seed it before a child server starts,
 * to inspect it after one was killed, or to act as another process on it.
 */
export async function openDataDir(dataDir: string): Promise<DataDirConnection> {
  if (onPostgres) {
    const db = await openPg(await databaseUrlFor(dataDir), { max: 2 });
    return { store: pgStore(db), close: () => closePg(db) };
  }
  const db = openDb(path.join(dataDir, "gloss.db"));
  return {
    store: sqliteStore(db),
    close: async () => {
      db.$client.close();
    },
  };
}

/** Runs `fn` on a connection of its own to `dataDir`'s database, closed afterwards. */
export async function withDataDir<T>(dataDir: string, fn: (store: Store) => Promise<T> | T): Promise<T> {
  const conn = await openDataDir(dataDir);
  try {
    return await fn(conn.store);
  } finally {
    await conn.close();
  }
}
