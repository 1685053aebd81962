/**
 * A project's agreement report, read from the projection (`annotations`, `layer_states`, `documents`),
 * never from the Yjs store. Used by GET /api/projects/:id/agreement, `gloss agreement` and the benchmark.
 *
 * Built for 10,000 documents × 3 layers × 20 spans in well under 3 s: each layer's spans arrive as one
 * string from SQLite and go into typed arrays, bucketed by (document, layer) with a counting sort, and are
 * handed to the one-pass computation in shared/ as array views; a document's text is read (by primary key)
 * only when two or more layers took part in it.
 *
 * Written once for SQLite and PostgreSQL as a generator over the store (db/store.ts): `agreementReport`.
 * On SQLite it runs synchronously (executeSync), its two hot raw statements (a layer's packed spans, the
 * distinct layers) run directly on the connection as before; PostgreSQL packs a layer with `string_agg`.
 */
import {
  AgreementComputation,
  type AgreementDocument,
  type AgreementQuery,
  type AgreementReport,
  countSkip,
  emptySkipped,
  isLayerName,
  layerUserId,
  type SkippedRows,
  type SpanSet,
  sortSpanSet,
  storedSpanProblem,
} from "@gloss/shared";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { all, callSync, type Gen, get, getWith, inIds, perStore, prepare, type Store } from "../db/store";
import { badRequest } from "../errors";

/** The reads done per document or per layer of a report, prepared once per database. */
const statements = perStore((store) => {
  const { documents, users } = store.t;
  return {
    text: prepare(
      store,
      "agreement_document_text",
      store.q
        .select({ text: documents.text })
        .from(documents)
        .where(eq(documents.id, sql.placeholder("id"))),
    ),
    username: prepare(
      store,
      "agreement_username",
      store.q
        .select({ username: users.username })
        .from(users)
        .where(eq(users.id, sql.placeholder("id"))),
    ),
  };
});

/** Documents whose texts PostgreSQL reads at once. */
const TEXTS_AHEAD = 500;

export type ProjectAgreement = AgreementReport & { skippedRows: SkippedRows & { rooms: string[] } };

/**
 * The agreement report of a project for `query` (filters are validated: unknown labels or documents are a
 * 400). A layer takes part in a document when it has spans there or a recorded status (done with no spans).
 */
export function* agreementReport(
  store: Store,
  projectId: number,
  query: Partial<AgreementQuery> = {},
): Gen<ProjectAgreement> {
  const started = performance.now();
  const { labels: labelsTable } = store.t;
  const labels = yield* resolveLabels(store, projectId, query.labels);
  const projectLabels = new Set(
    (yield* all(
      store.q.select({ id: labelsTable.id }).from(labelsTable).where(eq(labelsTable.projectId, projectId)),
    )).map((l) => l.id),
  );
  const labelOf = new Map(labels.map((l, i) => [l.id, i + 1]));
  const layers = yield* resolveLayers(store, projectId, query);
  const docs = yield* resolveDocuments(store, projectId, query.documents);
  const spans = yield* loadSpans(store, projectId, layers, docs);
  const C = spans.layers;
  const skipped = emptySkipped();
  const rooms = new Map<string, number>();

  const readText = statements(store).text;
  /** PostgreSQL: the texts of the next TEXTS_AHEAD documents that need one, read in one query. */
  const ahead = new Map<number, string>();
  function* textOf(id: number): Gen<string | undefined> {
    if (store.dialect === "pg") return ahead.get(id);
    // SQLite: one prepared read by primary key, as it comes
    return (yield* getWith(readText, { id }))?.text;
  }
  const computation = new AgreementComputation({
    projectId,
    labels,
    coders: layers,
    minIou: query.minIou ?? 0,
    documentFilter: query.documents ?? null,
  });
  for (const [di, d] of docs.entries()) {
    if (store.dialect === "pg" && di % TEXTS_AHEAD === 0) {
      // a round trip per document would be most of a report's time on PostgreSQL
      ahead.clear();
      const ids = docs.slice(di, di + TEXTS_AHEAD).flatMap((doc, i) => {
        let present = 0;
        let spanned = false;
        for (let c = 0; c < layers.length; c++) {
          const b = (di + i) * C + c;
          if (!spans.took[b]) continue;
          present++;
          if (spans.first[b + 1]! > spans.first[b]!) spanned = true;
        }
        return spanned || present > 1 ? [doc.id] : [];
      });
      if (ids.length) {
        const { documents } = store.t;
        for (const r of yield* all(
          store.q
            .select({ id: documents.id, text: documents.text })
            .from(documents)
            .where(inIds(store, documents.id, ids)),
        ))
          ahead.set(r.id, r.text);
      }
    }
    const perLayer: Array<SpanSet | null> = [];
    let present = 0;
    let text: string | null = null;
    for (let c = 0; c < layers.length; c++) {
      if (!spans.took[di * C + c]) {
        perLayer.push(null);
        continue;
      }
      present++;
      const from = spans.first[di * C + c]!;
      const to = spans.first[di * C + c + 1]!;
      // every stored row passes the one check against its document before it reaches a typed array
      if (to > from) text ??= (yield* textOf(d.id)) ?? "";
      let kept = from;
      for (let i = from; i < to; i++) {
        const labelId = spans.label[i]!;
        const why = storedSpanProblem(spans.start[i], spans.end[i], labelId, text ?? "", projectLabels);
        if (why !== null) {
          countSkip(skipped, why);
          const room = `doc/${d.id}/${layers[c]!.layer}`;
          rooms.set(room, (rooms.get(room) ?? 0) + 1);
          continue;
        }
        const label = labelOf.get(labelId);
        if (label === undefined) continue; // outside the label filter: the layer still took part
        spans.start32[kept] = spans.start[i]!;
        spans.end32[kept] = spans.end[i]!;
        spans.label32[kept] = label;
        kept++;
      }
      perLayer.push(
        sortSpanSet({
          n: kept - from,
          start: spans.start32.subarray(from, kept),
          end: spans.end32.subarray(from, kept),
          label: spans.label32.subarray(from, kept),
        }),
      );
    }
    if (present === 0) continue;
    // the text is only needed where two or more layers meet
    const doc: AgreementDocument = {
      id: d.id,
      name: d.name,
      text: present > 1 ? (text ?? (yield* textOf(d.id)) ?? "") : "",
      layers: perLayer,
    };
    computation.addDocument(doc);
  }
  const report = computation.result();
  report.elapsedMs = Math.round(performance.now() - started);
  const list = [...rooms].slice(0, 20).map(([room, n]) => `${room} (${n})`);
  return { ...report, skippedRows: { ...skipped, rooms: list } };
}

