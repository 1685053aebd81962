/**
 * The room registry: loads each room once, joins connections to it, and unloads it when the last one
 * leaves. Lifecycle (STYLE 8 and 10; hocuspocus #954/#1156, y-websocket #47/#100):
 * - one in-flight load per room; connections that join meanwhile buffer their frames (bounded) and are
 *   started — sync step 1 first — only once the stored state is applied;
 * - a failed load closes its connections with 1011 and destroys the doc; nothing is ever stored over it;
 * - last one out: flush the pending writes and the projection, re-check the idle predicate, compact, destroy.
 */
import { CloseCode, type LayerName, relationsOf, roomName, spansOf } from "@gloss/shared";
import { eq, sql } from "drizzle-orm";
import * as Y from "yjs";
import { resolveCredential } from "../auth/sessions";
import { callEager, type Gen, getWith, perStore, prepare, type Store } from "../db/store";
import type { Logger } from "../log";
import { CLOSE_BY_STATUS, type LayerGrant, reauthorizeGrant } from "./auth";
import type { RoomBus } from "./bus";
import { type CollabSocket, Connection, type ConnectionHost } from "./connection";
import { documentLayerContext, type LayerWriteContext } from "./layerContext";
import type { CollabLimits } from "./limits";
import type { CollabCounters } from "./metrics";
import type { LayerStore } from "./persistence";
import type { Dirty, RoomProjector } from "./projection";
import { Room, type RoomEnv } from "./room";
import type { TimerRegistry } from "./timers";
import type { RoomRules } from "./validate";

export interface RegistryDeps {
  /** The database (accounts, rights, documents): its answers are immediate on SQLite, awaited on PostgreSQL. */
  database: Store;
  store: LayerStore;
  projector: RoomProjector;
  limits: CollabLimits;
  log: Logger;
  counters: CollabCounters;
  timers: TimerRegistry;
  /** The other servers holding the same rooms (NO_BUS when there are none). */
  bus: RoomBus;
}

export interface WithDocOptions {
  /**
   * Read the room's stored state into the live doc first: what other servers committed may not have reached
   * this one yet (a caller that decides from the doc under a lock all servers share wants it).
   */
  fresh?: boolean;
}

/**
 * A writer of one layer that need not hold it in memory (an annotation import of 200,000 spans): while the
 * layer's room is not loaded on this server, each batch is built in a small scratch doc and committed
 * straight to the store and the projection; once the room is loaded here (an editor opened it, even for a
 * moment), every later batch goes through the live room, as withDoc's writes do, so editors see it at once.
 * Batches only add keys to the layer's root maps (fresh span and relation ids), so a scratch doc's update
 * merges into the layer whatever else it holds.
 */
export interface LayerWriter {
  /** Reads the layer as it is: the live doc when the room is loaded, else a doc of its stored state. */
  read<T>(fn: (doc: Y.Doc) => T): Promise<T>;
  /**
   * Writes one batch in one transaction of `origin`, durable (and projected) on return. `fn` is given the live
   * doc (`live`) or a scratch doc that holds nothing but what `fn` writes.
   */
  write(fn: (doc: Y.Doc, live: boolean) => void, origin: unknown): Promise<void>;
  /** Done writing. */
  close(): void;
}

/** One open LayerWriter: whether the room was loaded since it opened, and its detached write in flight. */
interface WriterSession {
  live: boolean;
  pending: Promise<void> | null;
}

/** Whose rights changed: a project, a document, a user, or (all fields absent) everyone. */
export interface RightsScope {
  projectId?: number;
  documentId?: number;
  userId?: number;
}

const projectOfQuery = perStore((store) =>
  prepare(
    store,
    "room_project_of",
    store.q
      .select({ projectId: store.t.documents.projectId })
      .from(store.t.documents)
      .where(eq(store.t.documents.id, sql.placeholder("id"))),
  ),
);

/** A document's project (withDoc is given the document alone). */
function* projectOf(store: Store, documentId: number): Gen<{ projectId: number } | undefined> {
  return yield* getWith(projectOfQuery(store), { id: documentId });
}

