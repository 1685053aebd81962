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
import {
  and,
  asc,
  count,
  desc,
  eq,
  inArray,
  isNull,
  ne,
  or,
  type SQL,
  type SQLWrapper,
  sql,
} from "drizzle-orm";
import type { ProjectAccess } from "../../auth/access";
import type { Deps } from "../../context";
import type { Db } from "../../db/client";
import type { PgDb } from "../../db/pg";
import { spanOfRow } from "../../db/rows";
import {
  all,
  callSync,
  containsText,
  databaseOf,
  execute,
  executeSync,
  type Gen,
  get,
  perStore,
  run,
  type Store,
  transaction,
} from "../../db/store";
import type { SummaryRow } from "../agreement/protocol";
import { agreementService } from "../agreement/service";
import { annotatorLayers } from "./projection";
import { documentsChangedAfterCuration } from "./status";

/** Documents computed per step: ≈0.5 ms each at 3 annotators × 20 spans. */
const CHUNK = 200;
/** Rows written per transaction (≈2 µs each). */
const WRITE_CHUNK = 2000;
/** Rows per insert statement on PostgreSQL (8 parameters a row). */
const PG_INSERT_ROWS = 500;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Text in SQLite's order (bytes) on both: PostgreSQL's follows the database's collation unless told. */
const byBytes = (store: Store, column: SQLWrapper): SQLWrapper =>
  store.dialect === "pg" ? sql`${column} collate "C"` : column;

/** Who a listing is for, and on which database: the server's (SQLite) deps, or any store. */
export type SummaryDeps = Pick<Deps, "store" | "log">;

const storeOfDeps = (deps: SummaryDeps): Store => deps.store;

/** Ids of up to `limit` documents of the project whose summary is missing or stale, in id order. */
function* staleIds(store: Store, projectId: number, limit?: number): Gen<number[]> {
  const { curationStamps, curationSummaries, documents } = store.t;
  const stampOf = sql<number>`coalesce(${curationStamps.n}, 0)`;
  const q = store.q
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
  return (yield* all(limit === undefined ? q : q.limit(limit))).map((r) => r.id);
}

