/**
 * The queryable projection of every layer: `annotations`, `annotation_relations` and `layer_states` rows
 * derived from the Yjs state (the source of truth), which agreement, curation and export read.
 *
 * A loaded room is watched: changed span/relation keys are collected and written at most
 * `projectionDelayMs` after the first change (a coalescing window, not a debounce that a busy room could
 * starve) — in transactions of at most ROWS_PER_WRITE rows (a savepoint per room), the rest on the next turn
 * of the event loop, so no single write stalls the updates waiting behind it — and at once on unload. A room that
 * was just loaded is reconciled in full, which also heals a projection left behind by a crash between the
 * update commit and the projection write. `rebuildProjection` (rebuild.ts) recomputes everything.
 *
 * Only this projector writes a room's rows in this process, so when a room unloads with its rows written in
 * full, the doc's Yjs snapshot (state vector and delete set) is remembered: a reload whose stored state has
 * the same snapshot finds its rows as they were left and skips the full reconcile, so an open-and-leave
 * touches no projection row. Anything else (a restart after a crash, another process's writes, a failed
 * write) loads a different or unremembered state and is reconciled as before.
 */
import { layerUserId, rejectedOf, relationsOf, spansOf, stateOf } from "@gloss/shared";
import type Database from "better-sqlite3";
import * as Y from "yjs";
import type { Logger } from "../log";
import type { CollabLimits } from "./limits";
import { ProjectionSql } from "./projectionSql";
import { toRejectionRow, toRelationRow, toSpanRow, toStateRow } from "./rows";
import type { TimerRegistry } from "./timers";

/** What the projector needs to know about a room. */
export interface ProjectedRoom {
  readonly name: string;
  readonly documentId: number;
  readonly projectId: number;
  readonly layer: string;
  readonly doc: Y.Doc;
}

/** Most rooms whose projected snapshot is remembered (≈100 bytes each); the oldest are forgotten first. */
const REMEMBERED_ROOMS = 50_000;

/** Rows per timer-driven projection write: ≈0.5 ms of SQLite, so updates never queue long behind one. */
const ROWS_PER_WRITE = 64;

export interface Dirty {
  spans: Set<string>;
  relations: Set<string>;
  /** Keys of gold's `rejected` map (gold rooms only). */
  rejected: Set<string>;
  state: boolean;
  full: boolean;
}

/** The doc's Yjs snapshot: equal snapshots mean equal states (a state only ever grows). */
const fingerprint = (doc: Y.Doc) => Y.encodeSnapshot(Y.snapshot(doc));

const sameBytes = (a: Uint8Array, b: Uint8Array) => {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
};

const sameRow = (a: object, b: object) => {
  for (const [k, v] of Object.entries(a)) if ((b as Record<string, unknown>)[k] !== v) return false;
  return true;
};

/**
 * Per database (a SQLite connection, a PostgreSQL pool), per project: how many projection writes of this
 * process touched the project's rows (for readers' caches; on PostgreSQL other servers write them too).
 */
const projectVersions = new WeakMap<object, Map<number, number>>();

/** A counter that changes whenever this process's projection writes rows of `projectId` in this database. */
export function projectionVersion(database: object, projectId: number): number {
  return projectVersions.get(database)?.get(projectId) ?? 0;
}

/** Counts a write of `projectId`'s rows (see projectionVersion). */
export function bumpProjectionVersion(database: object, projectId: number): void {
  const versions = projectVersions.get(database) ?? new Map<number, number>();
  projectVersions.set(database, versions);
  versions.set(projectId, (versions.get(projectId) ?? 0) + 1);
}

/** What the rooms ask of a projector: settled at once on SQLite, promises on PostgreSQL. */
export interface RoomProjector {
  /** Starts watching a freshly loaded room; returns the unwatch. */
  watch(room: ProjectedRoom): () => void;
  /** True while a room has changes not yet written. */
  hasPending(room: ProjectedRoom): boolean;
  /** Writes one room's pending changes now (its last write, before it unloads). */
  flush(room: ProjectedRoom): void | Promise<void>;
  /** Writes every room's pending changes now. */
  flushAll(): void | Promise<void>;
  /** Drops a room's pending state (after its final flush). */
  forget(room: ProjectedRoom): void;
  /**
   * Writes now the rows of `d`'s keys of a room that is not loaded, read from `room.doc` — a scratch doc holding
   * just those keys (a layer writer's detached batch). The room's remembered snapshot is forgotten: its next
   * load reconciles its rows in full. A failed write is logged; that reconcile heals it.
   */
  writeDetached(room: ProjectedRoom, d: Dirty): void | Promise<void>;
}