export class RoomRegistry implements ConnectionHost {
  readonly rooms = new Map<string, Room>();
  /** Connections in all rooms (each room holds its own set; one more set entry per socket is memory). */
  connectionCount = 0;
  readonly limits: CollabLimits;
  readonly log: Logger;
  readonly counters: CollabCounters;
  private closing = false;
  /** Open layer writers, by room name. */
  private readonly writers = new Map<string, Set<WriterSession>>();
  private pendingScopes: RightsScope[] | null = null;
  /** The re-authorisation passes whose answers are still awaited (PostgreSQL), as one promise. */
  private reauthorizing: Promise<void> = Promise.resolve();
  private stopWatching: (() => void) | null = null;
  private stopSweeping: (() => void) | null = null;
  private stopHeartbeat: (() => void) | null = null;
  private readonly roomEnv: RoomEnv;

  constructor(private readonly deps: RegistryDeps) {
    this.limits = deps.limits;
    this.log = deps.log;
    this.counters = deps.counters;
    this.roomEnv = {
      host: this,
      store: deps.store,
      bus: deps.bus,
      projector: deps.projector,
      limits: deps.limits,
      log: deps.log,
      counters: deps.counters,
      timers: deps.timers,
      afterCommit: (room) => this.afterCommit(room),
      persistFailed: (room, err) => {
        this.log.error("collab: writing updates failed", { room: room.name, err: String(err) });
        this.fail(room, CloseCode.InternalError, "could not save");
      },
      loadRules: (room) => this.loadRules(room),
      asyncRules: deps.database.dialect === "pg",
      invalidWrite: (room, err) => {
        this.log.error("collab: a server-side write broke the layer model; not stored", {
          room: room.name,
          field: err.field,
          err: err.message,
        });
        room.invalidWriteError = err;
        this.fail(room, CloseCode.InternalError, "invalid server write");
      },
    };
  }

  /** Joins an authorised socket to its room; null (socket closed with a named code) when refused. */
  join(socket: CollabSocket, grant: LayerGrant): Connection | null {
    if (this.closing) {
      socket.close(CloseCode.GoingAway, "server shutting down");
      return null;
    }
    const room = this.acquire(grant.room, grant.documentId, grant.layer, grant.projectId);
    if (room.connections.size >= this.limits.maxConnectionsPerRoom) {
      socket.close(CloseCode.RoomFull, "room is full");
      this.maybeUnload(room);
      return null;
    }
    const conn = new Connection(socket, room, grant);
    room.connections.add(conn);
    this.connectionCount++;
    this.stopHeartbeat ??= this.deps.timers.every(this.limits.pingIntervalMs, () => {
      for (const r of this.rooms.values()) for (const c of r.connections) c.heartbeat();
    });
    if (room.status === "ready") conn.start();
    return conn;
  }

  /** ConnectionHost: a connection closed. */
  leave(conn: Connection): void {
    const room = conn.room;
    if (!room.connections.delete(conn)) return;
    this.connectionCount--;
    room.releaseAwareness(conn);
    if (this.connectionCount === 0) {
      this.stopHeartbeat?.();
      this.stopHeartbeat = null;
    }
    this.maybeUnload(room);
  }

  private loadRules(room: Room): RoomRules | Promise<RoomRules> {
    const toRules = (layer: LayerWriteContext | null): RoomRules => {
      if (!layer) throw new Error(`no document ${room.documentId}`);
      return { ctx: { ...layer.ctx, maxNoteChars: this.limits.maxNoteChars }, gold: room.layer === "gold" };
    };
    const layer = callEager(this.deps.database, documentLayerContext, room.documentId);
    return layer instanceof Promise ? layer.then(toRules) : toRules(layer);
  }

  /** Labels, relation types or rights of a project changed: rooms re-read their rules before the next check. */
  invalidateRules(projectId?: number): void {
    for (const room of this.rooms.values())
      if (projectId === undefined || room.projectId === projectId) room.invalidateRules();
  }

  /**
   * Rights changed (membership, role, assignment, session, token, layer or curation state): every open
   * connection in scope is decided again now — closed with 4401/4403/4404, or narrowed to read-only.
   * Collected per tick, so a burst of changes costs one pass.
   */
  rightsChanged(scope: RightsScope): void {
    if (this.pendingScopes === null) {
      this.pendingScopes = [];
      this.deps.timers.soon(() => void this.reauthorizePending());
    }
    this.pendingScopes.push(scope);
    if (scope.projectId !== undefined) this.invalidateRules(scope.projectId);
    else if (scope.documentId === undefined) this.invalidateRules();
  }

