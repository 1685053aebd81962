/**
 * The read side of curation: one document's aligned layers (GET /documents/:id/curation) and a project's
 * curation progress (GET /projects/:id/curation).
 */
import {
  type AssignmentStatus,
  alignLayers,
  type DocumentCurationDto,
  type MergeOptions,
  type ProjectCurationDto,
  type ProjectCurationQuery,
  requiredSupport,
  type Span,
} from "@gloss/shared";
import { and, asc, count, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { DocumentAccess, ProjectAccess } from "../../auth/access";
import type { Deps } from "../../context";
import type { Db } from "../../db/client";
import { containsText, inJsonIds } from "../../db/query";
import { spanOfRow } from "../../db/rows";
import { annotations, curationSummaries, curations, documents, goldRejections } from "../../db/schema";
import { type DtoContext, relationCandidatesDto, relationDto, sitesDto, spanDto } from "./dto";
import { readGold } from "./gold";
import { loadAnnotatorLayers } from "./projection";
import { changedAfterCuration, curationStatus } from "./status";

/**
 * Everything a curator needs for one document: annotators, aligned sites with their disagreements,
 * gold (live), the rejected keys, status and counts.
 */
export async function documentCuration(
  deps: Deps,
  access: DocumentAccess,
  dto: DtoContext,
  opts: MergeOptions,
): Promise<DocumentCurationDto> {
  const d = access.document;
  const { layers, info } = loadAnnotatorLayers(deps.db, [d.id]).get(d.id) ?? { layers: [], info: [] };
  const gold = await deps.collab.withDoc(d.id, "gold", readGold);
  const threshold = requiredSupport(layers.length, opts);
  const al = alignLayers(layers, gold, { threshold });
  return {
    document: { id: d.id, projectId: d.projectId, name: d.name, length: dto.offsets.length },
    offsets: dto.offsets.unit,
    threshold,
    annotators: info,
    sites: sitesDto(dto, al, gold),
    relations: relationCandidatesDto(al),
    gold: { spans: gold.spans.map((s) => spanDto(dto, s)), relations: gold.relations.map(relationDto) },
    rejected: gold.rejectedEntries,
    status: curationStatus(deps.db, d.id),
    changedAfterCuration: changedAfterCuration(deps.db, [d.id]).has(d.id),
    counts: al.counts,
  };
}

/** Documents whose summary is computed per transaction (each one's layers are loaded together). */
const SUMMARY_CHUNK = 500;

/**
 * The curation figures of one document from the projection alone (annotator layers, gold spans, the
 * projected `rejected` keys): what the project listing shows. Opens no room.
 */
export function summariseFromProjection(db: Db, documentIds: number[]) {
  const layersByDoc = loadAnnotatorLayers(db, documentIds);
  const goldByDoc = new Map<number, Span[]>();
  const rejectedByDoc = new Map<number, string[]>();
  for (const r of db
    .select()
    .from(annotations)
    .where(and(inJsonIds(annotations.documentId, documentIds), eq(annotations.layer, "gold")))
    .all()) {
    const list = goldByDoc.get(r.documentId) ?? [];
    list.push(spanOfRow(r));
    goldByDoc.set(r.documentId, list);
  }
  for (const r of db
    .select({ documentId: goldRejections.documentId, key: goldRejections.key })
    .from(goldRejections)
    .where(inJsonIds(goldRejections.documentId, documentIds))
    .all()) {
    const list = rejectedByDoc.get(r.documentId) ?? [];
    list.push(r.key);
    rejectedByDoc.set(r.documentId, list);
  }
  return documentIds.map((documentId) => {
    const layers = layersByDoc.get(documentId)?.layers ?? [];
    const spans = goldByDoc.get(documentId) ?? [];
    const al = alignLayers(layers, { spans, rejected: rejectedByDoc.get(documentId) ?? [] });
    return {
      documentId,
      annotators: layers.length,
      annotatedLayers: layers.filter((l) => l.spans.length > 0).length,
      disagreements: al.counts.disagreements,
      open: al.counts.open,
      goldSpans: spans.length,
    };
  });
}

/** Computes the `curation_summaries` rows a project lacks (invalidated by triggers, see schema.ts). */
function fillSummaries(db: Db, projectId: number): void {
  const missing = db
    .select({ id: documents.id })
    .from(documents)
    .leftJoin(curationSummaries, eq(curationSummaries.documentId, documents.id))
    .where(and(eq(documents.projectId, projectId), isNull(curationSummaries.documentId)))
    .all()
    .map((r) => r.id);
  for (let i = 0; i < missing.length; i += SUMMARY_CHUNK) {
    const ids = missing.slice(i, i + SUMMARY_CHUNK);
    // read and written in one transaction: no projection write can slip between them
    db.transaction((tx) => {
      const rows = summariseFromProjection(tx, ids).map((r) => ({ ...r, projectId }));
      if (rows.length > 0) tx.insert(curationSummaries).values(rows).onConflictDoNothing().run();
    });
  }
}

/**
 * Curation progress of a project's documents, a page at a time: figures from `curation_summaries` (filled
 * from the projection where missing), status from `curations`; searched, filtered, sorted and counted in
 * SQL. Opens no room.
 */
export function projectCuration(
  deps: Deps,
  access: ProjectAccess,
  query: ProjectCurationQuery,
): ProjectCurationDto {
  const db = deps.db;
  const projectId = access.project.id;
  fillSummaries(db, projectId);
  const status = sql<AssignmentStatus>`coalesce(${curations.status}, 'todo')`;
  const base = () =>
    db
      .select({
        documentId: documents.id,
        name: documents.name,
        status,
        annotators: curationSummaries.annotators,
        annotatedLayers: curationSummaries.annotatedLayers,
        disagreements: curationSummaries.disagreements,
        open: curationSummaries.open,
        goldSpans: curationSummaries.goldSpans,
      })
      .from(documents)
      .innerJoin(curationSummaries, eq(curationSummaries.documentId, documents.id))
      .leftJoin(curations, eq(curations.documentId, documents.id));
  const where = and(
    eq(documents.projectId, projectId),
    query.q ? containsText(documents.name, query.q) : undefined,
    query.status ? eq(status, query.status) : undefined,
  );
  const order =
    query.sort === "name"
      ? [asc(documents.name), asc(documents.id)]
      : query.sort === "open"
        ? [desc(curationSummaries.open), asc(documents.id)]
        : [asc(documents.id)];
  const rows = base()
    .where(where)
    .orderBy(...order)
    .limit(query.limit)
    .offset(query.offset)
    .all();
  const total =
    db
      .select({ n: count() })
      .from(documents)
      .leftJoin(curations, eq(curations.documentId, documents.id))
      .where(where)
      .get()?.n ?? 0;
  const changed = changedAfterCuration(
    db,
    rows.map((r) => r.documentId),
  );
  const totals = db
    .select({
      documents: count(),
      todo: sql<number>`coalesce(sum(${status} = 'todo'), 0)`,
      in_progress: sql<number>`coalesce(sum(${status} = 'in_progress'), 0)`,
      done: sql<number>`coalesce(sum(${status} = 'done'), 0)`,
      open: sql<number>`coalesce(sum(${curationSummaries.open}), 0)`,
    })
    .from(documents)
    .innerJoin(curationSummaries, eq(curationSummaries.documentId, documents.id))
    .leftJoin(curations, eq(curations.documentId, documents.id))
    .where(eq(documents.projectId, projectId))
    .get();
  const next = base()
    .where(and(eq(documents.projectId, projectId), gt(curationSummaries.open, 0), ne(status, "done")))
    .orderBy(asc(documents.id))
    .limit(1)
    .get();
  return {
    documents: rows.map((r) => ({ ...r, changedAfterCuration: changed.has(r.documentId) })),
    total,
    nextDocumentId: next?.documentId ?? null,
    counts: {
      documents: totals?.documents ?? 0,
      todo: Number(totals?.todo ?? 0),
      in_progress: Number(totals?.in_progress ?? 0),
      done: Number(totals?.done ?? 0),
      open: Number(totals?.open ?? 0),
    },
  };
}
