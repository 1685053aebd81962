/**
 * Adjudication: what the curation services read and write.
 *
 * Sources: the annotator layers come from the projection (`annotations`, `annotation_relations`,
 * `layer_states`) — fast, no Y.Doc per annotator, and current because the app flushes every pending
 * projection change before any curation request (`readsProjection` in requestScope.ts). Gold comes from its live room (`collab.withDoc`), since
 * that is what curators are editing and its `rejected` map is not projected.
 *
 * Writes go through `goldChange`: inside the live gold room, the change is decided from the room's
 * current state, then one SQLite transaction writes the audit rows and the curation status and, as its
 * last step, applies the Yjs change (so a failed audit never leaves an unaudited gold edit, and two
 * curators' decisions cannot interleave between reading gold and writing it).
 */
import {
  type AnnotatorLayer,
  type AssignmentStatus,
  countSkip,
  emptySkipped,
  type GoldState,
  type LayerName,
  layerUserId,
  listRelations,
  listSpans,
  type Relation,
  rejectedOf,
  type SkippedRows,
  type Span,
  storedRelationProblem,
  storedSpanProblem,
} from "@gloss/shared";
import { and, eq, inArray, like } from "drizzle-orm";
import type * as Y from "yjs";
import type { DocumentAccess } from "../../auth/access";
import type { Deps } from "../../context";
import type { Db } from "../../db/client";
import {
  annotationRelations,
  annotations,
  assignments,
  curations,
  documents,
  labels,
  layerStates,
  users,
} from "../../db/schema";
import { type AuditEntry, audit } from "../audit";

/** Transaction origin of every curation write (so observers can tell them from a browser's edits). */
export const CURATION_ORIGIN = "curation";

export interface AnnotatorInfo {
  userId: number;
  username: string;
  layer: LayerName;
  status: string | null;
  spans: number;
}

/** The live gold layer: spans, relations and the `rejected` map. */
export interface LiveGold extends GoldState {
  spans: Span[];
  relations: Relation[];
  rejectedEntries: Array<{ key: string; by: number | null; at: number }>;
}

/** Reads the gold layer's state out of its Y.Doc. */
export function readGold(doc: Y.Doc): LiveGold {
  const rejectedEntries: LiveGold["rejectedEntries"] = [];
  rejectedOf(doc).forEach((v, key) => {
    rejectedEntries.push({ key, by: v?.by ?? null, at: v?.at ?? 0 });
  });
  rejectedEntries.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
  return {
    spans: listSpans(doc),
    relations: listRelations(doc),
    rejected: rejectedEntries.map((e) => e.key),
    rejectedEntries,
  };
}

/**
 * The annotator layers of some documents, from the projection: every `user-<id>` layer with spans or a
 * status, plus every assigned annotator (an assigned layer with nothing in it counts as "missing").
 */