  /**
   * Runs the pending re-authorisation now (tests and the flush of a request that changed rights). On SQLite
   * every decision is taken (and every socket closed) before this returns; on PostgreSQL as the answers
   * come, all of them by the time the promise settles.
   */
  reauthorizePending(): Promise<void> {
    const scopes = this.pendingScopes;
    this.pendingScopes = null;
    // a pass the tick's timer started may still await its answers: a caller waits for that one too
    if (!scopes || scopes.length === 0) return this.reauthorizing;
    const everyone = scopes.some(
      (s) => s.userId === undefined && s.projectId === undefined && s.documentId === undefined,
    );
    const inScope = (room: Room, conn: Connection) =>
      everyone ||
      scopes.some(
        (s) =>
          (s.projectId === undefined || s.projectId === room.projectId) &&
          (s.documentId === undefined || s.documentId === room.documentId) &&
          (s.userId === undefined || s.userId === conn.grant.user.id),
      );
    const waiting: Promise<void>[] = [];
    for (const room of [...this.rooms.values()]) {
      for (const conn of [...room.connections]) {
        if (conn.closed || !inScope(room, conn)) continue;
        const decided = this.eager(
          reauthorizeGrant,
          [{ ...conn.grant, documentId: room.documentId, layer: room.layer as LayerName }],
          (auth) => {
            if (conn.closed) return;
            if (!auth.ok) {
              this.counters.rightsRevoked++;
              conn.close(CLOSE_BY_STATUS[auth.status], auth.message.slice(0, 100));
            } else {
              if ((auth.grant.permission === "write") !== conn.writable) this.counters.rightsRevoked++;
              conn.regrant(auth.grant);
            }
          },
          (err) =>
            this.log.error("collab: re-authorising a connection failed", {
              room: room.name,
              err: String(err),
            }),
        );
        if (decided) waiting.push(decided);
      }
    }
    if (waiting.length === 0) return this.reauthorizing;
    const pass = Promise.all([this.reauthorizing, ...waiting]).then(() => {});
    this.reauthorizing = pass;
    void pass.then(() => {
      if (this.reauthorizing === pass) this.reauthorizing = Promise.resolve();
    });
    return pass;
  }

  /**
   * Closes (4401) every open socket whose credential no longer holds: a session expired or deleted, a token
   * revoked, by anyone, without a rights change this server saw. One look-up per credential, not per socket.
   */
  sweepCredentials(): Promise<void> {
    const byCredential = new Map<string, Connection[]>();
    for (const room of this.rooms.values()) {
      for (const conn of room.connections) {
        const credential = conn.grant.credential;
        if (conn.closed || credential === null) continue; // null: joined in-process, not by a caller
        const conns = byCredential.get(credential);
        if (conns) conns.push(conn);
        else byCredential.set(credential, [conn]);
      }
    }
    const waiting: Promise<void>[] = [];
    for (const [credential, conns] of byCredential) {
      const checked = this.eager(
        resolveCredential,
        [credential],
        (user) => {
          for (const conn of conns) {
            if (conn.closed || user?.id === conn.grant.user.id) continue;
            this.counters.rightsRevoked++;
            conn.close(CLOSE_BY_STATUS[401], "the session has ended");
          }
        },
        // a failing database is not a reason to sign everyone out
        (err) => this.log.error("collab: checking a credential failed", { err: String(err) }),
      );
      if (checked) waiting.push(checked);
    }
    return Promise.all(waiting).then(() => {});
  }

  /**
   * Runs a service over the database and hands its value to `then` (or its error to `failed`): within this
   * call on SQLite, when PostgreSQL answers otherwise (the promise returned then settles after `then`).
   */
  private eager<A extends unknown[], T>(
    fn: (store: Store, ...args: A) => Gen<T>,
    args: A,
    then: (value: T) => void,
    failed: (err: unknown) => void,
  ): Promise<void> | null {
    let value: T | Promise<T>;
    try {
      value = callEager(this.deps.database, fn, ...args);
    } catch (err) {
      failed(err);
      return null;
    }
    if (!(value instanceof Promise)) {
      then(value);
      return null;
    }
    return value.then(then, failed);
  }

