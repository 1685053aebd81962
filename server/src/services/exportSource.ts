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
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { projects } from "../db/schema";

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

/** id, name, meta, text, sha256 (raw rows of the page queries). */
type DocRow = [number, string, string, string, string];
/** document_id, layer, span_id, start, end, label_id, author, note, extra, created_at, updated_at. */
type SpanRow = [
  number,
  string,
  string,
  number,
  number,
  number,
  number | null,
  string | null,
  string | null,
  number,
  number | null,
];
interface RelationRow {
  document_id: number;
  layer: string;
  relation_id: string;
  from_span: string;
  to_span: string;
  type: string;
  author: number | null;
  created_at: number;
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

/** Opens the source for a project, or null when the project does not exist. */
export function openSource(
  db: Db,
  projectId: number,
  q: ExportQuery,
  opts: SourceOptions = {},
): ExportSource | null {
  const sqlite = db.$client;
  const project = db
    .select({ name: projects.name, relationTypes: projects.relationTypes })
    .from(projects)
    .where(eq(projects.id, projectId))
    .get();
  if (!project) return null;
  const labelRows = sqlite
    .prepare(`SELECT id, name FROM labels WHERE project_id = ? ORDER BY "order", id`)
    .all(projectId) as Array<{ id: number; name: string }>;
  const labelName = new Map(labelRows.map((l) => [l.id, l.name]));
  const skipped = emptySkipped();
  const skippedRooms = new Map<string, number>();
  const seenBad = new Set<string>();
  let pages = 0;
  const wanted = q.labels
    ? new Set(labelRows.filter((l) => q.labels!.includes(l.name)).map((l) => l.id))
    : null;

  const layer = q.layer;
  const annotatorLayers = layer === "all" || layer === "majority";
  const userId = layer.startsWith("user-") ? Number(layer.slice(5)) : null;
  const params: Record<string, unknown> = { project: projectId, layer, user: userId };
  const where = ["d.project_id = @project"];
  if (q.documents) {
    where.push("d.id IN (SELECT value FROM json_each(@documents))");
    params.documents = JSON.stringify(q.documents);
  }
  if (q.status) params.status = JSON.stringify(q.status);
  if (userId !== null) {
    // an annotator's layer covers the documents assigned to them or that they annotated
    where.push(
      "(EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id AND a.user_id = @user) OR EXISTS (SELECT 1 FROM annotations x WHERE x.document_id = d.id AND x.layer = @layer))",
    );
    if (q.status) {
      where.push(
        "COALESCE((SELECT a.status FROM assignments a WHERE a.document_id = d.id AND a.user_id = @user), 'todo') IN (SELECT value FROM json_each(@status))",
      );
    }
  } else if (annotatorLayers) {
    where.push(
      "(EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id) OR EXISTS (SELECT 1 FROM annotations x WHERE x.document_id = d.id AND x.layer LIKE 'user-%'))",
    );
  }
  if (q.status && (layer === "gold" || layer === "shared" || layer === "majority")) {
    where.push(
      "COALESCE((SELECT c.status FROM curations c WHERE c.document_id = d.id), 'todo') IN (SELECT value FROM json_each(@status))",
    );
  }
  const baseCond = where.join(" AND ");
  // a gold export holds curated documents only, unless asked otherwise (or filtered by status explicitly)
  const curatedOnly = layer === "gold" && !q.status && !q.includeUncurated;
  if (curatedOnly) {
    where.push("COALESCE((SELECT c.status FROM curations c WHERE c.document_id = d.id), 'todo') = 'done'");
  }
  const cond = where.join(" AND ");
  // `+` keeps SQLite off the (project_id, …) indexes for the page query: with them it re-scans and sorts
  // every document of the project for each page (quadratic); by rowid it seeks straight to `id > @after`
  const pageCond = ["+d.project_id = @project", ...where.slice(1)].join(" AND ");
  const bind = (extra: Record<string, unknown> = {}) => {
    const all = { ...params, ...extra };
    // better-sqlite3 refuses named parameters the statement does not use
    return (sql: string) => Object.fromEntries(Object.entries(all).filter(([k]) => sql.includes(`@${k}`)));
  };
  const countSql = `SELECT COUNT(*) AS n FROM documents d WHERE ${cond}`;
  const baseCountSql = `SELECT COUNT(*) AS n FROM documents d WHERE ${baseCond}`;
  const textsSql =
    "SELECT id, text FROM documents WHERE id IN (SELECT value FROM json_each(@only)) ORDER BY id";
  const idsSql = `SELECT d.id FROM documents d WHERE ${cond} ORDER BY d.id`;
  const pageSql = `SELECT d.id, d.name, d.meta, d.text, d.sha256 FROM documents d WHERE ${pageCond} AND d.id > @after ORDER BY d.id LIMIT ${PAGE}`;
  const onlySql = `SELECT d.id, d.name, d.meta, d.text, d.sha256 FROM documents d WHERE ${pageCond} AND d.id IN (SELECT value FROM json_each(@only)) ORDER BY d.id`;
  const layerCond = annotatorLayers ? "layer LIKE 'user-%'" : "layer = @layer";
  const spansSql = `SELECT document_id, layer, span_id, start, "end", label_id, author, note, extra, created_at, updated_at FROM annotations WHERE document_id IN (SELECT value FROM json_each(@ids)) AND ${layerCond} ORDER BY document_id, layer, start, "end" DESC, span_id`;
  const relsSql = `SELECT document_id, layer, relation_id, from_span, to_span, type, author, created_at FROM annotation_relations WHERE document_id IN (SELECT value FROM json_each(@ids)) AND ${layerCond} ORDER BY document_id, layer, created_at, relation_id`;
  const assignSql = `SELECT document_id, user_id, status FROM assignments WHERE document_id IN (SELECT value FROM json_each(@ids))`;
  const statesSql = `SELECT document_id, layer FROM layer_states WHERE document_id IN (SELECT value FROM json_each(@ids)) AND layer LIKE 'user-%'`;
  const stmt = (sql: string, raw = false) => {
    const s = sqlite.prepare(sql);
    if (raw) s.raw(true); // arrays, not objects: the hot queries allocate less
    return { all: (extra: Record<string, unknown> = {}) => s.all(bind(extra)(sql)) };
  };
  const q1 = {
    count: stmt(countSql),
    baseCount: stmt(baseCountSql),
    texts: stmt(textsSql),
    ids: stmt(idsSql),
    page: stmt(pageSql, true),
    only: stmt(onlySql, true),
    spans: stmt(spansSql, true),
    rels: stmt(relsSql),
    assign: stmt(assignSql),
    states: stmt(statesSql),
  };

  const toSpan = (r: SpanRow): ExportSpan => ({
    id: r[2],
    start: r[3],
    end: r[4],
    label: labelName.get(r[5])!, // checked by storedSpanProblem
    author: r[6],
    note: r[7],
    extra: parseObject(r[8]),
    createdAt: r[9],
    updatedAt: r[10],
  });
  const toRelation = (r: RelationRow): ExportRelation => ({
    id: r.relation_id,
    from: r.from_span,
    to: r.to_span,
    type: r.type,
    author: r.author,
    createdAt: r.created_at,
  });

  /** Builds the records of one page of documents. */
  function* pageRecords(docs: DocRow[]): Generator<ExportRecord> {
    if (!docs.length) return;
    const ids = { ids: JSON.stringify(docs.map((d) => d[0])) };
    const key = (doc: number, l: string) => `${doc}\u0000${l}`;
    const textOf = new Map(docs.map((d) => [d[0], d[3]]));
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
    for (const r of q1.spans.all(ids) as SpanRow[]) {
      const k = key(r[0], r[1]);
      const why = storedSpanProblem(r[3], r[4], r[5], textOf.get(r[0]) ?? "", labelName);
      if (why !== null) {
        skip(r[0], r[1], `span ${r[2]}`, why);
        continue;
      }
      const ok = sound.get(k) ?? new Set<string>();
      ok.add(r[2]);
      sound.set(k, ok);
      if (wanted && !wanted.has(r[5])) continue;
      const list = spans.get(k) ?? [];
      list.push(toSpan(r));
      spans.set(k, list);
    }
    const relations = new Map<string, ExportRelation[]>();
    for (const r of q1.rels.all(ids) as RelationRow[]) {
      const k = key(r.document_id, r.layer);
      const why = storedRelationProblem(r.from_span, r.to_span, sound.get(k) ?? new Set<string>());
      if (why !== null) {
        skip(r.document_id, r.layer, `relation ${r.relation_id}`, why);
        continue;
      }
      const list = relations.get(k) ?? [];
      list.push(toRelation(r));
      relations.set(k, list);
    }
    const layersOf = new Map<number, Map<string, string>>(); // doc → annotator layer → assignment status
    if (annotatorLayers) {
      const add = (doc: number, l: string, status?: string) => {
        const m = layersOf.get(doc) ?? new Map<string, string>();
        if (status || !m.has(l)) m.set(l, status ?? "todo");
        layersOf.set(doc, m);
      };
      for (const a of q1.assign.all(ids) as Array<{ document_id: number; user_id: number; status: string }>) {
        add(a.document_id, `user-${a.user_id}`, a.status);
      }
      for (const s of q1.states.all(ids) as Array<{ document_id: number; layer: string }>)
        add(s.document_id, s.layer);
      for (const k of [...spans.keys(), ...relations.keys()]) {
        const [doc, l] = k.split("\u0000");
        add(Number(doc), l!);
      }
    }
    for (const [id, name, meta, text, sha256] of docs) {
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

  return {
    projectName: project.name,
    labels: labelRows.map((l) => l.name),
    relationTypes: project.relationTypes,
    count: () => (q1.count.all()[0] as { n: number }).n,
    documentIds: () => (q1.ids.all() as Array<{ id: number }>).map((r) => r.id),
    uncuratedExcluded: () =>
      curatedOnly ? (q1.baseCount.all()[0] as { n: number }).n - (q1.count.all()[0] as { n: number }).n : 0,
    skipped,
    skippedRooms,
    get pages() {
      return pages;
    },
    *texts(only) {
      for (let i = 0; i < only.length; i += PAGE) {
        if (opts.signal?.aborted) return;
        const rows = q1.texts.all({ only: JSON.stringify(only.slice(i, i + PAGE)) });
        yield* rows as Array<{ id: number; text: string }>;
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
          yield* pageRecords(
            page(q1.only.all({ only: JSON.stringify(only.slice(i, i + PAGE)) }) as DocRow[]),
          );
        }
        return;
      }
      let after = 0;
      for (;;) {
        if (opts.signal?.aborted) return;
        const docs = q1.page.all({ after }) as DocRow[];
        if (!docs.length) return;
        yield* pageRecords(page(docs));
        after = docs[docs.length - 1]![0];
      }
    },
  };
}
