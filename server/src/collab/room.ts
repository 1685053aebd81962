/**
 * One live (document, layer): its Y.Doc, its awareness and its connections, speaking the y-websocket
 * protocol. Updates are durable before they are fanned out: a broadcast (or a sync reply that may carry an
 * uncommitted update) waits in the outbox until the store has committed every update appended before it.
 */
import { LayerValidationError, rejectedOf, relationsOf, spansOf, stateOf, userColor } from "@gloss/shared";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { Logger } from "../log";
import type { RoomBus } from "./bus";
import { Connection, type ConnectionHost, HoldFrame } from "./connection";
import type { CollabLimits } from "./limits";
import type { CollabCounters } from "./metrics";
import type { CommitSink, LayerStore, StoredLayer } from "./persistence";
import type { ProjectedRoom, RoomProjector } from "./projection";
import {
  type AwarenessEntry,
  type ClientMessage,
  decodeAwarenessUpdate,
  encodeAwareness,
  encodeAwarenessEntries,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  ProtocolError,
} from "./protocol";
import type { TimerRegistry } from "./timers";
import { type RoomRules, trackRemovedRecords, validateClientUpdate, validateTransaction } from "./validate";

/** An awareness update over the room's bounds: the socket is closed with 4430. */
export class AwarenessLimitError extends Error {
  override name = "AwarenessLimitError";
}

/** The identity fields a client may not claim; the server writes them from the authenticated user. */
function stampIdentity(json: string, conn: Connection): string {
  const state: unknown = JSON.parse(json);
  const base =
    state && typeof state === "object" && !Array.isArray(state) ? (state as Record<string, unknown>) : {};
  const u = conn.grant.user;
  return JSON.stringify({
    ...base,
    user: { id: u.id, name: u.displayName || u.username, color: userColor(u.id) },
  });
}

/** Transaction origin of the stored state being applied at load: not logged again, not broadcast. */
export const LOAD_ORIGIN = Symbol("gloss:load");
/** Transaction origin of rows another process (the CLI, another server) appended to this room's log. */
export const EXTERNAL_ORIGIN = Symbol("gloss:external");
/** The origin of awareness changes another server relayed (never published again). */
export const REMOTE_ORIGIN = Symbol("gloss:remote");

export interface RoomEnv {
  /** The registry, which its connections report to. */
  host: ConnectionHost;
  store: LayerStore;
  /** What crosses to the other servers holding this room (NO_BUS on a single server). */
  bus: RoomBus;
  projector: RoomProjector;
  limits: CollabLimits;
  log: Logger;
  counters: CollabCounters;
  timers: TimerRegistry;
  /** After a commit: the registry decides whether the log needs compacting. */
  afterCommit(room: Room): void;
  /** A commit failed: the registry drops the room. */
  persistFailed(room: Room, err: unknown): void;
  /**
   * The rules a room's writes are held to (the document's text, the project's labels), read from the
   * database: at once on SQLite, a promise on PostgreSQL.
   */
  loadRules(room: Room): RoomRules | Promise<RoomRules>;
  /** True on PostgreSQL: rules are read asynchronously, and at once when invalidated. */
  asyncRules: boolean;
  /** A server-side write broke the layer model (a bug): the registry drops the room without storing it. */
  invalidWrite(room: Room, err: LayerValidationError): void;
}

interface Outgoing {
  /** Sent once this many of the room's appended updates are committed. */
  after: number;
  msg: Uint8Array;
  to: Connection | null;
  except: Connection | null;
}

export type RoomStatus = "loading" | "ready" | "destroyed";

const HOLD_FRAME = new HoldFrame();

/** The fields of a refusal that rules read afresh may lift: a label, a relation type, created since. */
const RULES_CURE = new Set(["label", "type"]);

