/**
 * The export's record source: documents of a project (filtered by id, layer membership and status) with
 * their spans and relations from the projection tables, as neutral `ExportRecord`s, page by page. Every
 * page is read in one step (see services/export.ts for why no cursor stays open).
 *
 * The records come out of plain generators that the export's encoders iterate; a page's reads are handed
 * up through them as a `Read` (a service over the store), which whoever pulls the export runs — at once on
 * SQLite (executeSync: the same synchronous step as before), awaited on PostgreSQL — before pulling on.
 */
import {
  countSkip,
  type ExportQuery,
  type ExportRecord,
  type ExportRelation,
  type ExportSpan,
  emptySkipped,
  majorityVote,
  type SkippedRows,
  storedRelationProblem,
  storedSpanProblem,
} from "@gloss/shared";
import {
  and,
  asc,
  count,
  desc,
  eq,
  exists,
  gt,
  inArray,
  like,
  or,
  type Placeholder,
  type SQL,
  type SQLWrapper,
  sql,
} from "drizzle-orm";
import { relationOfRow } from "../db/rows";
import type { annotationRelations, annotations } from "../db/schema";
import { all, allWith, executeSync, type Gen, get, inIds, type Params, type Store } from "../db/store";

/**
 * A read the source needs before it can go on, handed up through the generators that iterate it: the
 * puller runs it (`yield* read.run()` inside its own service) and pulls again; the source then takes its
 * answer (or its failure) where it left off.
 */
export class Read<T = unknown> {
  private outcome: { ok: true; value: T } | { ok: false; err: unknown } | null = null;
  constructor(private readonly gen: Gen<T>) {}

  /** Runs the read inside the puller's service; a failure is kept for the source to rethrow. */
  *run(): Gen<void> {
    try {
      this.outcome = { ok: true, value: yield* this.gen };
    } catch (err) {
      this.outcome = { ok: false, err };
    }
  }

  /** The answer (the source's side). */
  take(): T {
    const o = this.outcome;
    if (!o) throw new Error("export: a read was not run before its source went on");
    if (!o.ok) throw o.err;
    return o.value;
  }
}

/** Hands `gen` up to the puller and returns its answer: `yield* read(gen)` inside a source generator. */
export function* read<T>(gen: Gen<T>): Generator<Read, T, unknown> {
  const r = new Read(gen);
  yield r;
  return r.take();
}

/** A stream of values with the reads it needs between them. */
export type Reading<T> = Iterable<T | Read>;

/**
 * The next value of `it` as a service: runs every read it hands up until it yields a value (or ends).
 * Run with executeSync on SQLite, execute on PostgreSQL.
 */
export function* nextOf<T>(it: Iterator<T | Read>): Gen<IteratorResult<T, unknown>> {
  for (;;) {
    const step = it.next();
    if (!step.done && step.value instanceof Read) {
      yield* step.value.run();
      continue;
    }
    return step as IteratorResult<T, unknown>;
  }
}

/** A reading stream as a plain synchronous one, its reads run as they come (SQLite only). */
export function* settled<T>(store: Store, stream: Reading<T>): Generator<T> {
  if (store.dialect !== "sqlite") throw new Error("export: only a SQLite export can be read synchronously");
  const it = stream[Symbol.iterator]();
  try {
    for (;;) {
      const step = executeSync(store, nextOf(it));
      if (step.done) return;
      yield step.value;
    }
  } finally {
    it.return?.();
  }
}

/** Documents per page: bounds memory (texts of one page) and the size of each synchronous step. */
export const PAGE = 200;