  /** Runs `fn` on a room's live doc, keeping the room loaded meanwhile; its writes are durable on return. */
  async withDoc<T>(
    documentId: number,
    layer: LayerName,
    fn: (doc: Y.Doc) => T | Promise<T>,
    opts: WithDocOptions = {},
  ): Promise<T> {
    if (this.closing) throw new Error("the collaboration server is shutting down");
    const doc = await callEager(this.deps.database, projectOf, documentId);
    if (!doc) throw new Error(`no document ${documentId}`);
    const room = this.acquire(roomName(documentId, layer), documentId, layer, doc.projectId);
    room.holds++;
    try {
      await room.loaded;
      if (room.status !== "ready") throw new Error(`layer ${room.name} is not available`);
      // its write is checked against the layer's rules after the fact, synchronously: have them at hand
      await room.rulesReady();
      if (opts.fresh) {
        // everything committed anywhere before now, not only what this server has heard of yet
        const stored = await this.deps.store.readState(room.name);
        if (room.status !== "ready") throw new Error(`layer ${room.name} is not available`);
        if (stored) room.applyExternal(stored, null);
      }
      const result = await fn(room.doc);
      await this.deps.store.flush();
      if (room.invalidWriteError) throw room.invalidWriteError;
      if (room.status !== "ready") throw new Error(`layer ${room.name} could not be saved`);
      return result;
    } finally {
      room.holds--;
      if (room.holds === 0 && room.status === "ready") this.afterCommit(room);
      this.maybeUnload(room);
    }
  }

  /**
   * A writer of a layer for a server-side writer of many batches (see LayerWriter). The document must exist.
   */
  async layerWriter(documentId: number, layer: LayerName): Promise<LayerWriter> {
    if (this.closing) throw new Error("the collaboration server is shutting down");
    const doc = await callEager(this.deps.database, projectOf, documentId);
    if (!doc) throw new Error(`no document ${documentId}`);
    const name = roomName(documentId, layer);
    const session: WriterSession = { live: this.rooms.has(name), pending: null };
    const sessions = this.writers.get(name) ?? new Set<WriterSession>();
    this.writers.set(name, sessions.add(session));
    let closed = false;
    const detached = () => !closed && !session.live && !this.rooms.has(name) && !this.closing;
    return {
      read: async (fn) => {
        if (!detached()) return this.withDoc(documentId, layer, fn);
        const stored = await this.deps.store.readState(name);
        const scratch = new Y.Doc();
        try {
          if (stored) Y.applyUpdate(scratch, stored);
          return fn(scratch);
        } finally {
          scratch.destroy();
        }
      },
      write: async (fn, origin) => {
        if (closed) throw new Error("the layer writer is closed");
        if (!detached()) {
          session.live = true;
          await this.withDoc(documentId, layer, (live) => live.transact(() => fn(live, true), origin));
          return;
        }
        // Set before the first await: a load of the room that starts meanwhile reads the store after it.
        session.pending = this.writeDetached(name, documentId, doc.projectId, layer, fn, origin);
        try {
          await session.pending;
        } finally {
          session.pending = null;
        }
      },
      close: () => {
        if (closed) return;
        closed = true;
        sessions.delete(session);
        if (sessions.size === 0 && this.writers.get(name) === sessions) this.writers.delete(name);
      },
    };
  }

  /**
   * One batch of a detached LayerWriter: built in a scratch doc, committed to the store, its rows projected.
   * The room stays unloaded; its next load reads the batch from the store (and reconciles its rows in full).
   */
  private async writeDetached(
    name: string,
    documentId: number,
    projectId: number,
    layer: string,
    fn: (doc: Y.Doc, live: boolean) => void,
    origin: unknown,
  ): Promise<void> {
    const scratch = new Y.Doc();
    try {
      scratch.transact(() => fn(scratch, false), origin);
      const dirty: Dirty = {
        spans: new Set(spansOf(scratch).keys()),
        relations: new Set(relationsOf(scratch).keys()),
        rejected: new Set(),
        state: false,
        full: false,
      };
      if (dirty.spans.size === 0 && dirty.relations.size === 0) return;
      const update = Y.encodeStateAsUpdate(scratch);
      await new Promise<void>((resolve, reject) => {
        this.deps.store.append({ name, committed: () => resolve(), persistFailed: reject }, update);
        void this.deps.store.flush();
      });
      await this.deps.projector.writeDetached({ name, documentId, projectId, layer, doc: scratch }, dirty);
    } finally {
      scratch.destroy();
    }
  }