/**
 * What both projectors share: which keys of which loaded rooms changed, the coalescing timer, the
 * snapshots remembered for rooms unloaded with their rows in full. Subclasses write.
 */
export abstract class ProjectorBase implements RoomProjector {
  protected readonly dirty = new Map<ProjectedRoom, Dirty>();
  /** Room name → the snapshot its rows were last written in full for, while the room is not loaded. */
  protected readonly projected = new Map<string, Uint8Array>();
  protected cancelTimer: (() => void) | null = null;
  /** Rooms being watched (loaded): a failed write marks only these for a full reconcile. */
  protected readonly watched = new Set<ProjectedRoom>();

  constructor(
    protected readonly timers: TimerRegistry,
    protected readonly log: Logger,
    protected readonly limits: CollabLimits,
  ) {}

  abstract flush(room: ProjectedRoom): void | Promise<void>;
  abstract flushAll(): void | Promise<void>;
  abstract writeDetached(room: ProjectedRoom, d: Dirty): void | Promise<void>;
  /** The timer's write. */
  protected abstract flushSome(): void;

  /**
   * Starts watching a freshly loaded room; returns the unwatch. The room is reconciled in full on the first
   * write unless its rows are known to match the state it loaded.
   */
  watch(room: ProjectedRoom): () => void {
    const remembered = this.projected.get(room.name);
    this.projected.delete(room.name);
    if (!remembered || !sameBytes(remembered, fingerprint(room.doc)))
      this.touch(room, (x) => {
        x.full = true;
      });
    const spans = spansOf(room.doc);
    const relations = relationsOf(room.doc);
    const state = stateOf(room.doc);
    const onSpans = (e: { keysChanged: Set<string> }) =>
      this.touch(room, (x) => addAll(x.spans, e.keysChanged));
    const onRelations = (e: { keysChanged: Set<string> }) =>
      this.touch(room, (x) => addAll(x.relations, e.keysChanged));
    const onState = () =>
      this.touch(room, (x) => {
        x.state = true;
      });
    spans.observe(onSpans);
    relations.observe(onRelations);
    state.observe(onState);
    // only gold has a `rejected` map (the layer model refuses it elsewhere)
    const rejected = room.layer === "gold" ? rejectedOf(room.doc) : null;
    const onRejected = (e: { keysChanged: Set<string> }) =>
      this.touch(room, (x) => addAll(x.rejected, e.keysChanged));
    rejected?.observe(onRejected);
    this.watched.add(room);
    return () => {
      this.watched.delete(room);
      spans.unobserve(onSpans);
      relations.unobserve(onRelations);
      state.unobserve(onState);
      rejected?.unobserve(onRejected);
    };
  }

  /** True while a room has changes not yet written. */
  hasPending(room: ProjectedRoom): boolean {
    return this.dirty.has(room);
  }

  /** Drops a room's pending state (after its final flush). */
  forget(room: ProjectedRoom): void {
    this.dirty.delete(room);
    this.stopTimerIfIdle();
  }

  protected remember(room: ProjectedRoom): void {
    this.projected.delete(room.name);
    if (this.projected.size >= REMEMBERED_ROOMS) {
      const oldest = this.projected.keys().next().value;
      if (oldest !== undefined) this.projected.delete(oldest);
    }
    this.projected.set(room.name, fingerprint(room.doc));
  }

