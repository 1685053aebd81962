/**
 * The projection writer on PostgreSQL: the same rows as projection.ts writes on SQLite, from the same
 * bookkeeping (ProjectorBase), written asynchronously.
 *
 * - The rows of a write are computed from the live doc synchronously, when the write starts; only the
 *   statements are awaited. A room changed meanwhile is dirty again and written by the next write.
 * - One write at a time per server, in one transaction, a savepoint per room: one bad room does not undo
 *   the others; it is reconciled in full at its next change, as on SQLite.
 * - A room's keys go in one statement per table and kind: `INSERT … SELECT FROM unnest(…)` for the rows
 *   put, `DELETE … = any(…)` for the rows dropped. A full reconcile puts every row (an upsert that leaves a
 *   row alone when nothing in it differs, so the curation stamps move only for real changes) and deletes
 *   the rows the layer no longer has, instead of reading the old rows first: one round trip, not two.
 * - Several servers may hold the same room and write its rows from the same merged Yjs state (the log is
 *   one); their writes are upserts of the same values, so the projection converges whichever lands last.
 */
import { layerUserId, rejectedOf, relationsOf, spansOf, stateOf } from "@gloss/shared";
import type pg from "pg";
import type { Logger } from "../log";
import type { CollabLimits } from "./limits";
import { bumpProjectionVersion, type Dirty, type ProjectedRoom, ProjectorBase } from "./projection";
import {
  type RejectionRow,
  type RelationRow,
  type SpanRow,
  type StateRow,
  toRejectionRow,
  toRelationRow,
  toSpanRow,
  toStateRow,
} from "./rows";
import type { TimerRegistry } from "./timers";

/** One room's write, computed from its doc when the write starts. */
export interface RoomWrite {
  room: ProjectedRoom;
  /** Rows put; with `full`, every row the layer has (the others are deleted). */
  spans: SpanRow[];
  dropSpans: string[];
  relations: RelationRow[];
  dropRelations: string[];
  /** undefined: unchanged; null: deleted. */
  state: StateRow | null | undefined;
  rejections: RejectionRow[];
  dropRejections: string[];
  full: boolean;
  /** The assignment moves with the layer's state / starts with its first span (live changes only). */
  assignment: { owner: number; status: string | null; start: boolean } | null;
}

const SPAN_UPSERT = `INSERT INTO annotations (project_id, document_id, layer, span_id, start, "end", label_id, author, note, extra, created_at, updated_at)
SELECT $1, $2, $3, s.* FROM unnest($4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::text[], $10::text[], $11::int8[], $12::int8[]) AS s
ON CONFLICT (document_id, layer, span_id) DO UPDATE SET project_id = excluded.project_id, start = excluded.start, "end" = excluded."end",
  label_id = excluded.label_id, author = excluded.author, note = excluded.note, extra = excluded.extra,
  created_at = excluded.created_at, updated_at = excluded.updated_at
WHERE (annotations.project_id, annotations.start, annotations."end", annotations.label_id, annotations.author, annotations.note,
  annotations.extra, annotations.created_at, annotations.updated_at)
  IS DISTINCT FROM (excluded.project_id, excluded.start, excluded."end", excluded.label_id, excluded.author, excluded.note,
  excluded.extra, excluded.created_at, excluded.updated_at)`;

const RELATION_UPSERT = `INSERT INTO annotation_relations (project_id, document_id, layer, relation_id, from_span, to_span, type, author, created_at)
SELECT $1, $2, $3, r.* FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int8[]) AS r
ON CONFLICT (document_id, layer, relation_id) DO UPDATE SET project_id = excluded.project_id, from_span = excluded.from_span,
  to_span = excluded.to_span, type = excluded.type, author = excluded.author, created_at = excluded.created_at
WHERE (annotation_relations.project_id, annotation_relations.from_span, annotation_relations.to_span, annotation_relations.type,
  annotation_relations.author, annotation_relations.created_at)
  IS DISTINCT FROM (excluded.project_id, excluded.from_span, excluded.to_span, excluded.type, excluded.author, excluded.created_at)`;

const STATE_UPSERT = `INSERT INTO layer_states (project_id, document_id, layer, status, set_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (document_id, layer) DO UPDATE SET project_id = excluded.project_id, status = excluded.status,
  set_by = excluded.set_by, updated_at = excluded.updated_at
WHERE (layer_states.project_id, layer_states.status, layer_states.set_by, layer_states.updated_at)
  IS DISTINCT FROM (excluded.project_id, excluded.status, excluded.set_by, excluded.updated_at)`;

