/**
 * The layer store contract (test/helpers/layerStoreContract.ts) on SQLite: two stores are two connections to
 * one database file, as a server and the CLI are. `pnpm test:postgres` runs the same suite on PostgreSQL.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteLayerStore } from "@gloss/server/collab/persistence";
import { type Db, openDb } from "@gloss/server/db/client";
import { describe } from "vitest";
import { onPostgres } from "../helpers/backend";
import { layerStoreContract } from "../helpers/layerStoreContract";

// SQLite only: SqliteLayerStore over a SQLite file; PostgreSQL's store runs this contract in test/postgres/layer-store.test.ts
describe.skipIf(onPostgres)("SQLite", () => {
  layerStoreContract("SQLite", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gloss-store-"));
    const file = path.join(dir, "gloss.db");
    const dbs: Db[] = [openDb(file)];
    const main = dbs[0]!;
    return {
      store: async (timers) => {
        const db = openDb(file);
        dbs.push(db);
        return new SqliteLayerStore(db.$client, timers);
      },
      count: async (room) =>
        (
          main.$client.prepare("SELECT count(*) AS n FROM yjs_updates WHERE room = ?").get(room) as {
            n: number;
          }
        ).n,
      breakWrites: async (message) => {
        main.$client.exec(
          `CREATE TRIGGER no_writes BEFORE INSERT ON yjs_updates BEGIN SELECT RAISE(ABORT, '${message}'); END`,
        );
      },
      close: async () => {
        for (const db of dbs) db.$client.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});
