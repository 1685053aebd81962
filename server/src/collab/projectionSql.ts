/**
 * Prepared statements over the projection tables (and assignments), bound positionally: the projection is
 * written once per changed span, so it sits on the update path's budget.
 */
import type Database from "better-sqlite3";
import type { RejectionRow, RelationRow, SpanRow, StateRow } from "./rows";

/** The (document, layer) a projection row belongs to, with its denormalised project. */
export interface RoomKey {
  projectId: number;
  documentId: number;
  layer: string;
}

export class ProjectionSql {
  private readonly upsertSpan;
  private readonly deleteSpan;
  private readonly selectSpans;
  private readonly upsertRelation;
  private readonly deleteRelation;
  private readonly selectRelations;
  private readonly upsertState;
  private readonly deleteState;
  private readonly selectState;
  private readonly upsertRejection;
  private readonly deleteRejection;
  private readonly selectRejections;
  private readonly updateAssignment;
  private readonly startAssignmentStmt;

  constructor(sqlite: Database.Database) {
    this.upsertSpan = sqlite.prepare(
      'INSERT INTO annotations (project_id, document_id, layer, span_id, start, "end", label_id, author, note, extra, created_at, updated_at) ' +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
        'ON CONFLICT(document_id, layer, span_id) DO UPDATE SET project_id = excluded.project_id, start = excluded.start, "end" = excluded."end", ' +
        "label_id = excluded.label_id, author = excluded.author, note = excluded.note, extra = excluded.extra, " +
        "created_at = excluded.created_at, updated_at = excluded.updated_at",
    );
    this.deleteSpan = sqlite.prepare(
      "DELETE FROM annotations WHERE document_id = ? AND layer = ? AND span_id = ?",
    );
    this.selectSpans = sqlite.prepare<[number, string], SpanRow>(
      'SELECT span_id AS spanId, start, "end", label_id AS labelId, author, note, extra, created_at AS createdAt, ' +
        "updated_at AS updatedAt FROM annotations WHERE document_id = ? AND layer = ?",
    );
    this.upsertRelation = sqlite.prepare(
      "INSERT INTO annotation_relations (project_id, document_id, layer, relation_id, from_span, to_span, type, author, created_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) " +
        "ON CONFLICT(document_id, layer, relation_id) DO UPDATE SET project_id = excluded.project_id, from_span = excluded.from_span, " +
        "to_span = excluded.to_span, type = excluded.type, author = excluded.author, created_at = excluded.created_at",
    );
    this.deleteRelation = sqlite.prepare(
      "DELETE FROM annotation_relations WHERE document_id = ? AND layer = ? AND relation_id = ?",
    );
    this.selectRelations = sqlite.prepare<[number, string], RelationRow>(
      "SELECT relation_id AS relationId, from_span AS fromSpan, to_span AS toSpan, type, author, created_at AS createdAt " +
        "FROM annotation_relations WHERE document_id = ? AND layer = ?",
    );
    this.upsertState = sqlite.prepare(
      "INSERT INTO layer_states (project_id, document_id, layer, status, set_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) " +
        "ON CONFLICT(document_id, layer) DO UPDATE SET project_id = excluded.project_id, status = excluded.status, " +
        "set_by = excluded.set_by, updated_at = excluded.updated_at",
    );
    this.deleteState = sqlite.prepare("DELETE FROM layer_states WHERE document_id = ? AND layer = ?");
    this.selectState = sqlite.prepare<[number, string], StateRow>(
      "SELECT status, set_by AS setBy, updated_at AS updatedAt FROM layer_states WHERE document_id = ? AND layer = ?",
    );
    this.upsertRejection = sqlite.prepare(
      "INSERT INTO gold_rejections (project_id, document_id, key, by, at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT(document_id, key) DO UPDATE SET project_id = excluded.project_id, by = excluded.by, at = excluded.at",
    );
    this.deleteRejection = sqlite.prepare("DELETE FROM gold_rejections WHERE document_id = ? AND key = ?");
    this.selectRejections = sqlite.prepare<[number], RejectionRow>(
      "SELECT key, by, at FROM gold_rejections WHERE document_id = ?",
    );
    this.updateAssignment = sqlite.prepare(
      "UPDATE assignments SET status = ?, updated_at = ? WHERE document_id = ? AND user_id = ? AND status <> ?",
    );
    this.startAssignmentStmt = sqlite.prepare(
      "UPDATE assignments SET status = 'in_progress', updated_at = ? WHERE document_id = ? AND user_id = ? AND status = 'todo'",
    );
  }

  putSpan(k: RoomKey, r: SpanRow): void {
    this.upsertSpan.run(
      k.projectId,
      k.documentId,
      k.layer,
      r.spanId,
      r.start,
      r.end,
      r.labelId,
      r.author,
      r.note,
      r.extra,
      r.createdAt,
      r.updatedAt,
    );
  }
  dropSpan(k: RoomKey, spanId: string): void {
    this.deleteSpan.run(k.documentId, k.layer, spanId);
  }
  spans(k: RoomKey): SpanRow[] {
    return this.selectSpans.all(k.documentId, k.layer);
  }

  putRelation(k: RoomKey, r: RelationRow): void {
    this.upsertRelation.run(
      k.projectId,
      k.documentId,
      k.layer,
      r.relationId,
      r.fromSpan,
      r.toSpan,
      r.type,
      r.author,
      r.createdAt,
    );
  }
  dropRelation(k: RoomKey, relationId: string): void {
    this.deleteRelation.run(k.documentId, k.layer, relationId);
  }
  relations(k: RoomKey): RelationRow[] {
    return this.selectRelations.all(k.documentId, k.layer);
  }

  putState(k: RoomKey, s: StateRow): void {
    this.upsertState.run(k.projectId, k.documentId, k.layer, s.status, s.setBy, s.updatedAt);
  }
  dropState(k: RoomKey): void {
    this.deleteState.run(k.documentId, k.layer);
  }
  state(k: RoomKey): StateRow | undefined {
    return this.selectState.get(k.documentId, k.layer);
  }

  /** Gold's rejected keys (only the gold layer has them, so they are keyed by document alone). */
  putRejection(k: RoomKey, r: RejectionRow): void {
    this.upsertRejection.run(k.projectId, k.documentId, r.key, r.by, r.at);
  }
  dropRejection(k: RoomKey, key: string): void {
    this.deleteRejection.run(k.documentId, key);
  }
  rejections(k: RoomKey): RejectionRow[] {
    return this.selectRejections.all(k.documentId);
  }

  /** Moves an assignment to `status` (no-op when there is none, or it already is). */
  setAssignment(documentId: number, userId: number, status: string, now: number): void {
    this.updateAssignment.run(status, now, documentId, userId, status);
  }
  /** Moves a `todo` assignment to `in_progress`. */
  startAssignment(documentId: number, userId: number, now: number): void {
    this.startAssignmentStmt.run(now, documentId, userId);
  }
}