const REJECTION_UPSERT = `INSERT INTO gold_rejections (project_id, document_id, key, by, at)
SELECT $1, $2, r.* FROM unnest($3::text[], $4::int[], $5::int8[]) AS r
ON CONFLICT (document_id, key) DO UPDATE SET project_id = excluded.project_id, by = excluded.by, at = excluded.at
WHERE (gold_rejections.project_id, gold_rejections.by, gold_rejections.at)
  IS DISTINCT FROM (excluded.project_id, excluded.by, excluded.at)`;

/** Keeps the projection of every loaded room in step with its Y.Doc, in PostgreSQL. */
export class PgProjector extends ProjectorBase {
  /** The write running now (one at a time): the next starts after it. */
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    timers: TimerRegistry,
    log: Logger,
    limits: CollabLimits,
  ) {
    super(timers, log, limits);
  }

  async flush(room: ProjectedRoom): Promise<void> {
    const d = this.dirty.get(room);
    let failed = false;
    if (d) {
      this.dirty.delete(room);
      this.stopTimerIfIdle();
      failed = (await this.write([[room, d]])).has(room);
    }
    // Every write chains on `running`: awaiting it covers the ones the timer started with this room's keys.
    await this.running;
    // written in full, and not changed since: the next load of this state may skip the reconcile
    if (!failed && !this.dirty.has(room)) this.remember(room);
  }

  async writeDetached(room: ProjectedRoom, d: Dirty): Promise<void> {
    this.projected.delete(room.name);
    await this.write([[room, d]]);
  }

  async flushAll(): Promise<void> {
    const batch = this.takeAll();
    if (batch.length > 0) void this.write(batch);
    // the latest write, after every one before it (the timer's included)
    await this.running;
  }

  protected flushSome(): void {
    this.cancelTimer = null;
    void this.write(this.takeSome()).then(() => {
      if (this.dirty.size > 0) this.cancelTimer ??= this.timers.soon(() => this.flushSome());
    });
  }

  /** Writes a batch after the one running; resolves with the rooms whose write failed (due in full). */
  private write(batch: Array<[ProjectedRoom, Dirty]>): Promise<Set<ProjectedRoom>> {
    // the rows now, from the docs as they are: what changes later is dirty again
    const writes = batch.map(([room, d]) => plan(room, d));
    const done = this.running.then(() => this.send(writes));
    this.running = done.then(() => {});
    return done;
  }

  private async send(writes: RoomWrite[]): Promise<Set<ProjectedRoom>> {
    const failed = new Set<ProjectedRoom>();
    if (writes.length === 0) return failed;
    let client: pg.PoolClient | null = null;
    try {
      client = await this.pool.connect();
      await client.query("BEGIN");
      for (const w of writes) {
        await client.query("SAVEPOINT room");
        try {
          await writeRoom(client, w);
          await client.query("RELEASE SAVEPOINT room");
        } catch (err) {
          await client.query("ROLLBACK TO SAVEPOINT room");
          this.log.error("collab: projection write failed", { room: w.room.name, err: String(err) });
          failed.add(w.room);
        }
      }
      await client.query("COMMIT");
      for (const w of writes) if (!failed.has(w.room)) bumpProjectionVersion(this.pool, w.room.projectId);
    } catch (err) {
      // BEGIN or COMMIT failed (or the connection did): nothing was written
      this.log.error("collab: projection write failed", { rooms: writes.length, err: String(err) });
      await client?.query("ROLLBACK").catch(() => {});
      for (const w of writes) failed.add(w.room);
    } finally {
      client?.release();
    }
    // reconciled in full on their next change (or at once, if still loaded and watched)
    for (const room of failed) if (this.watched.has(room)) this.entry(room).full = true;
    return failed;
  }
}

