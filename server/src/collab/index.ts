import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { LayerName } from "@gloss/shared";
import type * as Y from "yjs";
import type { Db } from "../db/client";
import { callEager, type Store, sqliteStore } from "../db/store";
import type { Config } from "../env";
import type { Logger } from "../log";
import { authorizeUpgrade, type LayerGrant } from "./auth";
import { NO_BUS, redisBus } from "./bus";
import { startCheckpointer } from "./checkpointer";
import type { CollabSocket, Connection } from "./connection";
import { type CollabLimits, resolveLimits } from "./limits";
import { type CollabMetrics, newCounters } from "./metrics";
import { type LayerStore, SqliteLayerStore } from "./persistence";
import { PgLayerStore } from "./pgPersistence";
import { PgProjector } from "./pgProjection";
import { Projector, type RoomProjector } from "./projection";
import { type LayerWriter, type RightsScope, RoomRegistry, type WithDocOptions } from "./rooms";
import { TimerRegistry } from "./timers";
import { WsTransport } from "./transport";

export type { LayerAuth, LayerGrant } from "./auth";
export { authorizeLayer } from "./auth";
export type { CollabSocket } from "./connection";
export { documentLayerContext, type LayerWriteContext, layerContext, loadLayerContext } from "./layerContext";
export type { CollabLimits } from "./limits";
export type { CollabMetrics } from "./metrics";
export type { LayerWriter, RightsScope, WithDocOptions } from "./rooms";

/** The collaboration service: the y-websocket server, its rooms, persistence and projection. */
export interface Collab {
  /** Handles an HTTP upgrade on /collab/doc/<id>/<layer>: authenticates, authorises, then joins the room. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Joins an already authorised socket to its room: the transport-free entry point of the core (the ws
   * shim uses it; so can a test with a hand-made socket). Null when refused (the socket is closed).
   */
  connect(socket: CollabSocket, grant: LayerGrant): Connection | null;
  /**
   * Runs `fn` against the live Y.Doc of a room (loading it if needed, keeping it alive meanwhile), so a
   * server-side write reaches connected clients at once and is persisted like any other update. The
   * writes are committed when the promise resolves.
   */
  withDoc<T>(
    documentId: number,
    layer: LayerName,
    fn: (doc: Y.Doc) => T | Promise<T>,
    opts?: WithDocOptions,
  ): Promise<T>;
  /**
   * A writer of many batches into one layer that does not load the layer while nobody edits it (see
   * LayerWriter): an annotation import's memory stays near one batch, not the whole layer.
   */
  layerWriter(documentId: number, layer: LayerName): Promise<LayerWriter>;
  /** Writes every pending update and projection change now (and applies pending rights changes). */
  flush(): Promise<void>;
  /**
   * Rights may have changed for `scope` (a project, a document, a user; `{}` for everyone): open sockets in
   * it are decided again within the tick (closed with 4401/4403/4404 or narrowed to read-only), and the
   * rooms re-read labels and relation types before their next check.
   */
  rightsChanged(scope: RightsScope): void;
  /** Closes every socket, flushes and unloads every room. */
  close(): Promise<void>;
  stats(): { rooms: number; connections: number };
  /** Counters for tests and the benchmark: live docs, timers, persisted updates, refusals… */
  metrics(): CollabMetrics;
  /** The live limits of this server (a test may tighten one before connecting). */
  readonly limits: CollabLimits;
}

export interface CollabDeps {
  /** The database: SQLite's `db` (the embedded default), or `database` (a store over either). */
  db?: Db;
  database?: Store;
  config: Config;
  log: Logger;
  /** Overrides of the default limits. */
  limits?: Partial<CollabLimits>;
  /** The layer store (default: SQLite in `db`); a test may wrap it. */
  store?: (timers: TimerRegistry) => LayerStore;
}

/** Builds the collaboration service over a database; listening is the HTTP server's job. */
export function createCollab(deps: CollabDeps): Collab {
  const { config, log } = deps;
  const database = deps.database ?? (deps.db ? sqliteStore(deps.db) : null);
  if (!database) throw new Error("createCollab: no database");
  const limits = resolveLimits(deps.limits);
  const timers = new TimerRegistry();
  const counters = newCounters();
  let store: LayerStore;
  let projector: RoomProjector;
  if (database.dialect === "pg") {
    store = deps.store ? deps.store(timers) : new PgLayerStore(database.pool, timers);
    projector = new PgProjector(database.pool, timers, log, limits);
  } else {
    store = deps.store ? deps.store(timers) : new SqliteLayerStore(database.sqlite, timers);
    projector = new Projector(database.sqlite, timers, log, limits);
  }
  const checkpointer = database.dialect === "sqlite" ? startCheckpointer(database.sqlite, log) : null;
  const bus = config.redisUrl ? redisBus(config.redisUrl, config.redisPrefix, log) : NO_BUS;
  const registry = new RoomRegistry({ database, store, projector, limits, log, counters, timers, bus });
  // another server's rights change re-checks the sockets here at once (the shared log's epoch would, later)
  if (bus.enabled) bus.onRights = (scope) => registry.rightsChanged(scope);
  const transport = new WsTransport({
    limits,
    log,
    timers,
    counters,
    // synchronous on SQLite (the transport decides within the upgrade's tick); awaited on PostgreSQL
    authorize: (req) => callEager(database, authorizeUpgrade, config, req),
    join: (socket, grant) => registry.join(socket, grant),
  });
  let closed: Promise<void> | null = null;

  return {
    limits,
    handleUpgrade: (req, socket, head) => transport.handleUpgrade(req, socket, head),
    connect: (socket, grant) => registry.join(socket, grant),
    withDoc: (documentId, layer, fn, opts) => registry.withDoc(documentId, layer, fn, opts),
    layerWriter: (documentId, layer) => registry.layerWriter(documentId, layer),
    async flush() {
      await store.flush();
      await projector.flushAll();
      await registry.reauthorizePending();
    },
    rightsChanged: (scope) => {
      registry.rightsChanged(scope);
      bus.publishRights({ ...scope });
    },
    close() {
      closed ??= (async () => {
        await registry.close();
        await transport.drain();
        await store.close();
        await bus.close();
        await checkpointer?.stop();
      })();
      return closed;
    },
    stats: () => ({ rooms: registry.rooms.size, connections: registry.connectionCount }),
    metrics: () => ({
      ...counters,
      rooms: registry.rooms.size,
      connections: registry.connectionCount,
      timers: timers.size,
      persisted: store.persisted,
      bus: { ...bus.counters },
      pendingWrites: store.pending,
    }),
  };
}
