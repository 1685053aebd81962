/**
 * Durable storage of layer Y.Docs in SQLite: an append-only update log (`yjs_updates`) and one compacted
 * snapshot per room (`yjs_snapshots`).
 *
 * Durable first, compact later (STYLE 9): every accepted update is queued and the whole tick's queue is
 * committed in ONE transaction; a room is told when its updates are committed and only then fans them out,
 * so no client can receive an update that a crash could lose. Compaction runs in an IMMEDIATE transaction
 * that reads the log rows, merges them into the snapshot and deletes exactly those rows (by the id range
 * it read — a compaction that trimmed by a MAX(id) read later lost data in one public project).
 *
 * Several writers (this server, the CLI, later other servers) may append to the same room. No writer may
 * erase another's rows: a room knows the ids of the log rows its live doc applied and the snapshot version
 * it loaded, and may replace the snapshot with its live state only when the log holds nothing else and
 * nobody rewrote the snapshot since. Rows and snapshots another process wrote are noticed (PRAGMA
 * data_version, polled) and applied to the rooms held here, so live clients see them without a reload.
 *
 * Raw prepared statements rather than the query builder: this is the hot path (≥ 20,000 updates/s).
 */
import type Database from "better-sqlite3";
import * as Y from "yjs";
import type { TimerRegistry } from "./timers";

/** The party that appended an update and must hear when it is committed (or lost). */
export interface CommitSink {
  readonly name: string;
  /** These of the sink's updates are durable, as log rows with these ids (in append order). */
  committed(ids: number[]): void;
  persistFailed(err: unknown): void;
}

/** A room's stored state: the snapshot (if any) followed by the log rows, in order. */
export interface StoredLayer {
  updates: Uint8Array[];
  /** Log rows (not counting the snapshot) and their bytes: what the next compaction will merge. */
  rows: number;
  bytes: number;
  /** The ids of those rows. */
  ids: number[];
  /** The snapshot's version (0 when there is none). */
  snapshotVersion: number;
}

/** Told of what other processes wrote to the store. */
export interface ExternalListener {
  /** A log row another process appended. */
  externalRow(room: string, id: number, update: Uint8Array): void;
  /** Another process rewrote a room's snapshot (e.g. compacted rows this process may never have seen). */
  externalSnapshot(room: string, version: number): void;
  /** Another process changed accounts, members, labels, states…: rights and rules may have changed. */
  externalChange(): void;
}

export interface CompactResult {
  /** Log rows merged and deleted. */
  rows: number;
  /** Their ids: rows a room applied while an asynchronous store compacted stay counted. */
  ids: number[];
  /** The snapshot's new version. */
  version: number;
  /**
   * The merged stored state when it was built from the log (not the live doc): it may hold what other
   * writers appended, which the live doc then applies.
   */
  merged: Uint8Array | null;
}

/**
 * What the rooms need from persistence: SqliteLayerStore (embedded) and PgLayerStore (several servers on one
 * PostgreSQL) implement it; tests may wrap it. Asynchronous, so a networked database fits; the SQLite store
 * does its work before it returns, so its promises are already settled (the rooms' code is the same for both).
 */
export interface LayerStore {
  load(room: string): Promise<StoredLayer>;
  append(sink: CommitSink, update: Uint8Array): void;
  /**
   * Commits everything queued now (normally done once per tick); settles when those updates' sinks were told
   * (committed or failed). Never rejects.
   */
  flush(): Promise<void>;
  /** Updates queued and not yet committed. */
  readonly pending: number;
  /** Updates committed since start. */
  readonly persisted: number;
  /** Merges a room's log into its snapshot (see CompactOptions). */
  compact(room: string, opts?: CompactOptions): Promise<CompactResult>;
  /** Starts telling `listener` what other processes write (polled every `intervalMs`); returns the stop. */
  watchExternal(listener: ExternalListener, intervalMs: number): () => void;
  /** The merged stored state of a room, or null when nothing is stored. */
  readState(room: string): Promise<Uint8Array | null>;
  /** Flushes and stops scheduling (and, for a networked store, lets its connections go). */
  close(): Promise<void>;
}