/** The statements of one room's write (also the PostgreSQL projection rebuild's). */
export async function writeRoom(client: pg.PoolClient, w: RoomWrite): Promise<void> {
  const { projectId, documentId, layer } = w.room;
  if (w.spans.length > 0)
    await client.query(SPAN_UPSERT, [
      projectId,
      documentId,
      layer,
      w.spans.map((r) => r.spanId),
      w.spans.map((r) => r.start),
      w.spans.map((r) => r.end),
      w.spans.map((r) => r.labelId),
      w.spans.map((r) => r.author),
      w.spans.map((r) => r.note),
      w.spans.map((r) => r.extra),
      w.spans.map((r) => r.createdAt),
      w.spans.map((r) => r.updatedAt),
    ]);
  if (w.full)
    await client.query(
      "DELETE FROM annotations WHERE document_id = $1 AND layer = $2 AND NOT (span_id = any($3::text[]))",
      [documentId, layer, w.spans.map((r) => r.spanId)],
    );
  else if (w.dropSpans.length > 0)
    await client.query(
      "DELETE FROM annotations WHERE document_id = $1 AND layer = $2 AND span_id = any($3::text[])",
      [documentId, layer, w.dropSpans],
    );
  if (w.relations.length > 0)
    await client.query(RELATION_UPSERT, [
      projectId,
      documentId,
      layer,
      w.relations.map((r) => r.relationId),
      w.relations.map((r) => r.fromSpan),
      w.relations.map((r) => r.toSpan),
      w.relations.map((r) => r.type),
      w.relations.map((r) => r.author),
      w.relations.map((r) => r.createdAt),
    ]);
  if (w.full)
    await client.query(
      "DELETE FROM annotation_relations WHERE document_id = $1 AND layer = $2 AND NOT (relation_id = any($3::text[]))",
      [documentId, layer, w.relations.map((r) => r.relationId)],
    );
  else if (w.dropRelations.length > 0)
    await client.query(
      "DELETE FROM annotation_relations WHERE document_id = $1 AND layer = $2 AND relation_id = any($3::text[])",
      [documentId, layer, w.dropRelations],
    );
  if (w.state)
    await client.query(STATE_UPSERT, [
      projectId,
      documentId,
      layer,
      w.state.status,
      w.state.setBy,
      w.state.updatedAt,
    ]);
  else if (w.state === null)
    await client.query("DELETE FROM layer_states WHERE document_id = $1 AND layer = $2", [documentId, layer]);
  if (layer === "gold") {
    if (w.rejections.length > 0)
      await client.query(REJECTION_UPSERT, [
        projectId,
        documentId,
        w.rejections.map((r) => r.key),
        w.rejections.map((r) => r.by),
        w.rejections.map((r) => r.at),
      ]);
    if (w.full)
      await client.query(
        "DELETE FROM gold_rejections WHERE document_id = $1 AND NOT (key = any($2::text[]))",
        [documentId, w.rejections.map((r) => r.key)],
      );
    else if (w.dropRejections.length > 0)
      await client.query("DELETE FROM gold_rejections WHERE document_id = $1 AND key = any($2::text[])", [
        documentId,
        w.dropRejections,
      ]);
  }
  const a = w.assignment;
  if (!a) return;
  const now = Date.now();
  if (a.status !== null)
    await client.query(
      "UPDATE assignments SET status = $1, updated_at = $2 WHERE document_id = $3 AND user_id = $4 AND status <> $1",
      [a.status, now, documentId, a.owner],
    );
  if (a.start)
    await client.query(
      "UPDATE assignments SET status = 'in_progress', updated_at = $1 WHERE document_id = $2 AND user_id = $3 AND status = 'todo'",
      [now, documentId, a.owner],
    );
}

/** The rows of a room's write, read from its doc now. */
export function plan(room: ProjectedRoom, d: Dirty): RoomWrite {
  const spans = spansOf(room.doc);
  const relations = relationsOf(room.doc);
  const w: RoomWrite = {
    room,
    spans: [],
    dropSpans: [],
    relations: [],
    dropRelations: [],
    state: undefined,
    rejections: [],
    dropRejections: [],
    full: d.full,
    assignment: null,
  };
  if (d.full) {
    spans.forEach((rec, id) => {
      const row = toSpanRow(id, rec);
      if (row) w.spans.push(row);
    });
    relations.forEach((rec, id) => {
      const row = toRelationRow(id, rec);
      if (row) w.relations.push(row);
    });
    w.state = toStateRow(stateOf(room.doc));
    if (room.layer === "gold")
      rejectedOf(room.doc).forEach((value, key) => {
        w.rejections.push(toRejectionRow(key, value));
      });
  } else {
    for (const id of d.spans) {
      const row = toSpanRow(id, spans.get(id));
      if (row) w.spans.push(row);
      else w.dropSpans.push(id);
    }
    for (const id of d.relations) {
      const row = toRelationRow(id, relations.get(id));
      if (row) w.relations.push(row);
      else w.dropRelations.push(id);
    }
    if (d.state) w.state = toStateRow(stateOf(room.doc));
    if (d.rejected.size > 0) {
      const rejected = rejectedOf(room.doc);
      for (const key of d.rejected) {
        if (rejected.has(key)) w.rejections.push(toRejectionRow(key, rejected.get(key)));
        else w.dropRejections.push(key);
      }
    }
  }
  // Assignments follow live changes only (a reconcile at load must not undo a manager's reset).
  const owner = layerUserId(room.layer);
  if (owner !== null) {
    const status = d.state ? (toStateRow(stateOf(room.doc))?.status ?? null) : null;
    const start = d.spans.size > 0 && spans.size > 0;
    if (status !== null || start) w.assignment = { owner, status, start };
  }
  return w;
}