/** `agreementReport` on a SQLite database, synchronously (the CLI, the benchmark). */
export function projectAgreement(
  db: Db,
  projectId: number,
  query: Partial<AgreementQuery> = {},
): ProjectAgreement {
  return callSync(db, agreementReport, projectId, query);
}

/**
 * Every compared layer's spans, bucketed by (document index × layers + layer index): bucket b is
 * start/end/label[first[b] … first[b + 1]], labels as indices ≥ 1 in label order; `took` marks the
 * (document, layer) pairs that took part (spans of any label, or a `layer_states` row).
 */
function* loadSpans(
  store: Store,
  projectId: number,
  layers: Array<{ layer: string }>,
  docs: Array<{ id: number }>,
) {
  const { layerStates } = store.t;
  const coderOf = new Map(layers.map((l, i) => [l.layer, i]));
  const docOf = new Map(docs.map((d, i) => [d.id, i]));
  const C = Math.max(1, layers.length);
  const buckets = docs.length * C;
  const took = new Uint8Array(buckets);

  const cols = new SpanColumns();
  for (const [c, l] of layers.entries()) {
    yield* readLayer(store, projectId, l.layer, (documentId, start, end, labelId) => {
      const d = docOf.get(documentId);
      if (d === undefined) return;
      took[d * C + c] = 1;
      // raw values (NaN for a non-integer): they are checked against the text per document
      cols.push(d * C + c, start, end, labelId);
    });
  }
  for (const { documentId, layer } of yield* all(
    store.q
      .select({ documentId: layerStates.documentId, layer: layerStates.layer })
      .from(layerStates)
      .where(eq(layerStates.projectId, projectId)),
  )) {
    const c = coderOf.get(layer);
    const d = docOf.get(documentId);
    if (c !== undefined && d !== undefined) took[d * C + c] = 1;
  }

  // counting sort by bucket
  const n = cols.length;
  const first = new Int32Array(buckets + 1);
  for (let i = 0; i < n; i++) first[cols.key[i]! + 1]! += 1;
  for (let b = 0; b < buckets; b++) first[b + 1]! += first[b]!;
  const next = first.slice(0, buckets);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = next[cols.key[i]!]!++;
    start[at] = cols.start[i]!;
    end[at] = cols.end[i]!;
    label[at] = cols.label[i]!;
  }
  // the checked spans, compacted per bucket (label as an index ≥ 1)
  const start32 = new Int32Array(n);
  const end32 = new Int32Array(n);
  const label32 = new Int32Array(n);
  return { layers: C, took, first, start, end, label, start32, end32, label32 };
}