/** The figures of some documents, with their current stamps (read them in one snapshot: sync, or a transaction). */
function* summaryRows(store: Store, ids: number[]): Gen<SummaryRow[]> {
  if (ids.length === 0) return [];
  const { annotations, curationStamps, goldRejections } = store.t;
  const stamps = new Map(
    (yield* all(
      store.q
        .select({ id: curationStamps.documentId, n: curationStamps.n })
        .from(curationStamps)
        .where(inArray(curationStamps.documentId, ids)),
    )).map((r) => [r.id, r.n]),
  );
  const layersByDoc = yield* annotatorLayers(store, ids);
  const gold = new Map<number, Span[]>();
  for (const r of yield* all(
    store.q
      .select()
      .from(annotations)
      .where(and(inArray(annotations.documentId, ids), eq(annotations.layer, "gold")))
      // the primary key's order, SQLite's: PostgreSQL promises none without it
      .orderBy(asc(annotations.documentId), asc(byBytes(store, annotations.spanId))),
  )) {
    const list = gold.get(r.documentId) ?? [];
    list.push(spanOfRow(r));
    gold.set(r.documentId, list);
  }
  const rejected = new Map<number, string[]>();
  for (const r of yield* all(
    store.q
      .select({ documentId: goldRejections.documentId, key: goldRejections.key })
      .from(goldRejections)
      .where(inArray(goldRejections.documentId, ids))
      .orderBy(asc(goldRejections.documentId), asc(byBytes(store, goldRejections.key))),
  )) {
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

/** The figures of every document of the project whose summary is missing or stale (inside a snapshot). */
function* staleRows(store: Store, projectId: number): Gen<SummaryRow[]> {
  const ids = yield* staleIds(store, projectId);
  const out: SummaryRow[] = [];
  for (let i = 0; i < ids.length; i += CHUNK)
    out.push(...(yield* summaryRows(store, ids.slice(i, i + CHUNK))));
  return out;
}

/**
 * Runs `body` on one read snapshot: a transaction (SQLite's is one snapshot; on PostgreSQL a repeatable
 * read one, read-only).
 */
function snapshot<T>(body: (tx: Store) => Gen<T>): Gen<T> {
  return transaction(function* (tx) {
    if (tx.dialect === "pg")
      yield* run(
        (tx.q as unknown as PgDb).execute(
          sql`set transaction isolation level repeatable read, read only`,
        ) as unknown as { run(): unknown },
      );
    return yield* body(tx);
  });
}

/**
 * The figures of every document of the project whose summary is missing or stale, read in one snapshot
 * (the worker thread's job; a read-only connection).
 */
export function projectSummaries(_store: Store, projectId: number): Gen<SummaryRow[]> {
  return snapshot((tx) => staleRows(tx, projectId));
}

/** `projectSummaries` on a SQLite database, synchronously. */
export function computeProjectSummaries(db: Db, projectId: number): SummaryRow[] {
  return callSync(db, projectSummaries, projectId);
}

/**
 * The summary upsert on SQLite, prepared once per database: raw SQL, as the projection writes are —
 * drizzle's builder costs ≈65 µs a row here, 10,000 rows ≈0.7 s of event loop; this ≈3 µs.
 */
const upsertSummary = perStore((store) =>
  store.dialect === "sqlite"
    ? store.sqlite.prepare<[number, number, number, number, number, number, number, number]>(
        "INSERT INTO curation_summaries (document_id, stamp, annotators, annotated_layers, disagreements, open, gold_spans, project_id) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET stamp = excluded.stamp, " +
          "annotators = excluded.annotators, annotated_layers = excluded.annotated_layers, disagreements = excluded.disagreements, " +
          "open = excluded.open, gold_spans = excluded.gold_spans, project_id = excluded.project_id",
      )
    : null,
);

/**
 * Stores rows `from`…`to` (exclusive) of `rows` (SummaryRows, or packed: ROW numbers each) in one
 * transaction. A row computed at an older stamp than now is stored as stale.
 */
function* upsertRows(
  store: Store,
  projectId: number,
  at: (i: number) => SummaryRow,
  from: number,
  to: number,
): Gen<void> {
  if (to <= from) return;
  if (store.dialect === "sqlite") {
    // synchronous on SQLite: the prepared statement in one better-sqlite3 transaction, as before
    const upsert = upsertSummary(store)!;
    store.sqlite.transaction(() => {
      for (let i = from; i < to; i++) upsert.run(...at(i), projectId);
    })();
    return;
  }
  yield* transaction(function* (tx) {
    const { curationSummaries: t } = tx.t;
    for (let i = from; i < to; i += PG_INSERT_ROWS) {
      const values = [];
      for (let j = i; j < Math.min(to, i + PG_INSERT_ROWS); j++) {
        const [documentId, stamp, annotators, annotatedLayers, disagreements, open, goldSpans] = at(j);
        values.push({
          documentId,
          stamp,
          annotators,
          annotatedLayers,
          disagreements,
          open,
          goldSpans,
          projectId,
        });
      }
      yield* run(
        tx.q
          .insert(t)
          .values(values)
          .onConflictDoUpdate({
            target: t.documentId,
            set: {
              stamp: sql`excluded.stamp`,
              annotators: sql`excluded.annotators`,
              annotatedLayers: sql`excluded.annotated_layers`,
              disagreements: sql`excluded.disagreements`,
              open: sql`excluded.open`,
              goldSpans: sql`excluded.gold_spans`,
              projectId: sql`excluded.project_id`,
            },
          }),
      );
    }
  });
}

/** Stores computed figures (one transaction). A row computed at an older stamp than now is stored as stale. */
export function storeSummaryRows(store: Store, projectId: number, rows: SummaryRow[]): Gen<void> {
  return upsertRows(store, projectId, (i) => rows[i]!, 0, rows.length);
}

/** `storeSummaryRows` on a SQLite database, synchronously. */
export function writeRows(db: Db, projectId: number, rows: SummaryRow[]): void {
  callSync(db, storeSummaryRows, projectId, rows);
}

/** Computes and stores the summaries of some documents now. */
function* summarise(store: Store, projectId: number, ids: number[]): Gen<void> {
  for (let i = 0; i < ids.length; i += CHUNK)
    yield* storeSummaryRows(store, projectId, yield* summaryRows(store, ids.slice(i, i + CHUNK)));
}

/**
 * Brings the project's summaries up to date on this thread (no worker: an in-memory database), a chunk at
 * a time with a turn of the event loop between chunks; whatever went stale meanwhile is left to the caller.
 */
async function refreshHere(store: Store, projectId: number): Promise<void> {
  // bounded by the project's size when it started, not by how busy its editors are
  const rounds = Math.ceil((await execute(store, staleIds(store, projectId))).length / CHUNK);
  for (let round = 0; round < rounds; round++) {
    const ids = await execute(store, staleIds(store, projectId, CHUNK));
    if (ids.length === 0) return;
    await execute(store, summarise(store, projectId, ids));
    await yieldToLoop();
  }
}

/** A document's curation status ('todo' without a row). */
const statusOf = (store: Store) =>
  sql<"todo" | "in_progress" | "done">`coalesce(${store.t.curations.status}, 'todo')`;

/** A page of the project's curation progress, read from fresh summaries (call with none stale). */
export function* curationPage(
  store: Store,
  access: ProjectAccess,
  query: ProjectCurationQuery,
): Gen<ProjectCurationDto> {
  const { curationSummaries, curations, documents } = store.t;
  const status = statusOf(store);
  const projectId = access.project.id;
  const filters = and(
    query.q ? containsText(store, documents.name, query.q) : undefined,
    query.status ? sql`${status} = ${query.status}` : undefined,
    query.open === "true" ? sql`${curationSummaries.open} > 0` : undefined,
    query.open === "false" ? eq(curationSummaries.open, 0) : undefined,
  );
  const order: SQL[] = {
    id: [asc(documents.id)],
    name: [asc(byBytes(store, documents.name)), asc(documents.id)],
    open: [desc(curationSummaries.open), asc(documents.id)],
    disagreements: [desc(curationSummaries.disagreements), asc(documents.id)],
  }[query.sort];
  const rows = yield* all(
    store.q
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
      .leftJoin(curations, eq(curations.documentId, documents.id))
      .where(and(eq(documents.projectId, projectId), filters))
      .orderBy(...order)
      .limit(query.limit)
      .offset(query.offset),
  );
  const changed = yield* documentsChangedAfterCuration(
    store,
    rows.map((r) => r.documentId),
  );
  // the project's figures and the filters' total in one pass (CASE sums: PostgreSQL has no sum of booleans;
  // its sums are bigints, read as numbers)
  const flag = (cond: SQL | undefined) =>
    sql<number>`coalesce(sum(case when ${cond ?? sql`1 = 1`} then 1 else 0 end), 0)`.mapWith(Number);
  const c = (yield* get(
    store.q
      .select({
        documents: count(),
        total: flag(filters),
        todo: flag(sql`${status} = 'todo'`),
        in_progress: flag(sql`${status} = 'in_progress'`),
        done: flag(sql`${status} = 'done'`),
        open: sql<number>`coalesce(sum(${curationSummaries.open}), 0)`.mapWith(Number),
        next: sql<
          number | null
        >`min(case when ${curationSummaries.open} > 0 and ${status} <> 'done' then ${documents.id} end)`,
      })
      .from(documents)
      .innerJoin(curationSummaries, eq(curationSummaries.documentId, documents.id))
      .leftJoin(curations, eq(curations.documentId, documents.id))
      .where(eq(documents.projectId, projectId)),
  )) ?? { documents: 0, total: 0, todo: 0, in_progress: 0, done: 0, open: 0, next: null };
  const next = c.next === null ? null : Number(c.next);

  return {
    documents: rows.map((r) => ({ ...r, changedAfterCuration: changed.has(r.documentId) })),
    total: c.total,
    nextDocumentId: next,
    nextDocumentName:
      next === null
        ? null
        : ((yield* get(
            store.q.select({ name: documents.name }).from(documents).where(eq(documents.id, next)),
          ))?.name ?? null),
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

/** Row i of a packed array. */
const packedRow = (packed: Float64Array, i: number): SummaryRow =>
  Array.from(packed.subarray(i * ROW, i * ROW + ROW)) as SummaryRow;

/** The worker's side of a listing (a read-only connection: it never writes). */
export function curationPageOrStale(
  _store: Store,
  access: ProjectAccess,
  query: ProjectCurationQuery,
): Gen<CurationPageAnswer> {
  return snapshot(function* (tx) {
    const stale = yield* staleRows(tx, access.project.id);
    return stale.length > 0 ? { stale: pack(stale) } : { page: yield* curationPage(tx, access, query) };
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
  deps: SummaryDeps,
  access: ProjectAccess,
  query: ProjectCurationQuery,
): Promise<ProjectCurationDto> {
  const store = storeOfDeps(deps);
  const projectId = access.project.id;
  const worker = agreementService(store, deps.log).worker;
  // the bulk of a cold listing may be a refresh that a bulk import started: wait for it, not twice the work
  await refreshing.get(databaseOf(store))?.get(projectId);
  if (worker) {
    for (let round = 0; round < ROUNDS; round++) {
      const answer = await worker.curationPage(access, query);
      if ("page" in answer) return answer.page;
      await storePacked(store, projectId, answer.stale);
    }
  } else await refreshSummaries(deps, projectId);
  // from here on one step (synchronous on SQLite): what is still stale (a few documents being edited) is
  // computed now, so every summary read below is fresh
  return execute(
    store,
    (function* () {
      yield* summarise(store, projectId, yield* staleIds(store, projectId));
      return yield* curationPage(store, access, query);
    })(),
  );
}

/** Stores packed rows from the worker, WRITE_CHUNK rows per transaction with a turn of the loop between. */
async function storePacked(store: Store, projectId: number, packed: Float64Array): Promise<void> {
  const rows = packed.length / ROW;
  const at = (i: number) => packedRow(packed, i);
  for (let i = 0; i < rows; i += WRITE_CHUNK) {
    const to = Math.min(rows, i + WRITE_CHUNK);
    if (store.dialect === "sqlite") executeSync(store, upsertRows(store, projectId, at, i, to));
    else await execute(store, upsertRows(store, projectId, at, i, to));
    await yieldToLoop();
  }
}

/** The running refresh of each project's summaries, per database (one at a time per project). */
const refreshing = new WeakMap<object, Map<number, Promise<void>>>();

/**
 * Brings a project's stale summaries up to date: computed in the worker thread and stored here in chunks
 * (with no worker, computed here a chunk at a time). One refresh per project at a time: a listing that
 * arrives while one runs (after a bulk import, say) waits for it. Whatever is edited meanwhile is left to
 * the next listing.
 */
export function refreshSummaries(deps: SummaryDeps, projectId: number): Promise<void> {
  const store = storeOfDeps(deps);
  const key = databaseOf(store);
  let running = refreshing.get(key);
  if (!running) {
    running = new Map();
    refreshing.set(key, running);
  }
  const current = running.get(projectId);
  if (current) return current;
  const worker = agreementService(store, deps.log).worker;
  const job = (async () => {
    if (!worker) return refreshHere(store, projectId);
    // one round: what was edited while it ran is stored stale (at its old stamp) and left to the next listing
    await storePacked(store, projectId, await worker.staleSummaries(projectId));
  })().finally(() => running.delete(projectId));
  running.set(projectId, job);
  return job;
}

/**
 * After a bulk change (an import): refreshes the project's summaries in the worker thread, in the
 * background, so that the first curation listing finds them fresh. Not without a worker (an in-memory
 * database): the listing refreshes then. A failure (the server closing, say) is only logged.
 */
export function warmSummaries(deps: SummaryDeps, projectId: number): void {
  if (!agreementService(storeOfDeps(deps), deps.log).worker) return;
  refreshSummaries(deps, projectId).catch((err) =>
    deps.log.debug("curation: background refresh of summaries stopped", {
      project: projectId,
      err: String(err),
    }),
  );
}

/** The worker's side of a refresh: the stale summaries of a project, packed (a read-only connection). */
export function* staleSummaries(store: Store, projectId: number): Gen<Float64Array> {
  return pack(yield* projectSummaries(store, projectId));
}