export class Room implements CommitSink, ProjectedRoom {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  status: RoomStatus = "loading";
  /** Connections in the room (waiting for the load or started). */
  readonly connections = new Set<Connection>();
  /** withDoc calls in progress: they keep the room loaded. */
  holds = 0;
  /** Settles when the stored state is applied (or the load failed). */
  loaded: Promise<void> = Promise.resolve();
  /** Log rows (and bytes) not yet compacted into the snapshot. */
  logRows = 0;
  logBytes = 0;
  cancelUnload: (() => void) | null = null;
  cancelCompaction: (() => void) | null = null;
  /** The compaction running now, if any (one at a time). */
  compacting: Promise<void> | null = null;
  /** Ids of the log rows the live doc applied (loaded, committed here, or noticed from another writer). */
  readonly appliedIds = new Set<number>();
  /** The snapshot version the live doc is known to contain. */
  snapshotVersion = 0;
  /** Set when a server-side write broke the layer model: withDoc rethrows it to the caller. */
  invalidWriteError: LayerValidationError | null = null;
  private appended = 0;
  private committedCount = 0;
  private outbox: Outgoing[] = [];
  private readonly awarenessOwner = new Map<number, Connection>();
  private unwatch: (() => void) | null = null;
  private readonly releaseAwarenessTimer: () => void;
  private rulesCache: RoomRules | null = null;
  /** The rules last read (server-side writes use them while a re-read is out). */
  private lastRules: RoomRules | null = null;
  /** Moves at each invalidation: a read that started before one is not cached. */
  private rulesGeneration = 0;
  /** Rules being read (PostgreSQL): the room's inbound frames wait for them (see `held`). */
  private rulesLoading: Promise<void> | null = null;
  /** The last read failed: the next check fails with it (until the rules are invalidated again). */
  private rulesError: unknown = null;
  /**
   * The connection whose update failed against the cached rules and waits for them to be read again
   * (PostgreSQL): its next update is that one, and gets no third try.
   */
  private retrying: Connection | null = null;
  /** Settles when the room's channel is subscribed (at once on a single server). */
  readonly subscribed: Promise<void>;
  /** Awareness client ids of other servers' clients (relayed here; no client here may claim them). */
  private readonly remoteAwareness = new Set<number>();
  /** Log rows heard of while loading, with their ids: applied once the stored state is. */
  private early: Array<[Uint8Array, number]> = [];
  /** Appended updates not yet committed, in order, for the bus (only with one). */
  private unpublished: Uint8Array[] = [];

