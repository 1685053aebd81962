/**
 * The layer store on PostgreSQL, for several servers on one database (issue 12): the same log and snapshot
 * tables and the same guarantees as SqliteLayerStore, over a connection pool.
 *
 * - Durable first: a tick's queued updates are one INSERT (one statement is one transaction); sinks hear of
 *   their ids only after it committed, so no client on any server receives an update a crash could lose.
 *   Batches commit one after another, so each sink's updates commit in append order.
 * - Compaction holds a transaction-scoped advisory lock on the room (every compactor of every server takes
 *   it, so one snapshot writer at a time) and deletes exactly the row ids it merged: PostgreSQL hands out
 *   ids before commit, so a row with a lower id can commit after a higher one was read; "delete up to the
 *   highest id read" would lose it.
 * - Other servers' writes arrive by LISTEN/NOTIFY (triggers of the PostgreSQL migrations), delivered at
 *   commit and in commit order, instead of polling; the Redis bus, when configured, is usually faster still
 *   and the room drops what it already applied (by row id).
 */
import type pg from "pg";
import * as Y from "yjs";
import {
  asBuffer,
  type CommitSink,
  type CompactOptions,
  type CompactResult,
  collectGarbage,
  type ExternalListener,
  type LayerStore,
  mergedState,
  type StoredLayer,
  storedLayer,
  tellCommitted,
  tellFailed,
} from "./persistence";
import type { TimerRegistry } from "./timers";

type Batch = Array<{ sink: CommitSink; update: Uint8Array }>;

/** The channels the PostgreSQL migrations' triggers notify on. */
export const PG_CHANNELS = {
  updates: "gloss_yjs_updates",
  snapshots: "gloss_yjs_snapshots",
  rights: "gloss_rights",
} as const;