/** Growable parallel columns: bucket key (document × layer), then the raw start, end and label id. */
class SpanColumns {
  length = 0;
  key = new Int32Array(1024);
  start = new Float64Array(1024);
  end = new Float64Array(1024);
  label = new Float64Array(1024);

  push(key: number, start: number, end: number, label: number): void {
    if (this.length === this.key.length) {
      const key = new Int32Array(this.length * 2);
      key.set(this.key);
      this.key = key;
      for (const col of ["start", "end", "label"] as const) {
        const next = new Float64Array(this.length * 2);
        next.set(this[col]);
        this[col] = next;
      }
    }
    this.key[this.length] = key;
    this.start[this.length] = start;
    this.end[this.length] = end;
    this.label[this.length] = label;
    this.length++;
  }
}

/**
 * Calls `each` for every span of one layer. Hot path, raw SQL on purpose: SQLite concatenates the layer's
 * rows into one string of integers, which is parsed here: crossing from SQLite to JavaScript once per layer
 * instead of once per row is what keeps 600,000 spans in the time budget (about 5× faster than iterating
 * rows). A layer too big for one SQLite string (over ~1 GB) falls back to iterating raw rows, which
 * drizzle's builder cannot do (it reads every row into objects at once). PostgreSQL's `string_agg` builds
 * the same string (its columns are integers: no hostile value to guard against), one answer per layer.
 */
function* readLayer(
  store: Store,
  projectId: number,
  layer: string,
  each: (documentId: number, start: number, end: number, labelId: number) => void,
): Gen<void> {
  let packed: string | null;
  if (store.dialect === "pg") {
    const { annotations } = store.t;
    packed =
      (yield* get(
        store.q
          .select({
            packed: sql<
              string | null
            >`string_agg(concat_ws(',', ${annotations.documentId}, ${annotations.start}, ${annotations.end}, ${annotations.labelId}), ',')`,
          })
          .from(annotations)
          .where(and(eq(annotations.projectId, projectId), eq(annotations.layer, layer))),
      ))?.packed ?? null;
  } else {
    // synchronous on SQLite (the driver answers at once), so the statement is run here directly
    const sqlite = store.sqlite;
    try {
      packed =
        sqlite
          .prepare<[number, string], string | null>(
            // a value that is not an integer (a hostile row) becomes "x": parsed as NaN, then skipped
            `SELECT group_concat(document_id || ',' || ${int("start")} || ',' || ${int('"end"')} || ',' || ${int("label_id")})
         FROM annotations WHERE project_id = ? AND layer = ?`,
          )
          .pluck()
          .get(projectId, layer) ?? null;
    } catch (err) {
      if (!/too big/i.test(String(err))) throw err;
      const rows = sqlite
        .prepare<[number, string], [number, number, number, number]>(
          'SELECT document_id, start, "end", label_id FROM annotations WHERE project_id = ? AND layer = ?',
        )
        .raw(true);
      const num = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? v : Number.NaN);
      for (const [d, s, e, l] of rows.iterate(projectId, layer)) each(d, num(s), num(e), num(l));
      return;
    }
  }
  if (!packed) return;
  parsePacked(packed, each);
}

/** Parses `d,s,e,l,d,s,e,l,…` (a field that is not an integer is NaN). */
function parsePacked(
  packed: string,
  each: (documentId: number, start: number, end: number, labelId: number) => void,
): void {
  const values = [0, 0, 0, 0];
  let field = 0;
  let value = 0;
  let negative = false;
  let bad = false;
  for (let i = 0; i <= packed.length; i++) {
    const ch = i < packed.length ? packed.charCodeAt(i) : 44;
    if (ch === 44 /* , */) {
      values[field] = bad ? Number.NaN : negative ? -value : value;
      value = 0;
      negative = false;
      bad = false;
      if (++field === 4) {
        each(values[0]!, values[1]!, values[2]!, values[3]!);
        field = 0;
      }
    } else if (ch === 45 /* - */) negative = true;
    else if (ch >= 48 && ch <= 57) value = value * 10 + (ch - 48);
    else bad = true;
  }
}

/** SQL: the column when it holds an integer, else "x" (so the packed string stays four fields a row). */
const int = (col: string) => `CASE WHEN typeof(${col}) = 'integer' THEN ${col} ELSE 'x' END`;