  constructor(
    readonly name: string,
    readonly documentId: number,
    readonly layer: string,
    readonly projectId: number,
    private readonly env: RoomEnv,
  ) {
    // The guid from the room name: yjs would otherwise draw a random uuid, one getRandomValues call per hex
    // digit, at every load. A guid only names subdocuments, which layers do not use.
    this.doc = new Y.Doc({ gc: true, guid: name });
    env.counters.liveDocs++;
    this.doc.on("destroy", () => {
      env.counters.liveDocs--;
    });
    // Define the three maps before any update names them, so a hostile update cannot make them another type.
    spansOf(this.doc);
    relationsOf(this.doc);
    stateOf(this.doc);
    rejectedOf(this.doc);
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null);
    // The Awareness runs an interval until the doc is destroyed; count it with ours.
    this.releaseAwarenessTimer = env.timers.track();
    this.doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
    // subscribed before the stored state is read (the registry's load waits for it): nothing committed
    // elsewhere after the read is missed
    this.subscribed = env.bus.join(this);
  }

  get host(): ConnectionHost {
    return this.env.host;
  }

  /** True while some of the room's updates are queued and not yet committed. */
  get uncommitted(): boolean {
    return this.committedCount < this.appended;
  }

  /** No connection, no withDoc, no uncommitted write: the one predicate under which a room may unload. */
  get idle(): boolean {
    return this.connections.size === 0 && this.holds === 0 && this.committedCount >= this.appended;
  }

  /** Applies the stored state; only then is the room ready and does sync start (STYLE 8). */
  applyStored(stored: StoredLayer): void {
    this.doc.transact(() => {
      for (const u of stored.updates) Y.applyUpdate(this.doc, u);
    }, LOAD_ORIGIN);
    this.logRows = stored.rows;
    this.logBytes = stored.bytes;
    for (const id of stored.ids) this.appliedIds.add(id);
    this.snapshotVersion = stored.snapshotVersion;
    // an offline edit of a record removed meanwhile keeps the author it had (validate.ts, issue 17)
    trackRemovedRecords(this.doc);
    this.status = "ready";
    this.unwatch = this.env.projector.watch(this);
    const early = this.early;
    this.early = [];
    for (const [update, id] of early) this.applyExternal(update, id);
  }

  /** First frames to a started connection: our state vector, then who else is here. */
  greet(conn: Connection): void {
    conn.send(encodeSyncStep1(this.doc));
    const states = this.awareness.getStates();
    if (states.size > 0)
      conn.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()])));
  }

  /** Handles one decoded frame of a started connection; throws on a protocol violation. */
  handle(conn: Connection, msg: ClientMessage): void {
    switch (msg.kind) {
      case "sync-step1":
        // Ordered behind the outbox: the reply may carry updates that are not committed yet.
        this.enqueue(encodeSyncStep2(this.doc, msg.stateVector), conn, null);
        return;
      case "sync-step2":
      case "update":
        if (!conn.writable) {
          // Read-only: never applied. Dropped silently rather than closed, because a stock provider always
          // answers our sync step 1 with a (normally empty) step 2.
          this.env.counters.readOnlyDropped++;
          return;
        }
        this.applyClientUpdate(conn, msg.update);
        return;
      case "awareness":
        this.applyAwareness(conn, msg.update);
        return;
      case "query-awareness": {
        const states = this.awareness.getStates();
        if (states.size > 0)
          conn.send(
            encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()])),
          );
        return;
      }
    }
  }

  /**
   * The rules of a server-side write (checked after the fact, synchronously): read on first use on SQLite;
   * on PostgreSQL read beforehand (withDoc awaits `rulesReady`), or the last ones known while a read is out.
   */
  rules(): RoomRules {
    const rules = this.currentRules(false) ?? this.lastRules;
    if (!rules) throw new Error(`the rules of ${this.name} are not loaded yet`);
    return rules;
  }

  /** True when the rules are read asynchronously (PostgreSQL). */
  get asyncRules(): boolean {
    return this.env.asyncRules;
  }

  /** Settles once the rules are at hand (at once on SQLite, or when they are cached). */
  async rulesReady(): Promise<void> {
    for (;;) {
      if (this.status !== "ready") return;
      if (this.rulesLoading) await this.rulesLoading;
      else if (this.rulesCache || this.currentRules(false)) return;
    }
  }

  /**
   * While true, the room's connections queue what they receive (bounded, as before the room was ready)
   * and handle it once the rules being read have arrived: nothing is checked against rules known stale.
   */
  get held(): boolean {
    return this.rulesLoading !== null;
  }

  /** Labels or relation types of the project changed: re-read them before the next check. */
  invalidateRules(): void {
    this.rulesGeneration++;
    this.rulesCache = null;
    this.rulesError = null;
    // PostgreSQL reads them now, holding the room's frames meanwhile (a read already out is read again
    // when it returns); SQLite reads them at the next check
    if (this.env.asyncRules && this.status === "ready" && !this.rulesLoading) this.readRules();
  }

  /** The rules for a check now, read first when `fresh` or not cached; null while they are being read. */
  private currentRules(fresh: boolean): RoomRules | null {
    if (this.rulesLoading) return null;
    if (!fresh && this.rulesCache) return this.rulesCache;
    if (this.rulesError) throw this.rulesError;
    return this.readRules();
  }

  private readRules(): RoomRules | null {
    const generation = this.rulesGeneration;
    const loaded = this.env.loadRules(this);
    if (!(loaded instanceof Promise)) {
      this.rulesCache = this.lastRules = loaded;
      return loaded;
    }
    this.rulesLoading = loaded
      .then(
        (rules) => {
          if (generation !== this.rulesGeneration) return;
          this.rulesCache = this.lastRules = rules;
        },
        (err: unknown) => {
          this.env.log.error("collab: reading a room's rules failed", { room: this.name, err: String(err) });
          if (generation === this.rulesGeneration) this.rulesError = err;
        },
      )
      .finally(() => {
        this.rulesLoading = null;
        if (this.status !== "ready") return;
        // invalidated while the read was out: what it read may predate the change
        if (generation !== this.rulesGeneration && this.readRules() === null) return;
        for (const conn of [...this.connections]) conn.drain();
      });
    return null;
  }

  private applyClientUpdate(conn: Connection, update: Uint8Array): void {
    const cached = this.currentRules(false);
    if (!cached) throw HOLD_FRAME;
    const retried = this.retrying === conn;
    if (retried) this.retrying = null;
    try {
      validateClientUpdate(this.doc, update, cached, this.env.limits, { userId: conn.grant.user.id });
    } catch (err) {
      if (!(err instanceof LayerValidationError) || retried || !RULES_CURE.has(err.field)) throw err;
      // A label or relation type added a moment ago is not in the cached rules yet: check once more against
      // the database (on PostgreSQL the frame waits for the answer, first in its connection's queue, and
      // comes back here). Nothing else a re-read could change: the text is immutable, the caps are ours.
      const fresh = this.currentRules(true);
      if (!fresh) {
        this.retrying = conn;
        throw HOLD_FRAME;
      }
      validateClientUpdate(this.doc, update, fresh, this.env.limits, { userId: conn.grant.user.id });
    }
    let failure: unknown = null;
    try {
      Y.applyUpdate(this.doc, update, conn);
    } catch (err) {
      failure = err;
    }
    const store = this.doc.store;
    if (store.pendingStructs !== null || store.pendingDs !== null) {
      // Every update a real client sends depends only on what it got from us (we never lose a committed
      // update), so one that waits for unknown operations is forged or corrupt: drop what it parked — also
      // when decoding failed halfway, or the next good update would be blamed for it.
      store.pendingStructs = null;
      store.pendingDs = null;
      failure ??= new ProtocolError("update depends on operations the server does not have");
    }
    if (failure) throw failure;
  }

  /**
   * Awareness is bounded and the server's word on identity: a connection speaks only for the client ids it
   * introduced (at most `maxAwarenessClientsPerConnection`, and `maxAwarenessClientsPerUser` over all of a
   * user's connections in the room), each state at most `maxAwarenessStateBytes`; over a bound the socket
   * is closed with 4430. Every state is stamped with the authenticated user (id, name, colour), whatever
   * the client claimed.
   */
  private applyAwareness(conn: Connection, update: Uint8Array): void {
    const entries = decodeAwarenessUpdate(update);
    const { maxAwarenessClientsPerConnection, maxAwarenessClientsPerUser, maxAwarenessStateBytes } =
      this.env.limits;
    const kept: AwarenessEntry[] = [];
    for (const e of entries) {
      const owner = this.awarenessOwner.get(e.clientID);
      // Providers echo other clients' changes back: those are not this connection's to speak for — nor are
      // the clients of another server (relayed here), whatever id a client here claims
      if ((owner && owner !== conn) || (!owner && this.remoteAwareness.has(e.clientID))) continue;
      if (e.json === "null") {
        if (owner === conn) kept.push(e); // a removal introduces nobody, so it claims nothing
        continue;
      }
      if (e.json.length > maxAwarenessStateBytes)
        throw new AwarenessLimitError(`an awareness state over ${maxAwarenessStateBytes} bytes`);
      if (!owner) {
        conn.awarenessIds ??= new Set();
        if (conn.awarenessIds.size >= maxAwarenessClientsPerConnection)
          throw new AwarenessLimitError(`more than ${maxAwarenessClientsPerConnection} awareness clients`);
        if (this.awarenessCountOf(conn.grant.user.id) >= maxAwarenessClientsPerUser)
          throw new AwarenessLimitError(
            `more than ${maxAwarenessClientsPerUser} awareness clients for one user`,
          );
        conn.awarenessIds.add(e.clientID);
        this.awarenessOwner.set(e.clientID, conn);
      }
      kept.push({ ...e, json: stampIdentity(e.json, conn) });
    }
    if (kept.length === 0) return;
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(kept), conn);
  }

  private awarenessCountOf(userId: number): number {
    let n = 0;
    for (const c of this.connections) if (c.grant.user.id === userId) n += c.awarenessIds?.size ?? 0;
    return n;
  }

  /** A connection left: its awareness states go too, and everyone else hears of it. */
  releaseAwareness(conn: Connection): void {
    const ids = conn.awarenessIds;
    if (!ids || ids.size === 0) return;
    for (const id of ids) this.awarenessOwner.delete(id);
    conn.awarenessIds = null;
    awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null);
  }

  private readonly onDocUpdate = (
    update: Uint8Array,
    origin: unknown,
    _doc: Y.Doc,
    tr: Y.Transaction,
  ): void => {
    if (origin === LOAD_ORIGIN || this.status === "destroyed") return;
    if (!(origin instanceof Connection) && origin !== EXTERNAL_ORIGIN) {
      // A server-side write (REST, import, curation, CLI): held to the same rules after the fact.
      try {
        validateTransaction(this.doc, tr, this.rules());
      } catch (err) {
        if (!(err instanceof LayerValidationError)) throw err;
        this.env.invalidWrite(this, err);
        return;
      }
    }
    const except = origin instanceof Connection ? origin : null;
    if (origin === EXTERNAL_ORIGIN) {
      // Already in the log (another process wrote it): relay only, behind what is still uncommitted here.
      if (this.hasAudience(null)) this.enqueue(encodeUpdate(update), null, null);
      return;
    }
    this.appended++;
    this.logBytes += update.byteLength;
    if (this.env.bus.enabled) this.unpublished.push(update);
    this.env.store.append(this, update);
    if (this.hasAudience(except)) this.enqueue(encodeUpdate(update), null, except);
  };

  /** True when a started connection other than `except` would receive a broadcast. */
  private hasAudience(except: Connection | null): boolean {
    for (const conn of this.connections) if (conn.started && conn !== except) return true;
    return false;
  }

  private readonly onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    for (const id of changes.removed) {
      this.remoteAwareness.delete(id);
      const owner = this.awarenessOwner.get(id);
      if (owner) {
        owner.awarenessIds?.delete(id);
        this.awarenessOwner.delete(id);
      }
    }
    const changed = [...changes.added, ...changes.updated, ...changes.removed];
    if (changed.length === 0 || this.status !== "ready") return;
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
    // a local client's change (or its leaving: origin null) goes to the other servers; not their own relays,
    // nor the timeouts each server runs for itself
    if (this.env.bus.enabled && (origin instanceof Connection || origin === null))
      this.env.bus.publishAwareness(this.name, update);
    const msg = encodeAwareness(update);
    // Awareness is ephemeral and never stored, so it does not wait for commits.
    this.deliver(msg, null, origin instanceof Connection ? origin : null);
  };

  private enqueue(msg: Uint8Array, to: Connection | null, except: Connection | null): void {
    if (this.outbox.length === 0 && this.committedCount >= this.appended) this.deliver(msg, to, except);
    else this.outbox.push({ after: this.appended, msg, to, except });
  }

  private deliver(msg: Uint8Array, to: Connection | null, except: Connection | null): void {
    if (to) {
      to.send(msg);
      return;
    }
    for (const conn of this.connections) if (conn.started && conn !== except) conn.send(msg);
  }

  /**
   * What another process wrote to this room's log (or its whole stored state): applied so live clients
   * see it. Never appended again: it is in the log already.
   */
  applyExternal(update: Uint8Array, id: number | null): void {
    if (this.status === "loading" && id !== null) {
      // heard (through the bus) while the stored state is read: applied after it, unless the read had it
      this.early.push([update, id]);
      return;
    }
    if (this.status !== "ready" || (id !== null && this.appliedIds.has(id))) return;
    if (id !== null) {
      this.appliedIds.add(id);
      this.logRows++;
      this.logBytes += update.byteLength;
    }
    this.env.counters.externalUpdates++;
    Y.applyUpdate(this.doc, update, EXTERNAL_ORIGIN);
  }

  /** The awareness states of this server's own clients, encoded, or null when it has none. */
  localAwareness(): Uint8Array | null {
    if (this.status !== "ready" || this.awarenessOwner.size === 0) return null;
    return awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awarenessOwner.keys()]);
  }

  /**
   * Another server's awareness change of its clients: shown to the clients here. Never a state of a client
   * of this server (another server cannot speak for it).
   */
  applyRemoteAwareness(update: Uint8Array): void {
    // Also while loading: the answers to the "who is here?" this room asked on joining may come before
    // its stored state (on PostgreSQL, whose read is awaited); its clients are greeted with them on start.
    if (this.status === "destroyed") return;
    const kept = decodeAwarenessUpdate(update).filter((e) => !this.awarenessOwner.has(e.clientID));
    if (kept.length === 0) return;
    for (const e of kept)
      if (e.json === "null") this.remoteAwareness.delete(e.clientID);
      else this.remoteAwareness.add(e.clientID);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(kept), REMOTE_ORIGIN);
  }

  /** CommitSink: these of this room's updates are durable (log rows `ids`); send what waited for them. */
  committed(ids: number[]): void {
    const count = ids.length;
    if (this.env.bus.enabled) {
      const updates = this.unpublished.splice(0, count);
      ids.forEach((id, i) => {
        const update = updates[i];
        if (update) this.env.bus.publishUpdate(this.name, id, update);
      });
    }
    for (const id of ids) this.appliedIds.add(id);
    this.committedCount += count;
    this.logRows += count;
    let i = 0;
    try {
      while (i < this.outbox.length && this.outbox[i]!.after <= this.committedCount) {
        const { msg, to, except } = this.outbox[i++]!;
        this.deliver(msg, to, except);
      }
    } finally {
      this.outbox.splice(0, i);
    }
    this.env.afterCommit(this);
  }

  /** CommitSink: the write failed; nothing of it was fanned out. */
  persistFailed(err: unknown): void {
    this.env.persistFailed(this, err);
  }

  /** Destroys the Y.Doc (and with it the Awareness and its interval); the room is unusable afterwards. */
  destroy(): void {
    if (this.status === "destroyed") return;
    this.status = "destroyed";
    this.cancelUnload?.();
    this.cancelCompaction?.();
    this.unwatch?.();
    this.env.projector.forget(this);
    this.outbox = [];
    this.unpublished = [];
    this.early = [];
    this.env.bus.leave(this);
    this.awarenessOwner.clear();
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    this.doc.destroy();
    this.releaseAwarenessTimer();
  }
}