export function loadAnnotatorLayers(
  db: Db,
  documentIds: number[],
): Map<number, { layers: AnnotatorLayer[]; info: AnnotatorInfo[]; skipped: SkippedRows }> {
  const out = new Map<number, { layers: AnnotatorLayer[]; info: AnnotatorInfo[]; skipped: SkippedRows }>();
  if (documentIds.length === 0) return out;
  // every stored row passes the one stored-span check against its document's text and project labels
  const skippedOf = new Map<number, SkippedRows>();
  const skip = (documentId: number, why: Parameters<typeof countSkip>[1]) => {
    let k = skippedOf.get(documentId);
    if (!k) {
      k = emptySkipped();
      skippedOf.set(documentId, k);
    }
    countSkip(k, why);
  };
  const docInfo = new Map<number, { text: string; labels: Set<number> }>();
  const labelsOf = new Map<number, Set<number>>();
  const byDoc = new Map<number, Map<number, { layer: AnnotatorLayer; info: AnnotatorInfo }>>();
  const entry = (documentId: number, userId: number) => {
    let m = byDoc.get(documentId);
    if (!m) {
      m = new Map();
      byDoc.set(documentId, m);
    }
    let e = m.get(userId);
    if (!e) {
      const layer: LayerName = `user-${userId}`;
      e = {
        layer: { layer, userId, spans: [], relations: [] },
        info: { userId, username: "", layer, status: null, spans: 0 },
      };
      m.set(userId, e);
    }
    return e;
  };
  // chunks keep each IN (…) well under SQLite's parameter limit
  for (let i = 0; i < documentIds.length; i += 500) {
    const ids = documentIds.slice(i, i + 500);
    for (const d of db
      .select({ id: documents.id, projectId: documents.projectId, text: documents.text })
      .from(documents)
      .where(inArray(documents.id, ids))
      .all()) {
      let ls = labelsOf.get(d.projectId);
      if (!ls) {
        ls = new Set(labelNames(db, d.projectId).keys());
        labelsOf.set(d.projectId, ls);
      }
      docInfo.set(d.id, { text: d.text, labels: ls });
    }
    for (const a of db.select().from(assignments).where(inArray(assignments.documentId, ids)).all()) {
      entry(a.documentId, a.userId).info.status ??= a.status;
    }
    const userLayers = (t: typeof annotations | typeof annotationRelations | typeof layerStates) =>
      and(inArray(t.documentId, ids), like(t.layer, "user-%"));
    for (const s of db.select().from(layerStates).where(userLayers(layerStates)).all()) {
      const uid = layerUserId(s.layer);
      if (uid !== null) entry(s.documentId, uid).info.status = s.status;
    }
    for (const r of db.select().from(annotations).where(userLayers(annotations)).all()) {
      const uid = layerUserId(r.layer);
      if (uid === null) continue;
      const d = docInfo.get(r.documentId);
      const why = storedSpanProblem(r.start, r.end, r.labelId, d?.text ?? "", d?.labels ?? new Set());
      if (why !== null) {
        skip(r.documentId, why);
        continue;
      }
      const e = entry(r.documentId, uid);
      (e.layer.spans as Span[]).push({
        id: r.spanId,
        start: r.start,
        end: r.end,
        label: r.labelId,
        author: r.author,
        createdAt: r.createdAt,
      });
      e.info.spans++;
    }
    for (const r of db.select().from(annotationRelations).where(userLayers(annotationRelations)).all()) {
      const uid = layerUserId(r.layer);
      if (uid === null) continue;
      const e = entry(r.documentId, uid);
      const why = storedRelationProblem(r.fromSpan, r.toSpan, new Set(e.layer.spans.map((x) => x.id)));
      if (why !== null) {
        skip(r.documentId, why);
        continue;
      }
      const rels = e.layer.relations as Relation[];
      rels.push({
        id: r.relationId,
        from: r.fromSpan,
        to: r.toSpan,
        type: r.type,
        author: r.author,
        createdAt: r.createdAt,
      });
    }
  }
  const userIds = [...new Set([...byDoc.values()].flatMap((m) => [...m.keys()]))];
  const names = new Map<number, string>();
  for (let i = 0; i < userIds.length; i += 500) {
    const ids = userIds.slice(i, i + 500);
    for (const u of db
      .select({ id: users.id, username: users.username })
      .from(users)
      .where(inArray(users.id, ids))
      .all())
      names.set(u.id, u.username);
  }
  for (const id of documentIds) {
    const m = [...(byDoc.get(id)?.values() ?? [])].sort((a, b) => a.layer.userId - b.layer.userId);
    for (const e of m) e.info.username = names.get(e.layer.userId) ?? `(deleted user ${e.layer.userId})`;
    out.set(id, {
      layers: m.map((e) => e.layer),
      info: m.map((e) => e.info),
      skipped: skippedOf.get(id) ?? emptySkipped(),
    });
  }
  return out;
}

/** One annotator span from the projection, or null (also when the stored row is unsound). */
export function projectedSpan(db: Db, documentId: number, layer: string, spanId: string) {
  const row =
    db
      .select()
      .from(annotations)
      .where(
        and(
          eq(annotations.documentId, documentId),
          eq(annotations.layer, layer),
          eq(annotations.spanId, spanId),
        ),
      )
      .get() ?? null;
  if (!row) return null;
  const doc = db
    .select({ text: documents.text, projectId: documents.projectId })
    .from(documents)
    .where(eq(documents.id, documentId))
    .get();
  if (!doc) return null;
  const labelIds = new Set(labelNames(db, doc.projectId).keys());
  return storedSpanProblem(row.start, row.end, row.labelId, doc.text, labelIds) === null ? row : null;
}

/** One annotator relation from the projection, or null. */
export function projectedRelation(db: Db, documentId: number, layer: string, relationId: string) {
  return (
    db
      .select()
      .from(annotationRelations)
      .where(
        and(
          eq(annotationRelations.documentId, documentId),
          eq(annotationRelations.layer, layer),
          eq(annotationRelations.relationId, relationId),
        ),
      )
      .get() ?? null
  );
}

