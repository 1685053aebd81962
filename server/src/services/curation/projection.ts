/**
 * The annotator layers as curation reads them: from the projection (`annotations`,
 * `annotation_relations`, `layer_states`) — fast, no Y.Doc per annotator, and current because the app
 * flushes every pending projection change before any curation request (`readsProjection` in
 * requestScope.ts). Every stored row passes the one stored-span check before it is used.
 */
import {
  type AnnotatorLayer,
  countSkip,
  emptySkipped,
  type LayerName,
  layerUserId,
  type Relation,
  type SkippedRows,
  type Span,
  storedRelationProblem,
  storedSpanProblem,
} from "@gloss/shared";
import { and, asc, eq, inArray, like } from "drizzle-orm";
import type { Db } from "../../db/client";
import { relationOfRow, spanOfRow } from "../../db/rows";
import type { annotationRelations, annotations, layerStates } from "../../db/schema";
import { all, callSync, type Gen, get, type Store } from "../../db/store";

export interface AnnotatorInfo {
  userId: number;
  username: string;
  layer: LayerName;
  status: string | null;
  spans: number;
}

export type AnnotatorLayers = Map<
  number,
  { layers: AnnotatorLayer[]; info: AnnotatorInfo[]; skipped: SkippedRows }
>;

/**
 * The annotator layers of some documents, from the projection: every `user-<id>` layer with spans or a
 * status, plus every assigned annotator (an assigned layer with nothing in it counts as "missing").
 * Rows are read in key order (on SQLite the order of the key's index, as before; PostgreSQL promises no
 * order without one), so each layer lists its spans and relations in the same order on both.
 */
export function* annotatorLayers(store: Store, documentIds: number[]): Gen<AnnotatorLayers> {
  const { annotationRelations, annotations, assignments, documents, layerStates, users } = store.t;
  const out: AnnotatorLayers = new Map();
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
    const userLayers = (t: typeof annotations | typeof annotationRelations | typeof layerStates) =>
      and(inArray(t.documentId, ids), like(t.layer, "user-%"));
    const rows = yield* all(
      store.q
        .select()
        .from(annotations)
        .where(userLayers(annotations))
        .orderBy(asc(annotations.documentId), asc(annotations.layer), asc(annotations.spanId)),
    );
    // texts only of the documents with spans to check (a fresh import of 100,000 has none: no text is read)
    const withSpans = [...new Set(rows.map((r) => r.documentId))];
    for (const d of withSpans.length
      ? yield* all(
          store.q
            .select({ id: documents.id, projectId: documents.projectId, text: documents.text })
            .from(documents)
            .where(inArray(documents.id, withSpans)),
        )
      : []) {
      let ls = labelsOf.get(d.projectId);
      if (!ls) {
        ls = new Set((yield* labelNames(store, d.projectId)).keys());
        labelsOf.set(d.projectId, ls);
      }
      docInfo.set(d.id, { text: d.text, labels: ls });
    }
    for (const a of yield* all(
      store.q
        .select()
        .from(assignments)
        .where(inArray(assignments.documentId, ids))
        .orderBy(asc(assignments.documentId), asc(assignments.userId)),
    )) {
      entry(a.documentId, a.userId).info.status ??= a.status;
    }
    for (const s of yield* all(
      store.q
        .select()
        .from(layerStates)
        .where(userLayers(layerStates))
        .orderBy(asc(layerStates.documentId), asc(layerStates.layer)),
    )) {
      const uid = layerUserId(s.layer);
      if (uid !== null) entry(s.documentId, uid).info.status = s.status;
    }
    for (const r of rows) {
      const uid = layerUserId(r.layer);
      if (uid === null) continue;
      const d = docInfo.get(r.documentId);
      const why = storedSpanProblem(r.start, r.end, r.labelId, d?.text ?? "", d?.labels ?? new Set());
      if (why !== null) {
        skip(r.documentId, why);
        continue;
      }
      const e = entry(r.documentId, uid);
      (e.layer.spans as Span[]).push(spanOfRow(r));
      e.info.spans++;
    }
    for (const r of yield* all(
      store.q
        .select()
        .from(annotationRelations)
        .where(userLayers(annotationRelations))
        .orderBy(
          asc(annotationRelations.documentId),
          asc(annotationRelations.layer),
          asc(annotationRelations.relationId),
        ),
    )) {
      const uid = layerUserId(r.layer);
      if (uid === null) continue;
      const e = entry(r.documentId, uid);
      const why = storedRelationProblem(r.fromSpan, r.toSpan, new Set(e.layer.spans.map((x) => x.id)));
      if (why !== null) {
        skip(r.documentId, why);
        continue;
      }
      (e.layer.relations as Relation[]).push(relationOfRow(r));
    }
  }
  const userIds = [...new Set([...byDoc.values()].flatMap((m) => [...m.keys()]))];
  const names = new Map<number, string>();
  for (let i = 0; i < userIds.length; i += 500) {
    const ids = userIds.slice(i, i + 500);
    for (const u of yield* all(
      store.q.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, ids)),
    ))
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

/** `annotatorLayers` for synchronous SQLite callers (summaries.ts, also in the worker). */
export const loadAnnotatorLayers = (db: Db, documentIds: number[]): AnnotatorLayers =>
  callSync(db, annotatorLayers, documentIds);

/** The rows of one document's layer in a projection table. */
const inLayer = (t: typeof annotations | typeof annotationRelations, documentId: number, layer: string) =>
  and(eq(t.documentId, documentId), eq(t.layer, layer));

/** One annotator span from the projection, or null (also when the stored row is unsound). */
export function* projectedSpan(store: Store, documentId: number, layer: string, spanId: string) {
  const { annotations, documents } = store.t;
  const row = yield* get(
    store.q
      .select()
      .from(annotations)
      .where(and(inLayer(annotations, documentId, layer), eq(annotations.spanId, spanId))),
  );
  if (!row) return null;
  const doc = yield* get(
    store.q
      .select({ text: documents.text, projectId: documents.projectId })
      .from(documents)
      .where(eq(documents.id, documentId)),
  );
  if (!doc) return null;
  const labelIds = new Set((yield* labelNames(store, doc.projectId)).keys());
  return storedSpanProblem(row.start, row.end, row.labelId, doc.text, labelIds) === null ? row : null;
}

/** One annotator relation from the projection, or null. */
export function* projectedRelation(store: Store, documentId: number, layer: string, relationId: string) {
  const { annotationRelations } = store.t;
  return (
    (yield* get(
      store.q
        .select()
        .from(annotationRelations)
        .where(
          and(
            inLayer(annotationRelations, documentId, layer),
            eq(annotationRelations.relationId, relationId),
          ),
        ),
    )) ?? null
  );
}

/** Label id → name for a project. */
export function* labelNames(store: Store, projectId: number): Gen<Map<number, string>> {
  const { labels } = store.t;
  const rows = yield* all(
    store.q.select({ id: labels.id, name: labels.name }).from(labels).where(eq(labels.projectId, projectId)),
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}
