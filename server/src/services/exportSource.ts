/**
 * The export's record source: documents of a project (filtered by id, layer membership and status) with
 * their spans and relations from the projection tables, as neutral `ExportRecord`s, page by page. Every
 * page is read in one synchronous step (see services/export.ts for why no cursor stays open).
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
import { and, asc, count, desc, eq, exists, gt, inArray, like, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { inJsonIds } from "../db/query";
import { relationOfRow } from "../db/rows";
import {
  annotationRelations,
  annotations,
  assignments,
  curations,
  documents,
  labels,
  layerStates,
  projects,
} from "../db/schema";

/** Documents per page: bounds memory (texts of one page) and the size of each synchronous step. */
export const PAGE = 200;

export interface ExportSource {
  projectName: string;
  /** Label names in display order. */
  labels: string[];
  relationTypes: string[];
  /** Documents in the selection. */
  count(): number;
  /** Their ids, ascending (for splits). */
  documentIds(): number[];
  /** Records of the selection (or of `only`, ascending ids within it), in document id order. */
  records(only?: readonly number[]): Generator<ExportRecord>;
  /** Id and text of documents (for planning a split by sentence); no spans are read. */
  texts(ids: readonly number[]): Generator<{ id: number; text: string }>;
  /**
   * Documents left out because their curation is not done (the default of a gold export without a
   * status filter; 0 with `includeUncurated` or an explicit status filter).
   */
  uncuratedExcluded(): number;
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
const curationOf = (db: Db) =>
  sql`coalesce(${db.select({ s: curations.status }).from(curations).where(eq(curations.documentId, documents.id))}, 'todo')`;

/**
 * Which documents the query selects: `base` (project, ids, layer membership, status filter), `cond` (base,
 * plus curated-only for a gold export by default) and `page` (cond over rowid order, see below).
 */
function selection(db: Db, projectId: number, q: ExportQuery) {
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
  // one bound JSON array, however many ids were asked for (no SQLite parameter limit)
  if (q.documents) filters.push(inJsonIds(documents.id, q.documents));
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
    filters.push(inArray(curationOf(db), q.status));
  // a gold export holds curated documents only, unless asked otherwise (or filtered by status explicitly)
  const curatedOnly = layer === "gold" && !q.status && !q.includeUncurated;
  if (curatedOnly) filters.push(sql`${curationOf(db)} = 'done'`);
  const base = and(eq(documents.projectId, projectId), ...(curatedOnly ? filters.slice(0, -1) : filters))!;
  return {
    annotatorLayers,
    curatedOnly,
    base,
    cond: and(eq(documents.projectId, projectId), ...filters)!,
    // `+` keeps SQLite off the (project_id, …) indexes for the page query: with them it re-scans and sorts
    // every document of the project for each page (quadratic); by rowid it seeks straight to `id > @after`
    page: and(sql`+${documents.projectId} = ${projectId}`, ...filters)!,
  };
}

/** The prepared reads of one export (bound per page: no statement is iterated across an await). */
function prepareReads(db: Db, projectId: number, q: ExportQuery) {
  const sel = selection(db, projectId, q);
  const layerCond = <T extends typeof annotations | typeof annotationRelations>(t: T) =>
    sel.annotatorLayers ? like(t.layer, "user-%") : eq(t.layer, q.layer);
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
      .orderBy(asc(labels.order), asc(labels.id))
      .prepare(),
    count: db.select(n).from(documents).where(sel.cond).prepare(),
    baseCount: db.select(n).from(documents).where(sel.base).prepare(),
    ids: db.select({ id: documents.id }).from(documents).where(sel.cond).orderBy(asc(documents.id)).prepare(),
    texts: db
      .select({ id: documents.id, text: documents.text })
      .from(documents)
      .where(inJsonIds(documents.id, sql.placeholder("only")))
      .orderBy(asc(documents.id))
      .prepare(),
    page: db
      .select(docColumns)
      .from(documents)
      .where(and(sel.page, gt(documents.id, sql.placeholder("after"))))
      .orderBy(asc(documents.id))
      .limit(PAGE)
      .prepare(),
    only: db
      .select(docColumns)
      .from(documents)
      .where(and(sel.page, inJsonIds(documents.id, sql.placeholder("only"))))
      .orderBy(asc(documents.id))
      .prepare(),
    spans: db
      .select()
      .from(annotations)
      .where(and(inJsonIds(annotations.documentId, sql.placeholder("ids")), layerCond(annotations)))
      .orderBy(
        asc(annotations.documentId),
        asc(annotations.layer),
        asc(annotations.start),
        desc(annotations.end),
        asc(annotations.spanId),
      )
      .prepare(),
    relations: db
      .select()
      .from(annotationRelations)
      .where(
        and(
          inJsonIds(annotationRelations.documentId, sql.placeholder("ids")),
          layerCond(annotationRelations),
        ),
      )
      .orderBy(
        asc(annotationRelations.documentId),
        asc(annotationRelations.layer),
        asc(annotationRelations.createdAt),
        asc(annotationRelations.relationId),
      )
      .prepare(),
    assignments: db
      .select({ documentId: assignments.documentId, userId: assignments.userId, status: assignments.status })
      .from(assignments)
      .where(inJsonIds(assignments.documentId, sql.placeholder("ids")))
      .prepare(),
    states: db
      .select({ documentId: layerStates.documentId, layer: layerStates.layer })
      .from(layerStates)
      .where(
        and(inJsonIds(layerStates.documentId, sql.placeholder("ids")), like(layerStates.layer, "user-%")),
      )
      .prepare(),
  };
}