export interface ExportSource {
  projectName: string;
  /** Label names in display order. */
  labels: string[];
  relationTypes: string[];
  /** Documents in the selection. */
  count(): Gen<number>;
  /** Their ids, ascending (for splits). */
  documentIds(): Gen<number[]>;
  /** Records of the selection (or of `only`, ascending ids within it), in document id order. */
  records(only?: readonly number[]): Generator<ExportRecord | Read>;
  /** Id and text of documents (for planning a split by sentence); no spans are read. */
  texts(ids: readonly number[]): Generator<{ id: number; text: string } | Read>;
  /**
   * Documents left out because their curation is not done (the default of a gold export without a
   * status filter; 0 with `includeUncurated` or an explicit status filter).
   */
  uncuratedExcluded(): Gen<number>;
  /** Stored rows skipped as unsound (each counted once however often a page is re-read), and why. */
  readonly skipped: SkippedRows;
  /** Rooms (`doc/<id>/<layer>`) of the skipped rows, with how many each. */
  readonly skippedRooms: Map<string, number>;
  /** Pages read so far (documents pages: every pass, every split). */
  readonly pages: number;
}

export interface SourceOptions {
  /** Checked before every page: once aborted, `records()` stops reading and returns. */
  signal?: AbortSignal;
  /** Called after every page is read (for counters). */
  onPage?: () => void;
}

