import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { createApp } from "./app";
import { createCollab } from "./collab";
import type { Deps } from "./context";
import { type Db, openDb, optimize } from "./db/client";
import { sqliteStore } from "./db/store";
import type { Config } from "./env";
import { createLogger } from "./log";
import { readyWithin, sharedRedis } from "./redis";
import { closeAgreement } from "./services/agreement/service";
import { drainExports } from "./services/export";

export interface RunningGloss {
  url: string;
  port: number;
  deps: Deps;
  db: Db;
  close(): Promise<void>;
}

/**
 * Opens the database (migrating it), builds the app and the collaboration service, and listens on one
 * port for the client, the API and the WebSocket. Tests call it with port 0.
 */
export async function startGloss(config: Config, opts: { db?: Db } = {}): Promise<RunningGloss> {
  const log = createLogger(config.logLevel);
  const db = opts.db ?? openDb(config.dbFile, config.durability);
  const store = sqliteStore(db);
  const collab = createCollab({ database: store, config, log });
  const redis = config.redisUrl ? sharedRedis(config.redisUrl, log) : null;
  // counters shared from the first request on (until Redis answers, each server would count alone)
  if (redis) await readyWithin(redis, 2000);
  const deps: Deps = { store, db, config, log, collab, redis };
  const app = createApp(deps);
  const server = createAdaptorServer({ fetch: app.fetch });
  server.on("upgrade", (req, socket, head) => collab.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // the planner's statistics follow the data as it grows (bounded work; see db/client.ts)
  const optimizer = setInterval(() => optimize(db.$client), 60 * 60_000).unref();
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;
  let closed = false;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    deps,
    db,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(optimizer);
      const http = server as unknown as {
        closeAllConnections?: () => void;
        closeIdleConnections?: () => void;
      };
      // no new connections; running exports get `shutdownGraceMs` to finish, then are aborted
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      http.closeIdleConnections?.();
      await drainExports(db, config.shutdownGraceMs);
      await collab.close();
      redis?.disconnect();
      await closeAgreement(db);
      // keep-alive HTTP connections would hold close() open
      http.closeAllConnections?.();
      await stopped;
      if (!opts.db) {
        optimize(db.$client);
        db.$client.close();
      }
    },
  };
}