  /** The loaded room, or a new one whose (single) load starts now. */
  private acquire(name: string, documentId: number, layer: string, projectId: number): Room {
    const existing = this.rooms.get(name);
    if (existing) {
      existing.cancelUnload?.();
      existing.cancelUnload = null;
      return existing;
    }
    const room = new Room(name, documentId, layer, projectId, this.roomEnv);
    this.rooms.set(name, room);
    // a layer writer's later batches go through this room (it may be loaded and gone by their time)
    for (const session of this.writers.get(name) ?? []) session.live = true;
    // While rooms are loaded, notice what other processes append to them (before this room reads).
    this.stopWatching ??= this.deps.store.watchExternal(
      {
        externalRow: (roomName, id, update) => this.rooms.get(roomName)?.applyExternal(update, id),
        externalSnapshot: (roomName, version) => {
          const r = this.rooms.get(roomName);
          if (r?.status !== "ready" || r.snapshotVersion === version) return;
          this.deps.store.readState(roomName).then(
            (state) => {
              if (r.status !== "ready") return;
              r.snapshotVersion = Math.max(r.snapshotVersion, version);
              if (state) r.applyExternal(state, null);
            },
            (err) =>
              this.log.error("collab: reading a snapshot failed", { room: roomName, err: String(err) }),
          );
        },
        externalChange: () => this.rightsChanged({}),
      },
      this.limits.externalPollMs,
    );
    // …and whether the credentials of open sockets are still good (a session may expire while connected).
    this.stopSweeping ??= this.deps.timers.every(this.limits.credentialSweepMs, () => {
      void this.sweepCredentials();
    });
    room.loaded = this.load(room);
    // Joiners learn of a failure through the room's status; withDoc re-awaits this promise.
    room.loaded.catch(() => {});
    return room;
  }

  private async load(room: Room): Promise<void> {
    const cancelDeadline = this.deps.timers.after(this.limits.preAuthDeadlineMs, () =>
      this.fail(room, CloseCode.Timeout, "room load timed out"),
    );
    try {
      await room.subscribed;
      // a layer writer's batch committing now is read with the rest
      for (const session of this.writers.get(room.name) ?? []) await session.pending?.catch(() => {});
      const stored = await this.deps.store.load(room.name);
      if (room.status !== "loading") return; // failed or shut down meanwhile
      room.applyStored(stored);
      // PostgreSQL: the rules are read before the first frame needs them (which would otherwise wait)
      if (room.asyncRules) await room.rulesReady().catch(() => {});
    } catch (err) {
      this.log.error("collab: loading a room failed", { room: room.name, err: String(err) });
      this.fail(room, CloseCode.InternalError, "could not load the layer");
      throw err;
    } finally {
      cancelDeadline();
    }
    for (const conn of [...room.connections]) conn.start();
    this.maybeUnload(room);
  }

  /** Closes a room's connections with `code` and destroys it (no flush: its state is not to be trusted). */
  private fail(room: Room, code: number, reason: string): void {
    if (room.status === "destroyed") return;
    if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
    room.destroy();
    for (const conn of [...room.connections]) conn.close(code, reason);
    this.stopWatchingWhenEmpty();
  }

  private maybeUnload(room: Room): void {
    if (room.status !== "ready" || !room.idle || room.cancelUnload) return;
    const unload = () => {
      room.cancelUnload = null;
      this.unload(room).catch((err) =>
        this.log.error("collab: unloading a room failed", { room: room.name, err: String(err) }),
      );
    };
    // Deferred: leave() may run inside a broadcast loop or a socket callback.
    room.cancelUnload =
      this.limits.unloadDelayMs > 0
        ? this.deps.timers.after(this.limits.unloadDelayMs, unload)
        : this.deps.timers.soon(unload);
  }