/** The project's labels in label order, narrowed to `filter` (ids or names); unknown ones are a 400. */
function* resolveLabels(store: Store, projectId: number, filter: string[] | undefined) {
  const { labels: labelsTable } = store.t;
  const rows = yield* all(
    store.q
      .select({ id: labelsTable.id, name: labelsTable.name })
      .from(labelsTable)
      .where(eq(labelsTable.projectId, projectId))
      .orderBy(asc(labelsTable.order), asc(labelsTable.id)),
  );
  if (!filter) return rows;
  const wanted = new Set<number>();
  const unknown: string[] = [];
  for (const f of filter) {
    const hit =
      rows.find((l) => String(l.id) === f) ??
      rows.find((l) => l.name === f) ??
      rows.find((l) => l.name.toLowerCase() === f.toLowerCase());
    if (hit) wanted.add(hit.id);
    else unknown.push(f);
  }
  if (unknown.length)
    throw badRequest(`labels: no label ${unknown.map((u) => `"${u}"`).join(", ")} in this project`, {
      field: "labels",
      unknown,
    });
  return rows.filter((l) => wanted.has(l.id));
}

/** The layers compared: explicit `layers`, the `annotators`' layers, or every user-<id> layer with data. */
function* resolveLayers(store: Store, projectId: number, q: Partial<AgreementQuery>) {
  if (q.layers && q.annotators)
    throw badRequest("Give either annotators (user ids) or layers (layer names), not both", {
      field: "layers",
    });
  let names: string[];
  if (q.layers) names = [...new Set(q.layers)];
  else if (q.annotators) names = [...new Set(q.annotators)].map((id) => `user-${id}`);
  else {
    const found = yield* layersWithData(store, projectId);
    names = found
      .filter((l) => isLayerName(l) && layerUserId(l) !== null)
      .sort((a, b) => layerUserId(a)! - layerUserId(b)!);
  }
  const userName = statements(store).username;
  const out: Array<{ layer: string; userId: number | null; username: string | null }> = [];
  for (const layer of names) {
    const userId = layerUserId(layer);
    out.push({
      layer,
      userId,
      username: userId === null ? null : ((yield* getWith(userName, { id: userId }))?.username ?? null),
    });
  }
  return out;
}

/** The project's layers with spans or a recorded status. */
function* layersWithData(store: Store, projectId: number): Gen<string[]> {
  if (store.dialect === "pg") {
    const { annotations, layerStates } = store.t;
    const spans = yield* all(
      store.q
        .selectDistinct({ layer: annotations.layer })
        .from(annotations)
        .where(eq(annotations.projectId, projectId)),
    );
    const states = yield* all(
      store.q
        .selectDistinct({ layer: layerStates.layer })
        .from(layerStates)
        .where(eq(layerStates.projectId, projectId)),
    );
    return [...new Set([...spans, ...states].map((r) => r.layer))];
  }
  // Raw SQL on purpose (drizzle's builder has no recursive CTE): distinct layers by hopping through the
  // (project_id, layer) index, one seek per layer; selectDistinct scans every span (600,000: 0.2 vs 55 ms).
  // Synchronous on SQLite: run here directly.
  return store.sqlite
    .prepare<[{ project: number }], string>(
      `WITH RECURSIVE l(layer) AS (
           SELECT min(layer) FROM annotations WHERE project_id = @project
           UNION ALL
           SELECT (SELECT min(layer) FROM annotations WHERE project_id = @project AND layer > l.layer)
           FROM l WHERE l.layer IS NOT NULL)
         SELECT layer FROM l WHERE layer IS NOT NULL
         UNION SELECT DISTINCT layer FROM layer_states WHERE project_id = @project`,
    )
    .pluck()
    .all({ project: projectId });
}

/** The project's documents in id order, narrowed to `filter`; ids not in the project are a 400. */
function* resolveDocuments(store: Store, projectId: number, filter: number[] | undefined) {
  const { documents } = store.t;
  const rows = yield* all(
    store.q
      .select({ id: documents.id, name: documents.name })
      .from(documents)
      .where(eq(documents.projectId, projectId))
      .orderBy(asc(documents.id)),
  );
  if (!filter) return rows;
  const wanted = new Set(filter);
  const found = rows.filter((d) => wanted.has(d.id));
  const missing = filter.filter((id) => !found.some((d) => d.id === id));
  if (missing.length)
    throw badRequest(`documents: no document ${missing.join(", ")} in this project`, {
      field: "documents",
      unknown: missing,
    });
  return found;
}