/** Label id → name for a project. */
export function labelNames(db: Db, projectId: number): Map<number, string> {
  const rows = db
    .select({ id: labels.id, name: labels.name })
    .from(labels)
    .where(eq(labels.projectId, projectId))
    .all();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A document's curation status ("todo" when no curator has touched it). */
export function curationStatus(db: Db, documentId: number): AssignmentStatus {
  return (
    db.select({ s: curations.status }).from(curations).where(eq(curations.documentId, documentId)).get()?.s ??
    "todo"
  );
}

/** Curation statuses of some documents. */
export function curationStatuses(db: Db, documentIds: number[]): Map<number, AssignmentStatus> {
  const out = new Map<number, AssignmentStatus>();
  for (let i = 0; i < documentIds.length; i += 500) {
    const ids = documentIds.slice(i, i + 500);
    for (const r of db.select().from(curations).where(inArray(curations.documentId, ids)).all())
      out.set(r.documentId, r.status);
  }
  return out;
}

/**
 * Documents whose curation has started (or is done) and whose annotator layers changed after the curation
 * status was last set: a span added or edited later (read from the projection's times; a deletion leaves
 * no row, so it is not seen). The curator sees these flagged "changed after curation".
 */
export function changedAfterCuration(db: Db, documentIds: number[]): Set<number> {
  const out = new Set<number>();
  const stmt = db.$client.prepare<number[], { id: number }>(
    "SELECT c.document_id AS id FROM curations c WHERE c.status != 'todo' AND c.document_id IN " +
      "(SELECT value FROM json_each(?)) AND EXISTS (SELECT 1 FROM annotations a " +
      "WHERE a.document_id = c.document_id AND a.layer != 'gold' " +
      "AND max(a.created_at, coalesce(a.updated_at, 0)) > c.updated_at)",
  );
  for (let i = 0; i < documentIds.length; i += 500)
    for (const r of stmt.all(JSON.stringify(documentIds.slice(i, i + 500)) as never)) out.add(r.id);
  return out;
}

/** Sets a document's curation status (call inside a transaction with its audit row). */
export function setCurationStatus(
  db: Db,
  documentId: number,
  status: AssignmentStatus,
  userId: number,
): void {
  db.insert(curations)
    .values({ documentId, status, updatedBy: userId, updatedAt: Date.now() })
    .onConflictDoUpdate({
      target: curations.documentId,
      set: { status, updatedBy: userId, updatedAt: Date.now() },
    })
    .run();
}

/** Sets a document's curation status with its audit row, in one transaction. */
export function changeCurationStatus(deps: Deps, access: DocumentAccess, status: AssignmentStatus): void {
  const documentId = access.document.id;
  deps.db.transaction(() => {
    const from = curationStatus(deps.db, documentId);
    setCurationStatus(deps.db, documentId, status, access.user.id);
    audit(deps.db, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "curation.status",
      target: `document:${documentId}`,
      details: { from, to: status },
    });
  });
}

/** A decision starts curation: todo → in_progress (in_progress and done stay). Returns the status after. */
export function markInProgress(db: Db, documentId: number, userId: number): AssignmentStatus {
  const cur = curationStatus(db, documentId);
  if (cur !== "todo") return cur;
  setCurationStatus(db, documentId, "in_progress", userId);
  return "in_progress";
}

/** A change to gold, decided from its live state: audit rows, the Yjs edit, and what to answer. */
export interface GoldChange<T> {
  audit: AuditEntry[];
  /** Applies the edit to the doc (runs inside one Yjs transaction); must not throw: validate first. */
  apply: (doc: Y.Doc) => void;
  result: T;
}

/**
 * Decides and applies a gold change atomically (see the module comment). `decide` reads the live doc and
 * throws an HttpError for bad input before anything is written. Returns the result and the status after.
 */
export function goldChange<T>(
  deps: Deps,
  access: DocumentAccess,
  decide: (doc: Y.Doc) => GoldChange<T>,
): Promise<{ result: T; status: AssignmentStatus }> {
  const documentId = access.document.id;
  return deps.collab.withDoc(documentId, "gold", (doc) => {
    const change = decide(doc);
    return deps.db.transaction(() => {
      for (const e of change.audit) audit(deps.db, e);
      const status =
        change.audit.length > 0
          ? markInProgress(deps.db, documentId, access.user.id)
          : curationStatus(deps.db, documentId);
      doc.transact(() => change.apply(doc), CURATION_ORIGIN);
      return { result: change.result, status };
    });
  });
}