  protected stopTimerIfIdle(): void {
    if (this.dirty.size > 0) return;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  protected entry(room: ProjectedRoom): Dirty {
    let d = this.dirty.get(room);
    if (!d) {
      d = { spans: new Set(), relations: new Set(), rejected: new Set(), state: false, full: false };
      this.dirty.set(room, d);
    }
    return d;
  }

  protected touch(room: ProjectedRoom, mark: (d: Dirty) => void): void {
    // The room changed since its rows were last written in full: that snapshot no longer describes them.
    this.projected.delete(room.name);
    mark(this.entry(room));
    this.cancelTimer ??= this.timers.after(this.limits.projectionDelayMs, () => this.flushSome());
  }

  /**
   * About ROWS_PER_WRITE changed keys out of the dirty rooms (a full reconcile counts as ROWS_PER_WRITE);
   * a room left with nothing pending leaves the map.
   */
  protected takeSome(): Array<[ProjectedRoom, Dirty]> {
    const batch: Array<[ProjectedRoom, Dirty]> = [];
    let budget = ROWS_PER_WRITE;
    for (const [room, d] of this.dirty) {
      if (budget <= 0) break;
      const chunk = takeChunk(d, budget);
      budget -= chunk.full
        ? ROWS_PER_WRITE
        : chunk.spans.size + chunk.relations.size + chunk.rejected.size + 1;
      batch.push([room, chunk]);
      if (!d.full && !d.state && d.spans.size + d.relations.size + d.rejected.size === 0)
        this.dirty.delete(room);
    }
    return batch;
  }

  /** Every pending change (the timer cancelled). */
  protected takeAll(): Array<[ProjectedRoom, Dirty]> {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const batch = [...this.dirty];
    this.dirty.clear();
    return batch;
  }
}

/** Keeps the projection of every loaded room in step with its Y.Doc, in the server's SQLite database. */
export class Projector extends ProjectorBase {
  private readonly sql: ProjectionSql;
  private readonly writeRoom;
  private readonly writeAll;

  constructor(
    private readonly sqlite: Database.Database,
    timers: TimerRegistry,
    log: Logger,
    limits: CollabLimits,
  ) {
    super(timers, log, limits);
    this.sql = new ProjectionSql(sqlite);
    // Nested in writeAll, a room's write is a savepoint: one bad room does not undo the others.
    this.writeRoom = sqlite.transaction((room: ProjectedRoom, d: Dirty) => this.write(room, d));
    this.writeAll = sqlite.transaction((batch: Array<[ProjectedRoom, Dirty]>) => {
      for (const [room, d] of batch) this.tryWrite(room, d);
    });
  }

  /**
   * Writes one room's pending changes now (its last write, before it unloads); once its rows match the doc,
   * remembers the doc's snapshot for the next load.
   */
  flush(room: ProjectedRoom): void {
    const d = this.dirty.get(room);
    if (d) {
      this.dirty.delete(room);
      const written = this.tryWrite(room, d);
      this.stopTimerIfIdle();
      if (!written) return;
    }
    this.remember(room);
  }

  writeDetached(room: ProjectedRoom, d: Dirty): void {
    this.projected.delete(room.name);
    try {
      // not tryWrite: a failure must not queue a full reconcile of the scratch doc (it holds one batch)
      this.writeRoom.immediate(room, d);
    } catch (err) {
      this.log.error("collab: projection write failed", { room: room.name, err: String(err) });
    }
  }

  /** Writes every room's pending changes now, in one transaction. */
  flushAll(): void {
    const batch = this.takeAll();
    if (batch.length > 0) this.writeBatch(batch);
  }

  /** The timer's write: about ROWS_PER_WRITE rows, then the rest on the next turn of the event loop. */
  protected flushSome(): void {
    this.cancelTimer = null;
    this.writeBatch(this.takeSome());
    if (this.dirty.size > 0) this.cancelTimer ??= this.timers.soon(() => this.flushSome());
  }

  private writeBatch(batch: Array<[ProjectedRoom, Dirty]>): void {
    try {
      // IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before the reads; a deferred transaction
      // that read first fails at once with "database is locked" when another process wrote meanwhile
      this.writeAll.immediate(batch);
    } catch (err) {
      // COMMIT itself failed: nothing was written; reconcile those rooms in full on their next change.
      this.log.error("collab: projection write failed", { rooms: batch.length, err: String(err) });
      for (const [room] of batch) this.entry(room).full = true;
    }
  }

  /** Writes one room's changes in a savepoint; false (and a full reconcile due) when that failed. */
  private tryWrite(room: ProjectedRoom, d: Dirty): boolean {
    try {
      this.writeRoom.immediate(room, d); // a savepoint inside writeAll
      return true;
    } catch (err) {
      // The projection is rebuildable: log loudly, reconcile this room in full on its next change.
      this.log.error("collab: projection write failed", { room: room.name, err: String(err) });
      this.entry(room).full = true;
      return false;
    }
  }

  private write(room: ProjectedRoom, d: Dirty): void {
    bumpProjectionVersion(this.sqlite, room.projectId);
    if (d.full) this.reconcile(room);
    else this.writeDirty(room, d);
    // Assignments follow live changes only (a reconcile at load must not undo a manager's reset).
    const owner = layerUserId(room.layer);
    if (owner === null) return;
    const now = Date.now();
    if (d.state) {
      // An annotator marking their layer in progress or done moves their assignment with it.
      const state = toStateRow(stateOf(room.doc));
      if (state) this.sql.setAssignment(room.documentId, owner, state.status, now);
    }
    // The first span in a personal layer starts the assignment.
    if (d.spans.size > 0 && spansOf(room.doc).size > 0) this.sql.startAssignment(room.documentId, owner, now);
  }