export interface CompactOptions {
  /** Re-encode through a garbage-collecting doc, so deleted content stops costing bytes (slow path). */
  gc?: boolean;
  /**
   * Fast path: the live doc's state, the log row ids it applied and the snapshot version it started from.
   * When every log row of the room is one it applied (ids, not a count: another writer's rows are not) and
   * the snapshot is still that version, the live state — already garbage collected — becomes the snapshot,
   * instead of merging the rows (which took 130–150 ms for 1,000 span updates, on the event loop every
   * client waits on). An asynchronous store calls `state()` before it first waits, while the doc holds
   * exactly `applied`.
   */
  live?: { applied: ReadonlySet<number>; snapshotVersion: number; state: () => Uint8Array };
}

export const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** One stored log row, as both stores read it. */
export interface LogRow {
  id: number;
  update: Uint8Array;
}

/** A room's snapshot and log rows as the rooms load them. */
export function storedLayer(snapshot: Uint8Array | null, version: number, rows: LogRow[]): StoredLayer {
  const updates: Uint8Array[] = snapshot ? [snapshot] : [];
  const ids: number[] = new Array(rows.length);
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    updates.push(r.update);
    ids[i] = Number(r.id);
    bytes += r.update.byteLength;
  }
  return { updates, rows: rows.length, bytes, ids, snapshotVersion: version };
}

/** The merged state of a snapshot and its log rows, or null when there is neither. */
export function mergedState(snapshot: Uint8Array | null, rows: LogRow[]): Uint8Array | null {
  const parts: Uint8Array[] = snapshot ? [snapshot] : [];
  for (const r of rows) parts.push(r.update);
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
}

/**
 * A committed batch's outcome: each sink hears its own updates' row ids, in append order; `own` (when a
 * store watches for other writers) remembers them, so the watch skips them.
 */
export function tellCommitted(
  batch: ReadonlyArray<{ sink: CommitSink }>,
  ids: readonly number[],
  own: Set<number> | null,
): void {
  const bySink = new Map<CommitSink, number[]>();
  for (let i = 0; i < batch.length; i++) {
    const sink = batch[i]!.sink;
    const list = bySink.get(sink);
    if (list) list.push(ids[i]!);
    else bySink.set(sink, [ids[i]!]);
    own?.add(ids[i]!);
  }
  for (const [sink, list] of bySink) sink.committed(list);
}

/** A failed batch: every room in it drops its in-memory state (clients still hold their edits and resend). */
export function tellFailed(batch: ReadonlyArray<{ sink: CommitSink }>, err: unknown): void {
  for (const sink of new Set(batch.map((b) => b.sink))) sink.persistFailed(err);
}