  /**
   * Last one out: flush, re-check, destroy. Every step below settles at once with the SQLite store, but the
   * idle predicate is re-checked after each one anyway, so an asynchronous store cannot unload a room that
   * a client re-joined in between.
   */
  private async unload(room: Room): Promise<void> {
    if (room.status !== "ready" || !room.idle) return;
    await this.deps.store.flush();
    if (room.status !== "ready" || !room.idle) return;
    await this.deps.projector.flush(room);
    if (room.status !== "ready" || !room.idle) return;
    await this.compact(room, true);
    if (room.status !== "ready" || !room.idle) return;
    this.rooms.delete(room.name);
    room.destroy();
    this.stopWatchingWhenEmpty();
  }

  private stopWatchingWhenEmpty(): void {
    if (this.rooms.size > 0) return;
    this.stopWatching?.();
    this.stopWatching = null;
    this.stopSweeping?.();
    this.stopSweeping = null;
  }

  /**
   * A log over the threshold is compacted at the first pause in writing: compaction re-encodes the room
   * (milliseconds for a large layer), which every client of the room would otherwise wait on mid-edit.
   * A room that never pauses is compacted at ten times the threshold anyway.
   */
  private afterCommit(room: Room): void {
    const { compactAfterUpdates, compactAfterBytes, compactWhenQuietMs } = this.limits;
    if (room.logRows < compactAfterUpdates && room.logBytes < compactAfterBytes) return;
    // A server-side writer (an annotation import) holds the room and writes batch after batch: compacting
    // between its batches re-encodes the whole growing room each time (the import's memory peak). Once it
    // lets go, withDoc looks again.
    if (room.holds > 0) return;
    const overdue = room.logRows >= 10 * compactAfterUpdates || room.logBytes >= 10 * compactAfterBytes;
    room.cancelCompaction?.();
    const run = () => {
      room.cancelCompaction = null;
      if (room.status === "ready") void this.compact(room, false);
    };
    room.cancelCompaction = overdue
      ? this.deps.timers.soon(run)
      : this.deps.timers.after(compactWhenQuietMs, run);
  }

  /** One compaction of a room at a time; a second request while one runs waits for it (and does nothing). */
  private compact(room: Room, gc: boolean): Promise<void> {
    room.compacting ??= this.compactOnce(room, gc).finally(() => {
      room.compacting = null;
    });
    return room.compacting;
  }

  private async compactOnce(room: Room, gc: boolean): Promise<void> {
    // With nothing uncommitted, the live doc holds exactly the stored log: it can be the snapshot.
    if (room.logRows === 0 || room.uncommitted) return;
    const logBytes = room.logBytes;
    try {
      const result = await this.deps.store.compact(room.name, {
        gc,
        live: {
          applied: new Set(room.appliedIds),
          snapshotVersion: room.snapshotVersion,
          state: () => Y.encodeStateAsUpdate(room.doc),
        },
      });
      if (room.status !== "ready") return;
      // Rows committed while an asynchronous store compacted are still in the log, and still counted.
      for (const id of result.ids) room.appliedIds.delete(id);
      room.logRows = Math.max(0, room.logRows - result.rows);
      room.logBytes = room.logRows === 0 ? 0 : Math.max(0, room.logBytes - logBytes);
      room.snapshotVersion = Math.max(room.snapshotVersion, result.version);
      // Merged from the store: it may hold what another writer appended that this doc has not seen yet.
      if (result.merged) room.applyExternal(result.merged, null);
    } catch (err) {
      // The log is intact (the transaction rolled back); compaction is retried at the next threshold.
      this.log.error("collab: compaction failed", { room: room.name, err: String(err) });
    }
  }

  /** Closes every connection, flushes and unloads every room. */
  async close(): Promise<void> {
    this.closing = true;
    for (const room of [...this.rooms.values()])
      for (const conn of [...room.connections]) conn.close(CloseCode.GoingAway, "server shutting down");
    await this.deps.store.flush();
    for (const room of [...this.rooms.values()]) {
      if (room.status === "ready") {
        await this.deps.projector.flush(room);
        await this.compact(room, true);
      }
      this.rooms.delete(room.name);
      room.destroy();
    }
    this.stopWatchingWhenEmpty();
    this.stopHeartbeat?.();
    this.stopHeartbeat = null;
  }
}