  /** Writes the changed keys only. */
  private writeDirty(room: ProjectedRoom, d: Dirty): void {
    const spans = spansOf(room.doc);
    const relations = relationsOf(room.doc);
    for (const id of d.spans) {
      const row = toSpanRow(id, spans.get(id));
      if (row) this.sql.putSpan(room, row);
      else this.sql.dropSpan(room, id);
    }
    for (const id of d.relations) {
      const row = toRelationRow(id, relations.get(id));
      if (row) this.sql.putRelation(room, row);
      else this.sql.dropRelation(room, id);
    }
    if (d.state) {
      const state = toStateRow(stateOf(room.doc));
      if (state) this.sql.putState(room, state);
      else this.sql.dropState(room);
    }
    if (d.rejected.size > 0) {
      const rejected = rejectedOf(room.doc);
      for (const key of d.rejected) {
        if (rejected.has(key)) this.sql.putRejection(room, toRejectionRow(key, rejected.get(key)));
        else this.sql.dropRejection(room, key);
      }
    }
  }

  /** Compares the whole layer with its rows and writes the differences. */
  private reconcile(room: ProjectedRoom): void {
    const oldSpans = new Map(this.sql.spans(room).map((r) => [r.spanId, r]));
    spansOf(room.doc).forEach((rec, id) => {
      const row = toSpanRow(id, rec);
      const old = oldSpans.get(id);
      oldSpans.delete(id);
      if (row && (!old || !sameRow(row, old))) this.sql.putSpan(room, row);
      else if (!row && old) this.sql.dropSpan(room, id);
    });
    for (const id of oldSpans.keys()) this.sql.dropSpan(room, id);
    const oldRelations = new Map(this.sql.relations(room).map((r) => [r.relationId, r]));
    relationsOf(room.doc).forEach((rec, id) => {
      const row = toRelationRow(id, rec);
      const old = oldRelations.get(id);
      oldRelations.delete(id);
      if (row && (!old || !sameRow(row, old))) this.sql.putRelation(room, row);
      else if (!row && old) this.sql.dropRelation(room, id);
    });
    for (const id of oldRelations.keys()) this.sql.dropRelation(room, id);
    const state = toStateRow(stateOf(room.doc));
    const oldState = this.sql.state(room);
    if (state && (!oldState || !sameRow(state, oldState))) this.sql.putState(room, state);
    else if (!state && oldState) this.sql.dropState(room);
    if (room.layer !== "gold") return;
    const oldRejected = new Map(this.sql.rejections(room).map((r) => [r.key, r]));
    rejectedOf(room.doc).forEach((value, key) => {
      const row = toRejectionRow(key, value);
      const old = oldRejected.get(key);
      oldRejected.delete(key);
      if (!old || !sameRow(row, old)) this.sql.putRejection(room, row);
    });
    for (const key of oldRejected.keys()) this.sql.dropRejection(room, key);
  }
}

/** Moves up to `budget` changed keys (or the whole entry, when it needs a full reconcile) out of `d`. */
function takeChunk(d: Dirty, budget: number): Dirty {
  if (d.full) {
    const all = { ...d };
    d.spans = new Set();
    d.relations = new Set();
    d.rejected = new Set();
    d.state = false;
    d.full = false;
    return all;
  }
  const chunk: Dirty = {
    spans: new Set(),
    relations: new Set(),
    rejected: new Set(),
    state: d.state,
    full: false,
  };
  d.state = false;
  for (const k of d.spans) {
    if (chunk.spans.size >= budget) break;
    chunk.spans.add(k);
    d.spans.delete(k);
  }
  for (const k of d.relations) {
    if (chunk.spans.size + chunk.relations.size >= budget) break;
    chunk.relations.add(k);
    d.relations.delete(k);
  }
  for (const k of d.rejected) {
    if (chunk.spans.size + chunk.relations.size + chunk.rejected.size >= budget) break;
    chunk.rejected.add(k);
    d.rejected.delete(k);
  }
  return chunk;
}

function addAll(target: Set<string>, keys: Set<string>) {
  for (const k of keys) target.add(k);
}