const parseObject = (s: string | null): Record<string, unknown> | null => {
  if (!s) return null;
  try {
    const v = JSON.parse(s);
    return v && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
};

/** A document's curation status ('todo' without a row). */
const curationOf = (store: Store) => {
  const { curations, documents } = store.t;
  return sql`coalesce(${store.q.select({ s: curations.status }).from(curations).where(eq(curations.documentId, documents.id))}, 'todo')`;
};

/** Text in SQLite's order (bytes) on both: PostgreSQL's follows the database's collation unless told. */
const byBytes = (store: Store, column: SQLWrapper): SQLWrapper =>
  store.dialect === "pg" ? sql`${column} collate "C"` : column;

/** A list of ids for an `inIds` placeholder: JSON on SQLite, the array on PostgreSQL. */
export const idsParam = (store: Store, ids: readonly number[]): unknown =>
  store.dialect === "pg" ? [...ids] : JSON.stringify(ids);

/**
 * A query run many times with other values: SQLite's prepared statement (prepared per export, as the
 * filters make its text), PostgreSQL's query as built (drizzle binds the placeholders at each run).
 */
const prepared = <Q extends { prepare(): unknown }>(store: Store, query: Q): ReturnType<Q["prepare"]> =>
  (store.dialect === "pg" ? query : query.prepare()) as ReturnType<Q["prepare"]>;

/**
 * Which documents the query selects: `base` (project, ids, layer membership, status filter), `cond` (base,
 * plus curated-only for a gold export by default) and `page` (cond over rowid order, see below).
 */
function selection(store: Store, projectId: number, q: ExportQuery) {
  const { annotations, assignments, documents } = store.t;
  const db = store.q;
  const layer = q.layer;
  const annotatorLayers = layer === "all" || layer === "majority";
  const userId = layer.startsWith("user-") ? Number(layer.slice(5)) : null;
  const assigned = (...more: SQL[]) =>
    exists(
      db
        .select({ x: sql`1` })
        .from(assignments)
        .where(and(eq(assignments.documentId, documents.id), ...more)),
    );
  const annotated = (layerCond: SQL) =>
    exists(
      db
        .select({ x: sql`1` })
        .from(annotations)
        .where(and(eq(annotations.documentId, documents.id), layerCond)),
    );
  const filters: SQL[] = [];
  // one bound array, however many ids were asked for (no SQLite parameter limit)
  if (q.documents) filters.push(inIds(store, documents.id, q.documents));
  if (userId !== null) {
    // an annotator's layer covers the documents assigned to them or that they annotated
    filters.push(or(assigned(eq(assignments.userId, userId)), annotated(eq(annotations.layer, layer)))!);
    if (q.status) {
      const status = db
        .select({ s: assignments.status })
        .from(assignments)
        .where(and(eq(assignments.documentId, documents.id), eq(assignments.userId, userId)));
      filters.push(inArray(sql`coalesce(${status}, 'todo')`, q.status));
    }
  } else if (annotatorLayers) {
    filters.push(or(assigned(), annotated(like(annotations.layer, "user-%")))!);
  }
  if (q.status && (layer === "gold" || layer === "shared" || layer === "majority"))
    filters.push(inArray(curationOf(store), q.status));
  // a gold export holds curated documents only, unless asked otherwise (or filtered by status explicitly)
  const curatedOnly = layer === "gold" && !q.status && !q.includeUncurated;
  if (curatedOnly) filters.push(sql`${curationOf(store)} = 'done'`);
  const base = and(eq(documents.projectId, projectId), ...(curatedOnly ? filters.slice(0, -1) : filters))!;
  return {
    annotatorLayers,
    curatedOnly,
    base,
    cond: and(eq(documents.projectId, projectId), ...filters)!,
    // `+` keeps SQLite off the (project_id, …) indexes for the page query: with them it re-scans and sorts
    // every document of the project for each page (quadratic); by rowid it seeks straight to `id > @after`
    page: and(
      store.dialect === "pg"
        ? eq(documents.projectId, projectId)
        : sql`+${documents.projectId} = ${projectId}`,
      ...filters,
    )!,
  };
}

/** The prepared reads of one export (bound per page: no statement is iterated across an await). */
function prepareReads(store: Store, projectId: number, q: ExportQuery) {
  const { annotationRelations, annotations, assignments, documents, labels, layerStates } = store.t;
  const db = store.q;
  const sel = selection(store, projectId, q);
  const layerCond = <T extends typeof annotations | typeof annotationRelations>(t: T) =>
    sel.annotatorLayers ? like(t.layer, "user-%") : eq(t.layer, q.layer);
  const ids = (column: SQLWrapper, name: string) =>
    inIds(store, column, sql.placeholder(name) as Placeholder);
  const docColumns = {
    id: documents.id,
    name: documents.name,
    meta: documents.meta,
    text: documents.text,
    sha256: documents.sha256,
  };
  const n = { n: count() };
  return {
    sel,
    labels: db
      .select({ id: labels.id, name: labels.name })
      .from(labels)
      .where(eq(labels.projectId, projectId))
      .orderBy(asc(labels.order), asc(labels.id)),
    count: db.select(n).from(documents).where(sel.cond),
    baseCount: db.select(n).from(documents).where(sel.base),
    ids: db.select({ id: documents.id }).from(documents).where(sel.cond).orderBy(asc(documents.id)),
    texts: prepared(
      store,
      db
        .select({ id: documents.id, text: documents.text })
        .from(documents)
        .where(ids(documents.id, "only"))
        .orderBy(asc(documents.id)),
    ),
    page: prepared(
      store,
      db
        .select(docColumns)
        .from(documents)
        .where(and(sel.page, gt(documents.id, sql.placeholder("after"))))
        .orderBy(asc(documents.id))
        .limit(PAGE),
    ),
    only: prepared(
      store,
      db
        .select(docColumns)
        .from(documents)
        .where(and(sel.page, ids(documents.id, "only")))
        .orderBy(asc(documents.id)),
    ),
    spans: prepared(
      store,
      db
        .select()
        .from(annotations)
        .where(and(ids(annotations.documentId, "ids"), layerCond(annotations)))
        .orderBy(
          asc(annotations.documentId),
          asc(byBytes(store, annotations.layer)),
          asc(annotations.start),
          desc(annotations.end),
          asc(byBytes(store, annotations.spanId)),
        ),
    ),
    relations: prepared(
      store,
      db
        .select()
        .from(annotationRelations)
        .where(and(ids(annotationRelations.documentId, "ids"), layerCond(annotationRelations)))
        .orderBy(
          asc(annotationRelations.documentId),
          asc(byBytes(store, annotationRelations.layer)),
          asc(annotationRelations.createdAt),
          asc(byBytes(store, annotationRelations.relationId)),
        ),
    ),
    assignments: prepared(
      store,
      db
        .select({
          documentId: assignments.documentId,
          userId: assignments.userId,
          status: assignments.status,
        })
        .from(assignments)
        .where(ids(assignments.documentId, "ids")),
    ),
    states: prepared(
      store,
      db
        .select({ documentId: layerStates.documentId, layer: layerStates.layer })
        .from(layerStates)
        .where(and(ids(layerStates.documentId, "ids"), like(layerStates.layer, "user-%"))),
    ),
  };
}

type Reads = ReturnType<typeof prepareReads>;
type DocRow = ReturnType<Reads["page"]["all"]>[number];
type Rows<Q extends { all(p?: Params): unknown[] }> = ReturnType<Q["all"]>;
type SpanRow = typeof annotations.$inferSelect;

const toSpan = (r: SpanRow, label: string): ExportSpan => ({
  id: r.spanId,
  start: r.start,
  end: r.end,
  label,
  author: r.author,
  note: r.note,
  extra: parseObject(r.extra),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** Opens the source for a project, or null when the project does not exist. */
export function* openSource(
  store: Store,
  projectId: number,
  q: ExportQuery,
  opts: SourceOptions = {},
): Gen<ExportSource | null> {
  const { projects } = store.t;
  const project = yield* get(
    store.q
      .select({ name: projects.name, relationTypes: projects.relationTypes })
      .from(projects)
      .where(eq(projects.id, projectId)),
  );
  if (!project) return null;
  const reads = prepareReads(store, projectId, q);
  const labelRows = yield* all(reads.labels);
  const labelName = new Map(labelRows.map((l) => [l.id, l.name]));
  const skipped = emptySkipped();
  const skippedRooms = new Map<string, number>();
  const seenBad = new Set<string>();
  let pages = 0;
  const wanted = q.labels
    ? new Set(labelRows.filter((l) => q.labels!.includes(l.name)).map((l) => l.id))
    : null;
  const layer = q.layer;
  const { annotatorLayers, curatedOnly } = reads.sel;

  /** The rows one page of documents stands on, read in one step. */
  function* pageRows(docs: DocRow[]) {
    const ids = {
      ids: idsParam(
        store,
        docs.map((d) => d.id),
      ),
    };
    return {
      spans: (yield* allWith(reads.spans, ids)) as Rows<Reads["spans"]>,
      relations: (yield* allWith(reads.relations, ids)) as Rows<Reads["relations"]>,
      assignments: annotatorLayers
        ? ((yield* allWith(reads.assignments, ids)) as Rows<Reads["assignments"]>)
        : [],
      states: annotatorLayers ? ((yield* allWith(reads.states, ids)) as Rows<Reads["states"]>) : [],
    };
  }

  /** Builds the records of one page of documents. */
  function* pageRecords(docs: DocRow[]): Generator<ExportRecord | Read> {
    if (!docs.length) return;
    const rows = yield* read(pageRows(docs));
    const key = (doc: number, l: string) => `${doc}\u0000${l}`;
    const textOf = new Map(docs.map((d) => [d.id, d.text]));
    /** Counts an unsound row once per export (a Hugging Face export reads a page once per split and config). */
    const skip = (doc: number, l: string, row: string, why: Parameters<typeof countSkip>[1]) => {
      const id = `${doc}\u0000${l}\u0000${row}`;
      if (seenBad.has(id)) return;
      seenBad.add(id);
      countSkip(skipped, why);
      const room = `doc/${doc}/${l}`;
      skippedRooms.set(room, (skippedRooms.get(room) ?? 0) + 1);
    };
    const spans = new Map<string, ExportSpan[]>();
    /** Sound span ids per (document, layer), label filter or not: relations to them are not bad rows. */
    const sound = new Map<string, Set<string>>();
    for (const r of rows.spans) {
      const k = key(r.documentId, r.layer);
      const why = storedSpanProblem(r.start, r.end, r.labelId, textOf.get(r.documentId) ?? "", labelName);
      if (why !== null) {
        skip(r.documentId, r.layer, `span ${r.spanId}`, why);
        continue;
      }
      const ok = sound.get(k) ?? new Set<string>();
      ok.add(r.spanId);
      sound.set(k, ok);
      if (wanted && !wanted.has(r.labelId)) continue;
      const list = spans.get(k) ?? [];
      list.push(toSpan(r, labelName.get(r.labelId)!)); // the label is known: checked by storedSpanProblem
      spans.set(k, list);
    }
    const relations = new Map<string, ExportRelation[]>();
    for (const r of rows.relations) {
      const k = key(r.documentId, r.layer);
      const why = storedRelationProblem(r.fromSpan, r.toSpan, sound.get(k) ?? new Set<string>());
      if (why !== null) {
        skip(r.documentId, r.layer, `relation ${r.relationId}`, why);
        continue;
      }
      const list = relations.get(k) ?? [];
      list.push(relationOfRow(r));
      relations.set(k, list);
    }
    const layersOf = new Map<number, Map<string, string>>(); // doc → annotator layer → assignment status
    if (annotatorLayers) {
      const add = (doc: number, l: string, status?: string) => {
        const m = layersOf.get(doc) ?? new Map<string, string>();
        if (status || !m.has(l)) m.set(l, status ?? "todo");
        layersOf.set(doc, m);
      };
      for (const a of rows.assignments) add(a.documentId, `user-${a.userId}`, a.status);
      for (const s of rows.states) add(s.documentId, s.layer);
      for (const k of [...spans.keys(), ...relations.keys()]) {
        const [doc, l] = k.split("\u0000");
        add(Number(doc), l!);
      }
    }
    for (const { id, name, meta, text, sha256 } of docs) {
      const document = { id, name, meta: parseObject(meta) ?? {}, text, sha256 };
      const of = (l: string) => {
        const s = spans.get(key(id, l)) ?? [];
        const ids = new Set(s.map((x) => x.id));
        const r = (relations.get(key(id, l)) ?? []).filter((x) => ids.has(x.from) && ids.has(x.to));
        return { layer: l, spans: s, relations: r };
      };
      if (!annotatorLayers) {
        yield { document, ...of(layer) };
        continue;
      }
      const layers = [...(layersOf.get(id) ?? new Map<string, string>())].sort(
        ([a], [b]) => Number(a.slice(5)) - Number(b.slice(5)),
      );
      if (layer === "majority") {
        const vote = majorityVote(
          layers.map(([l]) => of(l)),
          layers.length,
        );
        yield { document, layer: "majority", ...vote };
        continue;
      }
      for (const [l, status] of layers) {
        if (q.status && !q.status.includes(status as "todo")) continue;
        yield { document, ...of(l) };
      }
    }
  }

  function* countOf(query: Reads["count"]): Gen<number> {
    return (yield* get(query))?.n ?? 0;
  }
  return {
    projectName: project.name,
    labels: labelRows.map((l) => l.name),
    relationTypes: project.relationTypes,
    count: () => countOf(reads.count),
    *documentIds() {
      return (yield* all(reads.ids)).map((r) => r.id);
    },
    *uncuratedExcluded() {
      return curatedOnly ? (yield* countOf(reads.baseCount)) - (yield* countOf(reads.count)) : 0;
    },
    skipped,
    skippedRooms,
    get pages() {
      return pages;
    },
    *texts(only) {
      for (let i = 0; i < only.length; i += PAGE) {
        if (opts.signal?.aborted) return;
        const part = { only: idsParam(store, only.slice(i, i + PAGE)) };
        yield* yield* read(allWith(reads.texts, part) as Gen<Rows<Reads["texts"]>>);
      }
    },
    *records(only) {
      const page = (docs: DocRow[]) => {
        pages++;
        opts.onPage?.();
        return docs;
      };
      if (only) {
        for (let i = 0; i < only.length; i += PAGE) {
          if (opts.signal?.aborted) return; // the client went away: read no further page
          const part = { only: idsParam(store, only.slice(i, i + PAGE)) };
          yield* pageRecords(page(yield* read(allWith(reads.only, part) as Gen<DocRow[]>)));
        }
        return;
      }
      let after = 0;
      for (;;) {
        if (opts.signal?.aborted) return;
        const docs = yield* read(allWith(reads.page, { after }) as Gen<DocRow[]>);
        if (!docs.length) return;
        yield* pageRecords(page(docs));
        after = docs[docs.length - 1]!.id;
      }
    },
  };
}
