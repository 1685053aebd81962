/**
 * Store-based pieces of the collaboration tests (group J), on either database: the projection tables'
 * dump, and "another process" on a server's database (a second connection to its SQLite file or to its
 * PostgreSQL database, as a crashed writer, an operator's script or the CLI would hold).
 */
import path from "node:path";
import { type Db, openDb } from "@gloss/server/db/client";
import { closePg, openPg, type PgDb } from "@gloss/server/db/pg";
import { pgStore, type Store, sqliteStore } from "@gloss/server/db/store";
import { databaseUrlFor, onPostgres } from "./backend";

const DUMP = {
  annotations: "SELECT * FROM annotations ORDER BY document_id, layer, span_id",
  relations: "SELECT * FROM annotation_relations ORDER BY document_id, layer, relation_id",
  states: "SELECT * FROM layer_states ORDER BY document_id, layer",
  rejections: "SELECT * FROM gold_rejections ORDER BY document_id, key",
} as const;

/** Rows of one hand-written query without parameters (on PostgreSQL through the pool: bigints as numbers). */
async function rawRows(store: Store, text: string): Promise<Array<Record<string, unknown>>> {
  if (store.dialect === "sqlite") return store.sqlite.prepare(text).all() as Array<Record<string, unknown>>;
  return (await store.pool.query(text)).rows;
}

/** Every row of the projection tables, in key order (test/helpers/projection.ts dumpProjection, on a store). */
export async function dumpProjectionOf(store: Store) {
  return {
    annotations: await rawRows(store, DUMP.annotations),
    relations: await rawRows(store, DUMP.relations),
    states: await rawRows(store, DUMP.states),
    rejections: await rawRows(store, DUMP.rejections),
  };
}

export interface OtherConnection {
  store: Store;
  close(): Promise<void>;
}

/**
 * A connection of its own to the database of `dataDir` (the one a server started there uses): the SQLite
 * file, or on PostgreSQL the data directory's database (test/helpers/backend.ts).
 */
export async function openOther(dataDir: string): Promise<OtherConnection> {
  if (onPostgres) {
    const db: PgDb = await openPg(await databaseUrlFor(dataDir), { max: 2 });
    return { store: pgStore(db), close: () => closePg(db) };
  }
  const db: Db = openDb(path.join(dataDir, "gloss.db"));
  return {
    store: sqliteStore(db),
    close: async () => {
      db.$client.close();
    },
  };
}

/** Runs `fn` on a connection of its own to the database of `dataDir`, then closes it. */
export async function withOther<T>(dataDir: string, fn: (store: Store) => Promise<T> | T): Promise<T> {
  const other = await openOther(dataDir);
  try {
    return await fn(other.store);
  } finally {
    await other.close();
  }
}