type Reads = ReturnType<typeof prepareReads>;
type DocRow = ReturnType<Reads["page"]["all"]>[number];
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
export function openSource(
  db: Db,
  projectId: number,
  q: ExportQuery,
  opts: SourceOptions = {},
): ExportSource | null {
  const project = db
    .select({ name: projects.name, relationTypes: projects.relationTypes })
    .from(projects)
    .where(eq(projects.id, projectId))
    .get();
  if (!project) return null;
  const reads = prepareReads(db, projectId, q);
  const labelRows = reads.labels.all();
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

  /** Builds the records of one page of documents. */
  function* pageRecords(docs: DocRow[]): Generator<ExportRecord> {
    if (!docs.length) return;
    const ids = { ids: JSON.stringify(docs.map((d) => d.id)) };
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
    for (const r of reads.spans.all(ids)) {
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
    for (const r of reads.relations.all(ids)) {
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
      for (const a of reads.assignments.all(ids)) add(a.documentId, `user-${a.userId}`, a.status);
      for (const s of reads.states.all(ids)) add(s.documentId, s.layer);
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

  const countOf = (s: Reads["count"]) => s.get()?.n ?? 0;
  return {
    projectName: project.name,
    labels: labelRows.map((l) => l.name),
    relationTypes: project.relationTypes,
    count: () => countOf(reads.count),
    documentIds: () => reads.ids.all().map((r) => r.id),
    uncuratedExcluded: () => (curatedOnly ? countOf(reads.baseCount) - countOf(reads.count) : 0),
    skipped,
    skippedRooms,
    get pages() {
      return pages;
    },
    *texts(only) {
      for (let i = 0; i < only.length; i += PAGE) {
        if (opts.signal?.aborted) return;
        yield* reads.texts.all({ only: JSON.stringify(only.slice(i, i + PAGE)) });
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
          yield* pageRecords(page(reads.only.all({ only: JSON.stringify(only.slice(i, i + PAGE)) })));
        }
        return;
      }
      let after = 0;
      for (;;) {
        if (opts.signal?.aborted) return;
        const docs = reads.page.all({ after });
        if (!docs.length) return;
        yield* pageRecords(page(docs));
        after = docs[docs.length - 1]!.id;
      }
    },
  };
}
