/**
 * A project's curation progress, paged, from the projection alone: no gold room is opened to list.
 *
 * Each document's figures (annotators, disagreements, open ones, gold spans) are computed from the projected
 * annotator layers, gold spans and gold's rejected keys, and cached in `curation_summaries`. Triggers drop a
 * document's row whenever anything it was computed from changes (migration 0004), whoever wrote it, so a
 * listing recomputes only what changed: a few documents after some edits, every document once on a cold
 * project — in chunks, yielding to the event loop between them, so live editors never wait behind it.
 * The page itself (filter, sort, limit) and the project's counts are then SQL over the cached rows.
 */
import { alignLayers, type ProjectCurationDto, type ProjectCurationQuery, type Span } from "@gloss/shared";
import { and, asc, count, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { ProjectAccess } from "../../auth/access";
import type { Db } from "../../db/client";
import { containsText } from "../../db/query";
import { spanOfRow } from "../../db/rows";
import { annotations, curationSummaries, curations, documents, goldRejections } from "../../db/schema";
import { loadAnnotatorLayers } from "./projection";
import { changedAfterCuration } from "./status";

/** Documents summarised per synchronous step: ≈10–20 ms of work at 3 annotators × 20 spans each. */
const CHUNK = 200;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Computes and stores the summaries of some documents of one project (one synchronous transaction). */
export function writeSummaries(db: Db, projectId: number, ids: number[]): void {
  if (ids.length === 0) return;
  const layersByDoc = loadAnnotatorLayers(db, ids);
  const gold = new Map<number, Span[]>();
  for (const r of db
    .select()
    .from(annotations)
    .where(and(inArray(annotations.documentId, ids), eq(annotations.layer, "gold")))
    .all()) {
    const list = gold.get(r.documentId) ?? [];
    list.push(spanOfRow(r));
    gold.set(r.documentId, list);
  }
  const rejected = new Map<number, string[]>();
  for (const r of db
    .select({ documentId: goldRejections.documentId, key: goldRejections.key })
    .from(goldRejections)
    .where(inArray(goldRejections.documentId, ids))
    .all()) {
    const list = rejected.get(r.documentId) ?? [];
    list.push(r.key);
    rejected.set(r.documentId, list);
  }
  const rows = ids.map((documentId) => {
    const layers = layersByDoc.get(documentId)?.layers ?? [];
    const goldSpans = gold.get(documentId) ?? [];
    const al = alignLayers(layers, { spans: goldSpans, rejected: rejected.get(documentId) ?? [] });
    return {
      documentId,
      projectId,
      annotators: layers.length,
      annotatedLayers: layers.filter((l) => l.spans.length > 0).length,
      disagreements: al.counts.disagreements,
      open: al.counts.open,
      goldSpans: goldSpans.length,
    };
  });
  db.transaction(() => {
    for (const row of rows)
      db.insert(curationSummaries)
        .values(row)
        .onConflictDoUpdate({ target: curationSummaries.documentId, set: row })
        .run();
  });
}

/** Ids of up to `limit` documents of the project with no cached summary, in id order. */
function unsummarised(db: Db, projectId: number, limit?: number): number[] {
  const q = db
    .select({ id: documents.id })
    .from(documents)
    .leftJoin(curationSummaries, eq(curationSummaries.documentId, documents.id))
    .where(and(eq(documents.projectId, projectId), isNull(curationSummaries.documentId)))
    .orderBy(asc(documents.id));
  return (limit === undefined ? q.all() : q.limit(limit).all()).map((r) => r.id);
}

/**
 * Brings every summary of the project up to date: chunks with a yield between them, then, in the same
 * synchronous step as the caller's read, whatever was invalidated meanwhile (a few documents being edited).
 * The chunked part is bounded by the project's size, not by how busy its editors are.
 */
export async function refreshSummaries(db: Db, projectId: number): Promise<void> {
  const n = db.select({ n: count() }).from(documents).where(eq(documents.projectId, projectId)).get()?.n ?? 0;
  for (let round = 0; round <= Math.ceil(n / CHUNK); round++) {
    const ids = unsummarised(db, projectId, CHUNK);
    if (ids.length === 0) return;
    writeSummaries(db, projectId, ids);
    if (ids.length < CHUNK) return;
    await yieldToLoop();
  }
}

const statusOf = sql<"todo" | "in_progress" | "done">`coalesce(${curations.status}, 'todo')`;

/** Curation progress of a project: a page of its documents (filtered, sorted) and the project's counts. */
export async function projectCuration(
  db: Db,
  access: ProjectAccess,
  query: ProjectCurationQuery,
): Promise<ProjectCurationDto> {
  const projectId = access.project.id;
  await refreshSummaries(db, projectId);
  // from here on synchronous: the summaries read are the ones just brought up to date
  writeSummaries(db, projectId, unsummarised(db, projectId));

  const filters = and(
    query.q ? containsText(documents.name, query.q) : undefined,
    query.status ? sql`${statusOf} = ${query.status}` : undefined,
    query.open === "true" ? sql`${curationSummaries.open} > 0` : undefined,
    query.open === "false" ? eq(curationSummaries.open, 0) : undefined,
  );
  const order: SQL[] = {
    id: [asc(documents.id)],
    name: [asc(documents.name), asc(documents.id)],
    open: [desc(curationSummaries.open), asc(documents.id)],
    disagreements: [desc(curationSummaries.disagreements), asc(documents.id)],
  }[query.sort];
  const rows = db
    .select({
      documentId: documents.id,
      name: documents.name,
      status: statusOf,
      annotators: curationSummaries.annotators,
      annotatedLayers: curationSummaries.annotatedLayers,
      disagreements: curationSummaries.disagreements,
      open: curationSummaries.open,
      goldSpans: curationSummaries.goldSpans,
    })
    .from(documents)
    .innerJoin(curationSummaries, eq(curationSummaries.documentId, documents.id))
    .leftJoin(curations, eq(curations.documentId, documents.id))
    .where(and(eq(documents.projectId, projectId), filters))
    .orderBy(...order)
    .limit(query.limit)
    .offset(query.offset)
    .all();
  const changed = changedAfterCuration(
    db,
    rows.map((r) => r.documentId),
  );
  // the project's figures and the filters' total in one pass (integers: SQLite's sum() of 0/1 flags)
  const flag = (cond: SQL | undefined) => sql<number>`coalesce(sum(${cond ?? sql`1`}), 0)`.mapWith(Number);
  const c = db
    .select({
      documents: count(),
      total: flag(filters),
      todo: flag(sql`${statusOf} = 'todo'`),
      in_progress: flag(sql`${statusOf} = 'in_progress'`),
      done: flag(sql`${statusOf} = 'done'`),
      open: sql<number>`coalesce(sum(${curationSummaries.open}), 0)`.mapWith(Number),
      next: sql<
        number | null
      >`min(case when ${curationSummaries.open} > 0 and ${statusOf} <> 'done' then ${documents.id} end)`,
    })
    .from(documents)
    .innerJoin(curationSummaries, eq(curationSummaries.documentId, documents.id))
    .leftJoin(curations, eq(curations.documentId, documents.id))
    .where(eq(documents.projectId, projectId))
    .get() ?? { documents: 0, total: 0, todo: 0, in_progress: 0, done: 0, open: 0, next: null };

  return {
    documents: rows.map((r) => ({ ...r, changedAfterCuration: changed.has(r.documentId) })),
    total: c.total,
    nextDocumentId: c.next,
    nextDocumentName:
      c.next === null
        ? null
        : (db.select({ name: documents.name }).from(documents).where(eq(documents.id, c.next)).get()?.name ??
          null),
    counts: { documents: c.documents, todo: c.todo, in_progress: c.in_progress, done: c.done, open: c.open },
  };
}
