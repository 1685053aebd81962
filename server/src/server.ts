import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { createApp } from "./app";
import { createCollab } from "./collab";
import type { Deps } from "./context";
import { type Db, openDb, optimize } from "./db/client";
import { closePg, openPg } from "./db/pg";
import { pgStore, type Store, sqliteStore } from "./db/store";
import type { Config } from "./env";
import { createLogger } from "./log";
import { readyWithin, sharedRedis } from "./redis";
import { closeAgreement } from "./services/agreement/service";
import { drainExports } from "./services/export";

export interface RunningGloss {
  url: string;
  port: number;
  deps: Deps;
  /** The database every service runs on. */
  store: Store;
  /** The SQLite database (throws on PostgreSQL, which has none: use `store`). */
  db: Db;
  close(): Promise<void>;
}

/** The database a server runs on: the SQLite file of the data directory, or GLOSS_DATABASE_URL's PostgreSQL. */
async function openStore(config: Config, given?: Db): Promise<{ store: Store; close(): Promise<void> }> {
  if (given) return { store: sqliteStore(given), close: async () => {} };
  if (config.databaseUrl) {
    const pgDb = await openPg(config.databaseUrl, { max: config.databasePool });
    return { store: pgStore(pgDb), close: () => closePg(pgDb) };
  }
  const db = openDb(config.dbFile, config.durability);
  return {
    store: sqliteStore(db),
    close: async () => {
      optimize(db.$client);
      db.$client.close();
    },
  };
}

/**
 * Opens the database (migrating it), builds the app and the collaboration service, and listens on one
 * port for the client, the API and the WebSocket. Tests call it with port 0.
 */
export async function startGloss(config: Config, opts: { db?: Db } = {}): Promise<RunningGloss> {
  const log = createLogger(config.logLevel);
  const database = await openStore(config, opts.db);
  const { store } = database;
  const collab = createCollab({ database: store, config, log });
  const redis = config.redisUrl ? sharedRedis(config.redisUrl, log) : null;
  // counters shared from the first request on (until Redis answers, each server would count alone)
  if (redis) await readyWithin(redis, 2000);
  const deps: Deps = { store, config, log, collab, redis };
  const app = createApp(deps);
  const server = createAdaptorServer({ fetch: app.fetch });
  server.on("upgrade", (req, socket, head) => collab.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // the planner's statistics follow the data as it grows (bounded work; see db/client.ts); PostgreSQL's
  // autovacuum does this itself
  const optimizer =
    store.dialect === "sqlite" ? setInterval(() => optimize(store.sqlite), 60 * 60_000).unref() : null;
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;
  let closed = false;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    deps,
    store,
    get db(): Db {
      if (store.dialect !== "sqlite") throw new Error("this server runs on PostgreSQL: use its store");
      return store.q;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (optimizer) clearInterval(optimizer);
      const http = server as unknown as {
        closeAllConnections?: () => void;
        closeIdleConnections?: () => void;
      };
      // no new connections; running exports get `shutdownGraceMs` to finish, then are aborted
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      http.closeIdleConnections?.();
      await drainExports(store, config.shutdownGraceMs);
      await collab.close();
      redis?.disconnect();
      await closeAgreement(store);
      // keep-alive HTTP connections would hold close() open
      http.closeAllConnections?.();
      await stopped;
      await database.close();
    },
  };
}