/** Re-encodes a state through a garbage-collecting Y.Doc, so deleted spans stop costing bytes. */
export function collectGarbage(room: string, state: Uint8Array): Uint8Array {
  const doc = new Y.Doc({ gc: true, guid: room });
  try {
    Y.applyUpdate(doc, state);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

export class SqliteLayerStore implements LayerStore {
  private queue: Array<{ sink: CommitSink; update: Uint8Array }> = [];
  private cancelScheduled: (() => void) | null = null;
  private closed = false;
  persisted = 0;
  /** Ids of rows this store inserted that the external poll has not passed yet (it skips them). */
  private readonly own = new Set<number>();
  private lastSeenId = 0;
  private lastDataVersion = 0;
  private lastPollAt = 0;
  private stopWatching: (() => void) | null = null;
  private readonly dataVersion: () => number;
  private readonly selectNewIds;
  private readonly selectRow;
  private readonly selectChangedSnapshots;
  private readonly maxId;
  private readonly rightsEpoch: () => number;
  private lastRightsEpoch = 0;

  private readonly insert;
  private readonly selectSnapshot;
  private readonly selectRows;
  private readonly selectRowIds;
  private readonly upsertSnapshot;
  private readonly deleteUpTo;
  private readonly commitBatch;
  private readonly readTx;
  private readonly compactTx;

  constructor(
    sqlite: Database.Database,
    private readonly timers: TimerRegistry,
  ) {
    this.insert = sqlite.prepare('INSERT INTO yjs_updates (room, "update", created_at) VALUES (?, ?, ?)');
    this.selectSnapshot = sqlite.prepare<[string], { state: Buffer; version: number }>(
      "SELECT state, version FROM yjs_snapshots WHERE room = ?",
    );
    this.selectRows = sqlite.prepare<[string], { id: number; update: Buffer }>(
      'SELECT id, "update" FROM yjs_updates WHERE room = ? ORDER BY id',
    );
    this.selectRowIds = sqlite.prepare<[string], { id: number }>(
      "SELECT id FROM yjs_updates WHERE room = ? ORDER BY id",
    );
    this.upsertSnapshot = sqlite.prepare(
      "INSERT INTO yjs_snapshots (room, state, updated_at, version) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT(room) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, " +
        "version = excluded.version",
    );
    const versionStmt = sqlite.prepare("PRAGMA data_version").pluck();
    this.dataVersion = () => versionStmt.get() as number;
    // Ids first (the primary key alone, no blobs): most rows past the last one seen are this process's own.
    this.selectNewIds = sqlite
      .prepare<[number], number>("SELECT id FROM yjs_updates WHERE id > ? ORDER BY id")
      .pluck();
    this.selectRow = sqlite.prepare<[number], { room: string; update: Buffer }>(
      'SELECT room, "update" FROM yjs_updates WHERE id = ?',
    );
    this.selectChangedSnapshots = sqlite.prepare<[number], { room: string; version: number }>(
      "SELECT room, version FROM yjs_snapshots WHERE updated_at >= ?",
    );
    this.deleteUpTo = sqlite.prepare("DELETE FROM yjs_updates WHERE room = ? AND id <= ?");
    this.commitBatch = sqlite.transaction((batch: Array<{ sink: CommitSink; update: Uint8Array }>) => {
      const now = Date.now();
      const ids: number[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const { sink, update } = batch[i]!;
        ids[i] = Number(this.insert.run(sink.name, asBuffer(update), now).lastInsertRowid);
      }
      return ids;
    });
    // One read transaction, so the snapshot and the rows are from the same moment.
    this.readTx = sqlite.transaction((room: string) => {
      const snap = this.selectSnapshot.get(room);
      return { snapshot: snap?.state ?? null, version: snap?.version ?? 0, rows: this.selectRows.all(room) };
    });
    this.compactTx = sqlite.transaction((room: string, opts: CompactOptions): CompactResult => {
      const ids = this.selectRowIds.all(room);
      const snap = this.selectSnapshot.get(room);
      const version = snap?.version ?? 0;
      if (ids.length === 0) return { rows: 0, ids: [], version, merged: null };
      const lastId = ids[ids.length - 1]!.id;
      const live = opts.live;
      let state: Uint8Array;
      let merged: Uint8Array | null = null;
      if (live && live.snapshotVersion === version && ids.every((r) => live.applied.has(r.id))) {
        state = live.state();
      } else {
        const parts: Uint8Array[] = snap ? [snap.state] : [];
        for (const r of this.selectRows.all(room)) if (r.id <= lastId) parts.push(r.update);
        state = Y.mergeUpdates(parts);
        if (opts.gc) state = collectGarbage(room, state);
        merged = state;
      }
      this.upsertSnapshot.run(room, asBuffer(state), Date.now(), version + 1);
      // Exactly the rows read above: the transaction is IMMEDIATE, so nobody inserted in between.
      this.deleteUpTo.run(room, lastId);
      return { rows: ids.length, ids: ids.map((r) => r.id), version: version + 1, merged };
    });
    this.maxId = sqlite.prepare("SELECT max(id) AS id FROM yjs_updates");
    // Bumped by triggers on every table that decides rights or rules (migration 0002).
    const epochStmt = sqlite.prepare("SELECT n FROM rights_epoch WHERE id = 1").pluck();
    this.rightsEpoch = () => (epochStmt.get() as number | undefined) ?? 0;
  }

  get pending(): number {
    return this.queue.length;
  }

  async load(room: string): Promise<StoredLayer> {
    const { snapshot, version, rows } = this.readTx(room);
    return storedLayer(snapshot, version, rows);
  }

  append(sink: CommitSink, update: Uint8Array): void {
    if (this.closed) throw new Error("the layer store is closed");
    this.queue.push({ sink, update });
    // Once per tick: the check phase runs after this poll phase's socket reads, so a burst of frames from
    // many sockets shares one transaction.
    this.cancelScheduled ??= this.timers.soon(() => {
      this.cancelScheduled = null;
      this.flushNow();
    });
  }

  async flush(): Promise<void> {
    this.flushNow();
  }

  /** Commits the queue before it returns (SQLite is in-process): what flush() does. */
  flushNow(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    let ids: number[];
    try {
      ids = this.commitBatch(batch);
    } catch (err) {
      // Never log-and-ignore a lost write.
      tellFailed(batch, err);
      return;
    }
    this.persisted += batch.length;
    tellCommitted(batch, ids, this.stopWatching ? this.own : null);
  }

  async compact(room: string, opts: CompactOptions = {}): Promise<CompactResult> {
    return this.compactTx.immediate(room, opts);
  }

  watchExternal(listener: ExternalListener, intervalMs: number): () => void {
    this.stopWatching?.();
    // Rows committed while nobody watched were loaded by whoever loaded their room: start from now.
    this.lastSeenId = (this.maxId.get() as { id: number | null }).id ?? 0;
    this.lastDataVersion = this.dataVersion();
    this.lastRightsEpoch = this.rightsEpoch();
    this.lastPollAt = Date.now();
    const stop = this.timers.every(intervalMs, () => this.poll(listener));
    const stopWatching = () => {
      stop();
      if (this.stopWatching === stopWatching) this.stopWatching = null;
      this.own.clear();
    };
    this.stopWatching = stopWatching;
    return stopWatching;
  }

  /** One look at what other processes committed since the last one (nothing to do when nobody did). */
  poll(listener: ExternalListener): void {
    const version = this.dataVersion();
    if (version === this.lastDataVersion) {
      // Only this process wrote: every row past the last one seen is its own.
      for (const id of this.own) if (id > this.lastSeenId) this.lastSeenId = id;
      this.own.clear();
      return;
    }
    this.lastDataVersion = version;
    const since = this.lastPollAt - 5_000; // clocks of two processes on one machine, with slack
    this.lastPollAt = Date.now();
    for (const id of this.selectNewIds.all(this.lastSeenId) as number[]) {
      this.lastSeenId = id;
      if (this.own.delete(id)) continue;
      const r = this.selectRow.get(id);
      if (r) listener.externalRow(r.room, id, r.update);
    }
    this.own.clear();
    for (const s of this.selectChangedSnapshots.all(since)) listener.externalSnapshot(s.room, s.version);
    // A checkpoint by another connection moves data_version too: re-authorise only when rights moved.
    const epoch = this.rightsEpoch();
    if (epoch !== this.lastRightsEpoch) {
      this.lastRightsEpoch = epoch;
      listener.externalChange();
    }
  }

  async readState(room: string): Promise<Uint8Array | null> {
    return this.readStateNow(room);
  }

  /** readState before it returns, for callers inside a SQLite transaction (the projection rebuild). */
  readStateNow(room: string): Uint8Array | null {
    const { snapshot, rows } = this.readTx(room);
    return mergedState(snapshot, rows);
  }

  async close(): Promise<void> {
    this.flushNow();
    this.stopWatching?.();
    this.stopWatching = null;
    this.closed = true;
  }
}
