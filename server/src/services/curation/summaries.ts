/**
 * A project's curation progress, paged, from the projection alone: no gold room is opened to list.
 *
 * Each document's figures (annotators, disagreements, open ones, gold spans) are computed from the projected
 * annotator layers, gold spans and gold's rejected keys, and cached in `curation_summaries` with the
 * document's stamp. Triggers bump a document's stamp whenever anything its figures stand on changes
 * (migration 0004), whoever wrote it, so a listing recomputes only the stale ones: a few documents after some
 * edits, every document once on a cold project. Those, and the page itself (filter, sort, limit) with the
 * project's counts, are computed in the worker thread from its own read snapshot (figures that a change
 * overtook carry the old stamp and stay stale); the main thread only stores the figures, in chunks, so live
 * editors never wait behind a listing.
 */
import { alignLayers, type ProjectCurationDto, type ProjectCurationQuery, type Span } from "@gloss/shared";
import { and, asc, count, desc, eq, inArray, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { ProjectAccess } from "../../auth/access";
import type { Deps } from "../../context";
import type { Db } from "../../db/client";
import { containsText, perDb } from "../../db/query";
import { spanOfRow } from "../../db/rows";
import {
  annotations,
  curationStamps,
  curationSummaries,
  curations,
  documents,
  goldRejections,
} from "../../db/schema";
import type { SummaryRow } from "../agreement/protocol";
import { agreementService } from "../agreement/service";
import { loadAnnotatorLayers } from "./projection";
import { changedAfterCuration } from "./status";

/** Documents computed per step: ≈0.5 ms each at 3 annotators × 20 spans. */
const CHUNK = 200;
/** Rows written per transaction (≈2 µs each). */
const WRITE_CHUNK = 2000;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const stampOf = sql<number>`coalesce(${curationStamps.n}, 0)`;

/** Ids of up to `limit` documents of the project whose summary is missing or stale, in id order. */
function staleIds(db: Db, projectId: number, limit?: number): number[] {
  const q = db
    .select({ id: documents.id })
    .from(documents)
    .leftJoin(curationStamps, eq(curationStamps.documentId, documents.id))
    .leftJoin(curationSummaries, eq(curationSummaries.documentId, documents.id))
    .where(
      and(
        eq(documents.projectId, projectId),
        or(isNull(curationSummaries.documentId), ne(curationSummaries.stamp, stampOf)),
      ),
    )
    .orderBy(asc(documents.id));
  return (limit === undefined ? q.all() : q.limit(limit).all()).map((r) => r.id);
}

/** The figures of some documents, with their current stamps (read them in one snapshot: sync, or a transaction). */
function summaryRows(db: Db, ids: number[]): SummaryRow[] {
  if (ids.length === 0) return [];
  const stamps = new Map(
    db
      .select({ id: curationStamps.documentId, n: curationStamps.n })
      .from(curationStamps)
      .where(inArray(curationStamps.documentId, ids))
      .all()
      .map((r) => [r.id, r.n]),
  );
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
  return ids.map((documentId): SummaryRow => {
    const layers = layersByDoc.get(documentId)?.layers ?? [];
    const goldSpans = gold.get(documentId) ?? [];
    const al = alignLayers(layers, { spans: goldSpans, rejected: rejected.get(documentId) ?? [] });
    return [
      documentId,
      stamps.get(documentId) ?? 0,
      layers.length,
      layers.filter((l) => l.spans.length > 0).length,
      al.counts.disagreements,
      al.counts.open,
      goldSpans.length,
    ];
  });
}

/**
 * The figures of every document of the project whose summary is missing or stale, read in one snapshot
 * (the worker thread's job; a read-only connection).
 */
export function computeProjectSummaries(db: Db, projectId: number): SummaryRow[] {
  return db.transaction(() => {
    const ids = staleIds(db, projectId);
    const out: SummaryRow[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) out.push(...summaryRows(db, ids.slice(i, i + CHUNK)));
    return out;
  });
}

/**
 * The summary upsert, prepared once per database: raw SQL, as the projection writes are — drizzle's builder
 * costs ≈65 µs a row here, 10,000 rows ≈0.7 s of event loop; this ≈3 µs.
 */
const upsertSummary = perDb((db) =>
  db.$client.prepare<[number, number, number, number, number, number, number, number]>(
    "INSERT INTO curation_summaries (document_id, stamp, annotators, annotated_layers, disagreements, open, gold_spans, project_id) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET stamp = excluded.stamp, " +
      "annotators = excluded.annotators, annotated_layers = excluded.annotated_layers, disagreements = excluded.disagreements, " +
      "open = excluded.open, gold_spans = excluded.gold_spans, project_id = excluded.project_id",
  ),
);

/** Stores computed figures (one transaction). A row computed at an older stamp than now is stored as stale. */
export function writeRows(db: Db, projectId: number, rows: SummaryRow[]): void {
  if (rows.length === 0) return;
  const upsert = upsertSummary(db);
  db.$client.transaction(() => {
    for (const row of rows) upsert.run(...row, projectId);
  })();
}

/** Computes and stores the summaries of some documents now, on this thread. */
function summarise(db: Db, projectId: number, ids: number[]): void {
  for (let i = 0; i < ids.length; i += CHUNK)
    writeRows(db, projectId, summaryRows(db, ids.slice(i, i + CHUNK)));
}

/**
 * Brings the project's summaries up to date on this thread (no worker: an in-memory database), a chunk at
 * a time with a turn of the event loop between chunks; whatever went stale meanwhile is left to the caller.
 */
async function refreshHere(db: Db, projectId: number): Promise<void> {
  // bounded by the project's size when it started, not by how busy its editors are
  const rounds = Math.ceil(staleIds(db, projectId).length / CHUNK);
  for (let round = 0; round < rounds; round++) {
    const ids = staleIds(db, projectId, CHUNK);
    if (ids.length === 0) return;
    summarise(db, projectId, ids);
    await yieldToLoop();
  }
}

const statusOf = sql<"todo" | "in_progress" | "done">`coalesce(${curations.status}, 'todo')`;

/** A page of the project's curation progress, read from fresh summaries (call with none stale). */
export function curationPage(db: Db, access: ProjectAccess, query: ProjectCurationQuery): ProjectCurationDto {
  const projectId = access.project.id;
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

/**
 * What the worker answers for a curation listing, from one read snapshot: the page when every summary of
 * the project is fresh, else the figures of the stale ones (for the main thread to store; it then asks again).
 */
export type CurationPageAnswer = { page: ProjectCurationDto } | { stale: Float64Array };

/** Numbers per SummaryRow in a packed array. */
const ROW = 7;

/**
 * Summary rows packed flat in one typed array: 100,000 of them cross from the worker as one copy of 5.6 MB,
 * where an array of arrays took the main thread ≈60 ms to deserialize.
 */
function pack(rows: SummaryRow[]): Float64Array {
  const out = new Float64Array(rows.length * ROW);
  for (const [i, r] of rows.entries()) out.set(r, i * ROW);
  return out;
}

/** Stores rows `from`…`to` (exclusive) of a packed array (one transaction). */
function writePacked(db: Db, projectId: number, packed: Float64Array, from: number, to: number): void {
  const upsert = upsertSummary(db);
  db.$client.transaction(() => {
    for (let i = from * ROW; i < to * ROW; i += ROW)
      upsert.run(
        packed[i]!,
        packed[i + 1]!,
        packed[i + 2]!,
        packed[i + 3]!,
        packed[i + 4]!,
        packed[i + 5]!,
        packed[i + 6]!,
        projectId,
      );
  })();
}

/** The worker's side of a listing (a read-only connection: it never writes). */
export function curationPageOrStale(
  db: Db,
  access: ProjectAccess,
  query: ProjectCurationQuery,
): CurationPageAnswer {
  return db.transaction(() => {
    const stale = computeProjectSummaries(db, access.project.id);
    return stale.length > 0 ? { stale: pack(stale) } : { page: curationPage(db, access, query) };
  });
}

/** Rounds of "store what the worker found stale, ask again" before the rest is done here. */
const ROUNDS = 3;

/**
 * Curation progress of a project: a page of its documents (filtered, sorted) and the project's counts. With
 * a worker thread, everything but storing the summaries it computed runs there: the stale figures, the page
 * and the counts (SQL over every document of the project: ≈0.1 s at 100,000). Documents edited while it ran
 * go round again; after ROUNDS, or with no worker (an in-memory database), the rest is done here, with a
 * turn of the event loop between chunks of the bulk.
 */
export async function projectCuration(
  deps: Pick<Deps, "db" | "log">,
  access: ProjectAccess,
  query: ProjectCurationQuery,
): Promise<ProjectCurationDto> {
  const { db } = deps;
  const projectId = access.project.id;
  const worker = agreementService(db, deps.log).worker;
  // the bulk of a cold listing may be a refresh that a bulk import started: wait for it, not twice the work
  await refreshing.get(db)?.get(projectId);
  if (worker) {
    for (let round = 0; round < ROUNDS; round++) {
      const answer = await worker.curationPage(access, query);
      if ("page" in answer) return answer.page;
      await storePacked(db, projectId, answer.stale);
    }
  } else await refreshSummaries(deps, projectId);
  // from here on synchronous: what is still stale (a few documents being edited) is computed now, so every
  // summary read below is fresh
  summarise(db, projectId, staleIds(db, projectId));
  return curationPage(db, access, query);
}

/** Stores packed rows from the worker, WRITE_CHUNK rows per transaction with a turn of the loop between. */
async function storePacked(db: Db, projectId: number, packed: Float64Array): Promise<void> {
  const rows = packed.length / ROW;
  for (let i = 0; i < rows; i += WRITE_CHUNK) {
    writePacked(db, projectId, packed, i, Math.min(rows, i + WRITE_CHUNK));
    await yieldToLoop();
  }
}

/** The running refresh of each project's summaries, per database (one at a time per project). */
const refreshing = new WeakMap<Db, Map<number, Promise<void>>>();

/**
 * Brings a project's stale summaries up to date: computed in the worker thread and stored here in chunks
 * (with no worker, computed here a chunk at a time). One refresh per project at a time: a listing that
 * arrives while one runs (after a bulk import, say) waits for it. Whatever is edited meanwhile is left to
 * the next listing.
 */
export function refreshSummaries(deps: Pick<Deps, "db" | "log">, projectId: number): Promise<void> {
  const { db } = deps;
  let running = refreshing.get(db);
  if (!running) {
    running = new Map();
    refreshing.set(db, running);
  }
  const current = running.get(projectId);
  if (current) return current;
  const worker = agreementService(db, deps.log).worker;
  const job = (async () => {
    if (!worker) return refreshHere(db, projectId);
    // one round: what was edited while it ran is stored stale (at its old stamp) and left to the next listing
    await storePacked(db, projectId, await worker.staleSummaries(projectId));
  })().finally(() => running.delete(projectId));
  running.set(projectId, job);
  return job;
}

/**
 * After a bulk change (an import): refreshes the project's summaries in the worker thread, in the
 * background, so that the first curation listing finds them fresh. Not without a worker (an in-memory
 * database): the listing refreshes then. A failure (the server closing, say) is only logged.
 */
export function warmSummaries(deps: Pick<Deps, "db" | "log">, projectId: number): void {
  if (!agreementService(deps.db, deps.log).worker) return;
  refreshSummaries(deps, projectId).catch((err) =>
    deps.log.debug("curation: background refresh of summaries stopped", {
      project: projectId,
      err: String(err),
    }),
  );
}

/** The worker's side of a refresh: the stale summaries of a project, packed (a read-only connection). */
export function staleSummaries(db: Db, projectId: number): Float64Array {
  return pack(computeProjectSummaries(db, projectId));
}
