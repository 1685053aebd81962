/**
 * The layer store contract (test/helpers/layerStoreContract.ts) on PostgreSQL: two stores are two pools on one
 * database of the test's own, as two servers are. `pnpm test` runs the same suite on SQLite.
 */

import { PgLayerStore } from "@gloss/server/collab/pgPersistence";
import { TimerRegistry } from "@gloss/server/collab/timers";
import { closePg, openPg, type PgDb } from "@gloss/server/db/pg";
import { describe, expect, it } from "vitest";
import { layerStoreContract } from "../helpers/layerStoreContract";
import { createTestDatabase } from "../helpers/postgres";

layerStoreContract("PostgreSQL", async () => {
  const database = await createTestDatabase();
  const main = await openPg(database.url, { max: 4 });
  const dbs: PgDb[] = [main];
  return {
    store: async (timers) => {
      // every store its own pool: the servers share the database, not connections
      const db = await openPg(database.url, { max: 4 });
      dbs.push(db);
      return new PgLayerStore(db.$client, timers);
    },
    count: async (room) =>
      (
        await main.$client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM yjs_updates WHERE room = $1",
          [room],
        )
      ).rows[0]!.n,
    breakWrites: async (message) => {
      await main.$client.query(
        `CREATE FUNCTION no_writes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${message}'; END $$;
         CREATE TRIGGER no_writes BEFORE INSERT ON yjs_updates FOR EACH ROW EXECUTE FUNCTION no_writes();`,
      );
    },
    listening: (store) => (store as PgLayerStore).listening(),
    close: async () => {
      for (const db of dbs) await closePg(db).catch(() => {});
      await database.drop();
    },
  };
});

describe("PgLayerStore's LISTEN connection", () => {
  it("lost (the backend terminated): listens again and delivers the rows committed meanwhile", async () => {
    const database = await createTestDatabase();
    const a = await openPg(database.url, { max: 4 });
    const b = await openPg(database.url, { max: 4 });
    const watched = new PgLayerStore(a.$client, new TimerRegistry());
    const other = new PgLayerStore(b.$client, new TimerRegistry());
    const rows: number[] = [];
    let changes = 0;
    const stop = watched.watchExternal(
      {
        externalRow: (_room, id) => rows.push(id),
        externalSnapshot: () => {},
        externalChange: () => changes++,
      },
      20,
    );
    try {
      await watched.listening();
      const killed = await b.$client.query(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity " +
          "WHERE datname = current_database() AND query LIKE 'LISTEN%'",
      );
      expect(killed.rowCount).toBe(1);
      const ids: number[] = [];
      other.append(
        { name: "doc/1/shared", committed: (c) => ids.push(...c), persistFailed: () => {} },
        new Uint8Array([0, 0]),
      );
      await other.flush();
      await expect.poll(() => rows, { timeout: 5_000 }).toEqual(ids);
      expect(changes).toBe(1); // rights may have changed while nobody listened: re-checked once
    } finally {
      stop();
      await other.close();
      await watched.close();
      await closePg(a);
      await closePg(b);
      await database.drop();
    }
  });
});
