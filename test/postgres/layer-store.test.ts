/**
 * The layer store contract (test/helpers/layerStoreContract.ts) on PostgreSQL: two stores are two pools on one
 * database of the test's own, as two servers are. `pnpm test` runs the same suite on SQLite.
 */
import { PgLayerStore } from "@gloss/server/collab/pgPersistence";
import { closePg, openPg, type PgDb } from "@gloss/server/db/pg";
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