/** Runs `fn` in one transaction on one pooled connection (rolled back if it throws). */
async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export class PgLayerStore implements LayerStore {
  private queue: Batch = [];
  /** Updates taken from the queue whose INSERT has not answered yet. */
  private inFlight = 0;
  /** The last flush: the next one starts after it, so batches commit in append order. */
  private tail: Promise<void> = Promise.resolve();
  private cancelScheduled: (() => void) | null = null;
  private closed = false;
  persisted = 0;
  /** Ids this store inserted, not yet passed by a notification (skipped: the room knows them). */
  private readonly own = new Set<number>();
  private watcher: Watcher | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly timers: TimerRegistry,
  ) {}

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  async load(room: string): Promise<StoredLayer> {
    // Listening before reading (when watching): a row committed after the read is then notified, never
    // missed between the two.
    await this.listening();
    const { snapshot, version, rows } = await this.read(room);
    return storedLayer(snapshot, version, rows);
  }

  /** The snapshot and the log rows of a room as of one moment (one REPEATABLE READ transaction). */
  private read(room: string) {
    return inTransaction(this.pool, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", async (c) => {
      const snap = await c.query<{ state: Buffer; version: number }>(
        "SELECT state, version FROM yjs_snapshots WHERE room = $1",
        [room],
      );
      const rows = await c.query<{ id: number; update: Buffer }>(
        'SELECT id, "update" FROM yjs_updates WHERE room = $1 ORDER BY id',
        [room],
      );
      const s = snap.rows[0];
      return { snapshot: s?.state ?? null, version: s ? Number(s.version) : 0, rows: rows.rows };
    });
  }

  append(sink: CommitSink, update: Uint8Array): void {
    if (this.closed) throw new Error("the layer store is closed");
    this.queue.push({ sink, update });
    this.cancelScheduled ??= this.timers.soon(() => {
      this.cancelScheduled = null;
      void this.flush();
    });
  }

  flush(): Promise<void> {
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    // Whatever is queued when this flush's turn comes (a burst during the previous INSERT shares one).
    this.tail = this.tail.then(() => this.commitQueue());
    return this.tail;
  }

  private async commitQueue(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlight += batch.length;
    let ids: number[];
    try {
      ids = await this.insert(batch);
    } catch (err) {
      // Never log-and-ignore a lost write.
      tellFailed(batch, err);
      return;
    } finally {
      this.inFlight -= batch.length;
    }
    this.persisted += batch.length;
    tellCommitted(batch, ids, this.watcher ? this.own : null);
  }

  /**
   * One statement for the batch. The rows are produced in batch order (ORDER BY the ordinality), and the
   * identity column numbers them as they are inserted, so the ascending ids are the batch's order whatever
   * order RETURNING lists them in.
   */
  private async insert(batch: Batch): Promise<number[]> {
    const rooms = new Array<string>(batch.length);
    const updates = new Array<Buffer>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      rooms[i] = batch[i]!.sink.name;
      updates[i] = asBuffer(batch[i]!.update);
    }
    const res = await this.pool.query<{ id: number }>(
      'INSERT INTO yjs_updates (room, "update", created_at) ' +
        "SELECT r, u, $3 FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS t(r, u, o) ORDER BY o " +
        "RETURNING id",
      [rooms, updates, Date.now()],
    );
    return res.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  async compact(room: string, opts: CompactOptions = {}): Promise<CompactResult> {
    // Taken now, before anything waits: the doc holds exactly `applied` at this moment.
    const live = opts.live ? { ...opts.live, encoded: opts.live.state() } : null;
    return inTransaction(this.pool, "BEGIN", async (c) => {
      await c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", [room]);
      const snap = await c.query<{ state: Buffer; version: number }>(
        "SELECT state, version FROM yjs_snapshots WHERE room = $1",
        [room],
      );
      const version = snap.rows[0] ? Number(snap.rows[0].version) : 0;
      const ids = (
        await c.query<{ id: number }>("SELECT id FROM yjs_updates WHERE room = $1 ORDER BY id", [room])
      ).rows.map((r) => Number(r.id));
      if (ids.length === 0) return { rows: 0, ids: [], version, merged: null };
      let state: Uint8Array;
      let merged: Uint8Array | null = null;
      if (live && live.snapshotVersion === version && ids.every((id) => live.applied.has(id))) {
        state = live.encoded;
      } else {
        const rows = await c.query<{ update: Buffer }>(
          'SELECT "update" FROM yjs_updates WHERE id = ANY($1::bigint[]) ORDER BY id',
          [ids],
        );
        const parts: Uint8Array[] = snap.rows[0] ? [snap.rows[0].state] : [];
        for (const r of rows.rows) parts.push(r.update);
        state = Y.mergeUpdates(parts);
        if (opts.gc) state = collectGarbage(room, state);
        merged = state;
      }
      await c.query(
        "INSERT INTO yjs_snapshots (room, state, updated_at, version) VALUES ($1, $2, $3, $4) " +
          "ON CONFLICT (room) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, " +
          "version = excluded.version",
        [room, asBuffer(state), Date.now(), version + 1],
      );
      // Exactly the rows merged above; rows others committed meanwhile stay for the next compaction.
      await c.query("DELETE FROM yjs_updates WHERE id = ANY($1::bigint[])", [ids]);
      return { rows: ids.length, ids, version: version + 1, merged };
    });
  }

  watchExternal(listener: ExternalListener, _intervalMs: number): () => void {
    this.watcher?.stop();
    // the flushes under way: once they answered, `own` holds every id this store inserted so far
    const watcher = new Watcher(this.pool, this.timers, listener, this.own, () => this.tail);
    this.watcher = watcher;
    return () => {
      watcher.stop();
      if (this.watcher === watcher) this.watcher = null;
      this.own.clear();
    };
  }

  /** Resolves once this store listens for other servers' writes (tests wait for it). */
  listening(): Promise<void> {
    return this.watcher?.ready ?? Promise.resolve();
  }

  async readState(room: string): Promise<Uint8Array | null> {
    const { snapshot, rows } = await this.read(room);
    return mergedState(snapshot, rows);
  }

  async close(): Promise<void> {
    await this.flush();
    this.watcher?.stop();
    this.watcher = null;
    this.closed = true;
  }
}

/**
 * One LISTEN connection (outside the pool's count of busy clients) for the three channels. Row ids that
 * arrive are fetched together at the next turn of the loop, in the order their commits were notified.
 * A lost connection is re-established; rows committed meanwhile are read by id from the last one seen.
 */
class Watcher {
  private client: pg.PoolClient | null = null;
  private stopped = false;
  private pendingIds: number[] = [];
  private cancelFetch: (() => void) | null = null;
  private lastSeenId = 0;
  private retryMs = 100;
  readonly ready: Promise<void>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly timers: TimerRegistry,
    private readonly listener: ExternalListener,
    private readonly own: Set<number>,
    private readonly ownWrites: () => Promise<void>,
  ) {
    this.ready = this.connect(false);
  }

  private async connect(resume: boolean): Promise<void> {
    if (this.stopped) return;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch {
      this.retry();
      return;
    }
    if (this.stopped) {
      client.release();
      return;
    }
    this.client = client;
    client.on("notification", (n) => this.notified(n.channel, n.payload ?? ""));
    client.on("error", () => this.lost(client));
    try {
      await client.query(
        `LISTEN ${PG_CHANNELS.updates}; LISTEN ${PG_CHANNELS.snapshots}; LISTEN ${PG_CHANNELS.rights}`,
      );
      if (!resume) {
        const max = await this.pool.query<{ id: number | null }>("SELECT max(id) AS id FROM yjs_updates");
        this.lastSeenId = Number(max.rows[0]?.id ?? 0);
      }
    } catch {
      this.lost(client);
      return;
    }
    this.retryMs = 100;
    if (resume) {
      // What committed while nobody listened: the rows past the last id seen, and any rights change.
      const missed = await this.pool
        .query<{ id: number }>("SELECT id FROM yjs_updates WHERE id > $1 ORDER BY id", [this.lastSeenId])
        .catch(() => ({ rows: [] as Array<{ id: number }> }));
      for (const r of missed.rows) this.queueRow(Number(r.id));
      this.listener.externalChange();
    }
  }

  private lost(client: pg.PoolClient): void {
    if (this.client !== client) return;
    this.client = null;
    client.release(true);
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
    this.timers.after(delay, () => void this.connect(true));
  }

  private notified(channel: string, payload: string): void {
    if (this.stopped) return;
    const space = payload.indexOf(" ");
    if (channel === PG_CHANNELS.updates) {
      const id = Number(payload.slice(0, space));
      if (Number.isSafeInteger(id)) this.queueRow(id);
    } else if (channel === PG_CHANNELS.snapshots) {
      const version = Number(payload.slice(space + 1));
      if (space > 0 && Number.isSafeInteger(version))
        this.listener.externalSnapshot(payload.slice(0, space), version);
    } else if (channel === PG_CHANNELS.rights) {
      this.listener.externalChange();
    }
  }

  private queueRow(id: number): void {
    if (id > this.lastSeenId) this.lastSeenId = id;
    this.pendingIds.push(id);
    // At the next turn, so a burst of notices is fetched in one query.
    this.cancelFetch ??= this.timers.soon(() => {
      this.cancelFetch = null;
      void this.fetch();
    });
  }

  private async fetch(): Promise<void> {
    // A notice can overtake the answer to this store's own INSERT (it is sent at commit, the answer
    // after it): wait for the answers, so that own rows are known as such.
    await this.ownWrites().catch(() => {});
    const ids = this.pendingIds.filter((id) => !this.own.delete(id));
    this.pendingIds = [];
    if (ids.length === 0 || this.stopped) return;
    const res = await this.pool
      .query<{ id: number; room: string; update: Buffer }>(
        'SELECT id, room, "update" FROM yjs_updates WHERE id = ANY($1::bigint[])',
        [ids],
      )
      .catch(() => null);
    if (!res || this.stopped) return;
    const byId = new Map(res.rows.map((r) => [Number(r.id), r]));
    // In notification (commit) order; a row compacted away meanwhile comes with its snapshot's notice.
    for (const id of ids) {
      const r = byId.get(id);
      if (r) this.listener.externalRow(r.room, id, r.update);
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelFetch?.();
    this.cancelFetch = null;
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners("notification");
      client.query(`UNLISTEN *`).then(
        () => client.release(),
        () => client.release(true),
      );
    }
  }
}
