/**
 * Import of annotations into a layer, all or nothing: the file is parsed and EVERYTHING is checked first
 * (documents matched, offsets against the covered text with the unit decided per document, labels,
 * relations), collecting every problem with its file, line or record; only a clean file is written, one
 * document at a time through the live collaboration room (so connected editors see it at once).
 *
 * Memory stays near one compact copy of what is written: each document's parsed record is dropped once
 * it is planned (a plan keeps offsets and label indexes in plain number arrays), and a document's spans
 * are written SPANS_PER_BATCH at a time, one Yjs transaction each, committed and projected before the
 * event loop gets a turn — one update, one store commit and one projection write per batch rather than
 * one of the whole file, so live editors of the room are not stalled while it runs.
 *
 * All or nothing holds for bad input: the write phase begins only after the whole file has been
 * validated, and every batch goes through the same validating write path, so a failure there is a bug or
 * an I/O error, not a problem of the file. Such a failure stops the import; the batches (and documents)
 * written before it stay written, as earlier documents of a multi-document file always did.
 *
 * Its reads and writes of the database (the project, its labels and documents, the labels it creates, the
 * audit row) are generators over the store (db/store.ts), the same on SQLite and PostgreSQL; on SQLite
 * each runs synchronously within its call, as before. The layers are written through the collaboration
 * service's LayerWriter: through the live room while anyone has the layer open (editors see the batches as
 * they land); otherwise each batch is committed to the store and the projection from a scratch doc holding
 * that batch alone, so the server never holds the whole layer (200,000 spans ≈ 90 MB of heap) for an import.
 */
import { createHash } from "node:crypto";
import {
  type DocumentRef,
  type FormatIssue,
  type ImportDocument,
  type ImportFormat,
  type ImportSpan,
  isRowId,
  issue,
  LABEL_PALETTE,
  type LayerContext,
  type LayerName,
  newId,
  OffsetMap,
  type OffsetUnit,
  type ParseResult,
  quote,
  type RelationRecord,
  type ResolvedSpan,
  readBrat,
  readDoccano,
  readGloss,
  readLabelStudio,
  readW3c,
  relationsOf,
  resolveOffsets,
  type SpanRecord,
  spansOf,
  validateRelationRecord,
  validateSpanRecord,
} from "@gloss/shared";
import { and, count, eq, sql } from "drizzle-orm";
import type { Collab, LayerWriter } from "../collab";
import { layerContext } from "../collab/layerContext";
import {
  allWith,
  call,
  type Gen,
  get,
  getWith,
  perStore,
  prepare,
  run,
  type Store,
  transaction,
} from "../db/store";
import { HttpError } from "../errors";
import { heapBudget } from "../heapBudget";
import { PayloadTooLarge } from "../import/errors";
import { type GlossChunkedRecord, readGlossChunked } from "../import/glossChunks";
import { readZip, type ZipLimits } from "../import/zip";
import { recordAudit } from "./audit";

/** What an import needs: the database, and the collaboration service its spans are written through. */
export interface ImportDeps {
  store: Store;
  collab: Pick<Collab, "layerWriter" | "flush">;
}

export interface ImportRequest {
  projectId: number;
  format: ImportFormat;
  layer: LayerName;
  createLabels: boolean;
  /** Declared offset unit; undefined = detect per document. */
  offsets?: OffsetUnit;
  /** Who imports: the author of the spans (and the decider of gold spans). */
  userId: number | null;
  fileName?: string;
  /** Caps on what a brat zip may unpack to (default: the configuration's defaults). */
  zipLimits?: ZipLimits;
}

export interface ImportResult {
  documents: number;
  spans: number;
  relations: number;
  /** Spans and relations already in the layer (same offsets and label / ends and type), not added twice. */
  skipped: number;
  createdLabels: string[];
  /** Lines of the file Gloss cannot carry, by kind (brat events, attributes, …); absent when none. */
  notImported?: Record<string, number>;
}

/** Most issues listed in an error response (the total is given too). */
const MAX_LISTED = 200;

/** Heap growth that an import lets its batches make before it collects their garbage (see heapBudget). */
const IMPORT_HEAP_BUDGET = 32 * 2 ** 20;

/** Spans (or relations) written per Yjs transaction; the event loop runs between two batches. */
export const SPANS_PER_BATCH = 5_000;

/**
 * Between two chunks of the parse or two batches of the write: the garbage they made is collected once the
 * heap has grown by IMPORT_HEAP_BUDGET (rather than left for V8's first, lazy, full collection), then the
 * event loop runs.
 */
const collectImportGarbage = heapBudget(IMPORT_HEAP_BUDGET);
const yieldToEventLoop = () => {
  collectImportGarbage();
  return new Promise<void>((resolve) => setImmediate(resolve));
};

export { readZip, writeZip } from "../import/zip";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decode(bytes: Uint8Array, file: string | undefined, issues: FormatIssue[]): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    issues.push(issue("parse_error", { file }, "is not valid UTF-8 text"));
    return null;
  }
}

/** Parses an uploaded file in `format` (brat: a zip of .txt/.ann, unpacked within `zipLimits`). */
export function parseAnnotationFile(
  format: ImportFormat,
  bytes: Uint8Array,
  fileName?: string,
  zipLimits?: ZipLimits,
): ParseResult {
  const issues: FormatIssue[] = [];
  if (format === "brat") {
    let zip: Map<string, Uint8Array>;
    try {
      zip = readZip(bytes, zipLimits, fileName);
    } catch (e) {
      if (e instanceof PayloadTooLarge) throw e; // over a cap: 413, nothing stored
      return {
        documents: [],
        issues: [issue("parse_error", { file: fileName }, `is not a zip archive (${(e as Error).message})`)],
      };
    }
    const files = new Map<string, string>();
    for (const [name, data] of zip) {
      if (!name.endsWith(".txt") && !name.endsWith(".ann")) continue;
      const text = decode(data, name, issues);
      if (text !== null) files.set(name, text);
    }
    const parsed = readBrat(files);
    return {
      documents: parsed.documents,
      issues: [...issues, ...parsed.issues],
      notImported: parsed.notImported,
    };
  }
  const text = decode(bytes, fileName, issues);
  if (text === null) return { documents: [], issues };
  const read = { gloss: readGloss, doccano: readDoccano, labelstudio: readLabelStudio, w3c: readW3c }[format];
  return read(text, fileName);
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** The queries run once per document of an import, prepared once per database. */
const importQueries = perStore((store) => {
  const { documents, labels } = store.t;
  return {
    documentText: prepare(
      store,
      "import.documentText",
      store.q
        .select({ text: documents.text })
        .from(documents)
        .where(eq(documents.id, sql.placeholder("id"))),
    ),
    documentById: prepare(
      store,
      "import.documentById",
      store.q
        .select({ sha256: documents.sha256 })
        .from(documents)
        .where(
          and(eq(documents.projectId, sql.placeholder("projectId")), eq(documents.id, sql.placeholder("id"))),
        ),
    ),
    documentsByName: prepare(
      store,
      "import.documentsByName",
      store.q
        .select({ id: documents.id, sha256: documents.sha256 })
        .from(documents)
        .where(
          and(
            eq(documents.projectId, sql.placeholder("projectId")),
            eq(documents.name, sql.placeholder("name")),
          ),
        )
        .orderBy(documents.id),
    ),
    documentsBySha: prepare(
      store,
      "import.documentsBySha",
      store.q
        .select({ id: documents.id })
        .from(documents)
        .where(
          and(
            eq(documents.projectId, sql.placeholder("projectId")),
            eq(documents.sha256, sql.placeholder("sha256")),
          ),
        )
        .orderBy(documents.id),
    ),
    labels: prepare(
      store,
      "import.labels",
      store.q
        .select({ id: labels.id, name: labels.name })
        .from(labels)
        .where(eq(labels.projectId, sql.placeholder("projectId"))),
    ),
  };
});

/**
 * Finds the document a record names: by id, then by sha256 (given, or of the text it carries), then by
 * name — so a file exported from another project with the same texts lands on them although the ids
 * differ (issue 13 item 17). A candidate whose text differs from the text the record carries is not that
 * document; of several documents with the same text, the one of the record's name, else the first.
 * Looked up per record (indexed queries), never by reading every document of the project: a project of
 * 100,000 documents made that index ≈100 MB of an import's peak.
 */
function* matchDocument(store: Store, projectId: number, ref: DocumentRef): Gen<number | null> {
  const q = importQueries(store);
  const sha = ref.sha256 ?? (ref.text !== undefined ? sha256(ref.text) : undefined);
  if (ref.id !== undefined && isRowId(ref.id)) {
    const row = yield* getWith(q.documentById, { projectId, id: ref.id });
    if (row && (!sha || row.sha256 === sha)) return ref.id;
  }
  const named =
    ref.name !== undefined
      ? (yield* allWith(q.documentsByName, { projectId, name: ref.name }))
          .filter((r) => !sha || r.sha256 === sha)
          .map((r) => r.id)
      : [];
  if (sha) {
    const same = (yield* allWith(q.documentsBySha, { projectId, sha256: sha })).map((r) => r.id);
    if (same.length > 1 && named.length === 1) return named[0]!;
    return same[0] ?? null;
  }
  return named.length === 1 ? named[0]! : null;
}

const describeRef = (r: DocumentRef) =>
  [
    r.id !== undefined ? `id ${r.id}` : "",
    r.name !== undefined ? `name ${quote(r.name)}` : "",
    r.sha256
      ? `sha256 ${r.sha256.slice(0, 12)}…`
      : r.text !== undefined
        ? `its text (${quote(r.text, 24)})`
        : "",
  ]
    .filter(Boolean)
    .join(", ");

/** Why a record found no document, in words (a record may name none at all: issue 13 item 18). */
const unknownDocumentMessage = (r: DocumentRef) => {
  const named = describeRef(r);
  return named
    ? `no document of the project matches ${named}`
    : "the record does not say which document it is for: give the document's id, name or text";
};

/** The project's labels, id and name. */
function* projectLabels(store: Store, projectId: number): Gen<Array<{ id: number; name: string }>> {
  return yield* allWith(importQueries(store).labels, { projectId });
}

/** A document's text (the document was matched among the project's just before). */
function* documentText(store: Store, id: number): Gen<string> {
  return (yield* getWith(importQueries(store).documentText, { id }))!.text;
}

/** Label name → id: exact, then ignoring case, then with `_` for whitespace (brat types). */
function labelResolver(rows: Array<{ id: number; name: string }>) {
  const exact = new Map(rows.map((l) => [l.name, l.id]));
  const folded = new Map(rows.map((l) => [l.name.toLowerCase(), l.id]));
  const under = new Map(rows.map((l) => [l.name.trim().replace(/\s+/g, "_").toLowerCase(), l.id]));
  return (name: string) => exact.get(name) ?? folded.get(name.toLowerCase()) ?? under.get(name.toLowerCase());
}

/**
 * One document's spans to write, column by column (index i is one span): a few numbers per span instead
 * of an object, since a file may carry hundreds of thousands. Labels are indexes into the import's list
 * of label names; keys (kept only for a record with relations), notes and scores are kept by index.
 */
interface PlannedSpans {
  start: number[];
  end: number[];
  label: number[];
  key: Map<number, string>;
  note: Map<number, string>;
  score: Map<number, number>;
}

interface PlannedDoc {
  id: number;
  text: string;
  spans: PlannedSpans;
  relations: Array<{ from: string; to: string; type: string }>;
}

const emptySpans = (): PlannedSpans => ({
  start: [],
  end: [],
  label: [],
  key: new Map(),
  note: new Map(),
  score: new Map(),
});

/** Spans resolved per resolveOffsets call: bounds the conversions held at once for a long document. */
const RESOLVE_BATCH = 20_000;

/**
 * resolveOffsets for one document, handing its spans to `take` RESOLVE_BATCH at a time so their
 * conversions are never all held at once; returns the issues. Batches give resolveOffsets' exact answer
 * when every batch resolves cleanly under the declared (or default) unit, since the unit is then that one
 * for the whole document; otherwise (a unit to detect, or a problem to report) `takeBack` undoes what was
 * taken and the document is resolved whole, as one call decides it.
 */
async function resolveInBatches(
  text: string,
  doc: ImportDocument,
  declared: OffsetUnit | undefined,
  take: (spans: readonly ResolvedSpan[]) => void,
  takeBack: () => void,
): Promise<FormatIssue[]> {
  const map = new OffsetMap(text);
  if (doc.spans.length > RESOLVE_BATCH) {
    const unit = declared ?? "codepoint";
    let clean = true;
    for (let from = 0; clean && from < doc.spans.length; from += RESOLVE_BATCH) {
      const part = { ...doc, spans: doc.spans.slice(from, from + RESOLVE_BATCH) };
      const r = resolveOffsets(text, part, declared, map);
      clean = r.issues.length === 0 && r.unit === unit;
      if (clean) take(r.spans);
      // the event loop runs between two batches (200,000 spans resolve in ≈0.5 s)
      await yieldToEventLoop();
    }
    if (clean) return [];
    takeBack();
  }
  const r = resolveOffsets(text, doc, declared, map);
  take(r.spans);
  return r.issues;
}

/** Drops the planned spans from index `length` on. */
function truncateSpans(cols: PlannedSpans, length: number): void {
  cols.start.length = length;
  cols.end.length = length;
  cols.label.length = length;
  for (const m of [cols.key, cols.note, cols.score])
    for (const i of [...m.keys()]) if (i >= length) m.delete(i);
}

/**
 * The uploaded file: its bytes, or a holder of them that the import empties once it has taken them, so
 * that the caller's frame does not keep the whole upload alive through the write (14 MB for 200,000 spans).
 */
export type ImportFile = Uint8Array | { bytes: Uint8Array | null };

function takeBytes(file: ImportFile): Uint8Array {
  if (file instanceof Uint8Array) return file;
  const bytes = file.bytes;
  if (!bytes) throw new Error("the import's bytes were taken already");
  file.bytes = null;
  return bytes;
}

/** Validates everything, then writes; throws HttpError 422 listing every problem when anything is wrong. */
export async function importAnnotations(
  deps: ImportDeps,
  req: ImportRequest,
  file: ImportFile,
): Promise<ImportResult> {
  const { store } = deps;
  // Planned in a call of its own: the parse (and the bytes, when given in a holder) live only in its frame,
  // whereas a local of this function could be kept alive across the awaits below (for the whole write).
  const { project, planned, labelNames, unknownLabels, notImported } = await planImport(
    store,
    req,
    takeBytes(file),
  );
  const createdLabels = req.createLabels
    ? await call(store, createMissingLabels, req.projectId, unknownLabels)
    : [];
  const finalLabel = labelResolver(await call(store, projectLabels, req.projectId));
  // every name resolves: unknown ones failed validation or were just created
  const labelIds = labelNames.map((name) => finalLabel(name)!);
  const result: ImportResult = {
    documents: 0,
    spans: 0,
    relations: 0,
    skipped: 0,
    createdLabels,
    ...(notImported && Object.keys(notImported).length ? { notImported } : {}),
  };
  for (const [id, plan] of planned) {
    planned.delete(id); // written: its plan can go
    // the project's labels as they are now (read again per document), as every layer write reads them
    const { ctx } = await call(
      store,
      layerContext,
      { text: plan.text, projectId: req.projectId },
      { relationTypes: project.relationTypes },
    );
    // between two batches: commit and project the one just written (a bounded piece of work, instead of
    // the whole document's projection rows at once when the room unloads), then let the loop run
    const pause = async () => {
      await deps.collab.flush();
      await yieldToEventLoop();
    };
    const writer = await deps.collab.layerWriter(plan.id, req.layer);
    try {
      await writePlan(writer, plan, ctx, req, labelIds, result, pause);
    } finally {
      writer.close();
    }
    result.documents++;
  }
  await call(store, recordAudit, {
    userId: req.userId,
    projectId: req.projectId,
    action: "annotations.import",
    target: `layer:${req.layer}`,
    details: { format: req.format, file: req.fileName ?? null, ...result },
  });
  return result;
}

interface ImportPlan {
  project: { relationTypes: string[] };
  /** Document id → what to write into it, in file order. */
  planned: Map<number, PlannedDoc>;
  /** The label names the plans' label indexes point into. */
  labelNames: string[];
  /** Label names the project lacks (only when createLabels: otherwise they are an error). */
  unknownLabels: string[];
  /** The parse's count of lines Gloss cannot carry, by kind. */
  notImported?: Record<string, number>;
}

/**
 * One record to plan: its reference, unit, relations and position, and how its spans come — whole from
 * the parse, or a run at a time from a chunked Gloss line (see glossChunks).
 */
interface PlanSource {
  doc: ImportDocument;
  /**
   * Resolves the record's spans, handing them to `take` (`takeBack` undoes that); returns the issues and
   * every span key of the record, or null when a chunked record does not resolve cleanly run by run, so
   * the file has to be planned from its whole parse (which decides it exactly as before).
   */
  resolve(
    text: string,
    declared: OffsetUnit | undefined,
    take: (spans: readonly ResolvedSpan[]) => void,
    takeBack: () => void,
  ): Promise<{ issues: FormatIssue[]; keys: Set<string | undefined> } | null>;
}

/**
 * The span keys of a record, which only its relations refer to: none kept for a record without relations
 * (a Gloss export keys every span: 200,000 strings held through the import for nothing).
 */
const keysOf = (doc: ImportDocument, spans: readonly ImportSpan[]) =>
  new Set(doc.relations.length ? spans.map((s) => s.key) : []);

/** The records of a whole parse, each handed over (and released) once. */
function* parsedSources(records: Array<ImportDocument | undefined>): Generator<PlanSource> {
  for (let n = 0; n < records.length; n++) {
    const doc = records[n]!;
    records[n] = undefined;
    yield {
      doc,
      async resolve(text, declared, take, takeBack) {
        const issues = await resolveInBatches(text, doc, declared, take, takeBack);
        return { issues, keys: keysOf(doc, doc.spans) };
      },
    };
  }
}

/**
 * The records of a chunked Gloss input. A run-by-run resolve gives resolveInBatches' answer when every
 * run resolves cleanly under the declared (or default) unit; anything else needs the whole record.
 */
function* chunkedSources(records: GlossChunkedRecord[]): Generator<PlanSource> {
  for (const rec of records) {
    const doc = rec.doc;
    yield {
      doc,
      async resolve(text, declared, take, takeBack) {
        if (rec.chunks === 1) {
          const spans = rec.chunk(0)!; // parsed with the record: never null
          const issues = await resolveInBatches(text, { ...doc, spans }, declared, take, takeBack);
          return { issues, keys: keysOf(doc, spans) };
        }
        const map = new OffsetMap(text);
        const unit = declared ?? "codepoint";
        const keys = new Set<string | undefined>();
        for (let k = 0; k < rec.chunks; k++) {
          const spans = rec.chunk(k);
          if (!spans) return null;
          const r = resolveOffsets(text, { ...doc, spans }, declared, map);
          if (r.issues.length || r.unit !== unit) return null;
          take(r.spans);
          if (doc.relations.length) for (const s of spans) keys.add(s.key);
          // the event loop runs between two runs
          await yieldToEventLoop();
        }
        return { issues: [], keys };
      },
    };
  }
}

/** Parses and checks the whole file; throws HttpError 422 listing every problem, else returns the plan. */
async function planImport(store: Store, req: ImportRequest, bytes: Uint8Array): Promise<ImportPlan> {
  const project = await call(store, projectOf, req.projectId);
  if (!project) throw new HttpError(404, "not_found", "No such project");
  if (req.format === "gloss") {
    // a Gloss file is read a run of spans at a time; one that cannot be is read whole, below
    const text = decode(bytes, req.fileName, []);
    const chunked = text === null ? null : readGlossChunked(text, RESOLVE_BATCH, req.fileName);
    if (chunked) {
      const plan = await planSources(store, req, project, chunkedSources(chunked), []);
      if (plan) return plan;
    }
  }
  const parsed = parseAnnotationFile(req.format, bytes, req.fileName, req.zipLimits);
  // each record is released once planned, so the parse and the plans are not both held in full
  const records: Array<ImportDocument | undefined> = parsed.documents;
  parsed.documents = [];
  if (!records.length && !parsed.issues.length)
    parsed.issues.push(issue("invalid_record", { file: req.fileName }, "no documents found"));
  const plan = (await planSources(store, req, project, parsedSources(records), parsed.issues))!;
  return { ...plan, notImported: parsed.notImported };
}

/** The project's relation types; undefined when there is no such project. */
function* projectOf(store: Store, projectId: number): Gen<{ relationTypes: string[] } | undefined> {
  const { projects } = store.t;
  return yield* get(
    store.q
      .select({ relationTypes: projects.relationTypes })
      .from(projects)
      .where(eq(projects.id, projectId)),
  );
}

/**
 * Plans the records `sources` yields, after the parse's `issues`; throws HttpError 422 listing every
 * problem, else returns the plan; null when a chunked source gave up (nothing is kept of this attempt).
 */
async function planSources(
  store: Store,
  req: ImportRequest,
  project: { relationTypes: string[] },
  sources: Iterable<PlanSource>,
  issues: FormatIssue[],
): Promise<ImportPlan | null> {
  const relationTypes = project.relationTypes;
  const labelId = labelResolver(await call(store, projectLabels, req.projectId));
  const unknownLabels = new Map<string, { count: number; first: FormatIssue }>();
  const planned = new Map<number, PlannedDoc>();
  const labelNames: string[] = [];
  const labelIndex = new Map<string, number>();
  const indexOfLabel = (name: string) => {
    let i = labelIndex.get(name);
    if (i === undefined) {
      i = labelNames.push(name) - 1;
      labelIndex.set(name, i);
    }
    return i;
  };

  let n = -1;
  for (const source of sources) {
    n++;
    const doc = source.doc;
    const id = await call(store, matchDocument, req.projectId, doc.ref);
    if (id === null) {
      issues.push(issue("unknown_document", doc.pos, unknownDocumentMessage(doc.ref)));
      continue;
    }
    const text = await call(store, documentText, id); // matched among the project's documents just above
    const plan = planned.get(id) ?? { id, text, spans: emptySpans(), relations: [] };
    planned.set(id, plan);
    const cols = plan.spans;
    // this record's spans are staged, so a resolve that has to start over can take them back
    const mark = cols.start.length;
    const keys = new Set<string>();
    const unknownHere = new Map<string, { count: number; first: FormatIssue }>();
    // a file-local key made unique per imported record (two records may reuse "T1")
    const scoped = (k: string) => `${n}:${k}`;
    const keyed = doc.relations.length > 0;
    const take = (spans: readonly ResolvedSpan[]) => {
      for (const { span: s, start16, end16 } of spans) {
        if (labelId(s.label) === undefined) {
          const u = unknownHere.get(s.label);
          if (u) u.count++;
          else
            unknownHere.set(s.label, {
              count: 1,
              first: issue("unknown_label", s.pos, `unknown label ${quote(s.label)}`),
            });
        }
        if (keyed && s.key !== undefined) keys.add(s.key);
        const i = cols.start.push(start16) - 1;
        cols.end.push(end16);
        cols.label.push(indexOfLabel(s.label));
        if (keyed && s.key !== undefined) cols.key.set(i, scoped(s.key));
        if (s.note !== undefined) cols.note.set(i, s.note);
        if (s.score !== undefined) cols.score.set(i, s.score);
      }
    };
    const takeBack = () => {
      truncateSpans(cols, mark);
      keys.clear();
      unknownHere.clear();
    };
    const resolved = await source.resolve(text, req.offsets ?? doc.unit, take, takeBack);
    if (!resolved) return null;
    for (const i of resolved.issues) issues.push(i);
    for (const [label, u] of unknownHere) {
      const seen = unknownLabels.get(label);
      if (seen) seen.count += u.count;
      else unknownLabels.set(label, u);
    }
    const spanKeys = resolved.keys;
    for (const r of doc.relations) {
      const type = resolveRelationType(r.type, relationTypes);
      if (!spanKeys.has(r.from) || !spanKeys.has(r.to)) {
        const missing = spanKeys.has(r.from) ? r.to : r.from;
        issues.push(
          issue("invalid_relation", r.pos, `the relation refers to unknown span ${quote(missing)}`),
        );
      } else if (r.from === r.to) {
        issues.push(issue("invalid_relation", r.pos, "a relation cannot link a span to itself"));
      } else if (type === null) {
        issues.push(
          issue(
            "unknown_relation_type",
            r.pos,
            `unknown relation type ${quote(r.type)} (the project has ${relationTypes.map((t) => quote(t)).join(", ") || "none"})`,
          ),
        );
      } else if (keys.has(r.from) && keys.has(r.to)) {
        plan.relations.push({ from: scoped(r.from), to: scoped(r.to), type });
      }
    }
  }
  if (unknownLabels.size && !req.createLabels) {
    for (const [, u] of unknownLabels) issues.push(u.first);
  }
  if (issues.length) throw importError(issues, req.createLabels ? [] : [...unknownLabels.keys()]);
  return { project, planned, labelNames, unknownLabels: [...unknownLabels.keys()] };
}

function resolveRelationType(type: string, types: string[]): string | null {
  if (!type) return types.length === 1 ? types[0]! : null; // Label Studio relations may carry no label
  return types.find((t) => t === type || t.replace(/\s+/g, "_") === type) ?? null;
}

/**
 * Writes one document's spans, then its relations, SPANS_PER_BATCH per Yjs transaction, with `pause`
 * between two transactions; spans and relations already in the layer are reused, not added twice.
 * The batches go through a LayerWriter: into the live room when the layer is loaded, else straight to the
 * store and the projection (the layer is then never held whole in memory).
 */
async function writePlan(
  writer: LayerWriter,
  plan: PlannedDoc,
  ctx: LayerContext,
  req: ImportRequest,
  labelIds: number[],
  result: ImportResult,
  pause: () => Promise<void>,
): Promise<void> {
  const now = Date.now();
  const { existing, existingRels } = await writer.read((doc) => {
    const existing = new Map<string, string>();
    for (const [id, s] of spansOf(doc).entries()) existing.set(`${s.start}:${s.end}:${s.label}`, id);
    const existingRels = new Set<string>();
    for (const r of relationsOf(doc).values()) existingRels.add(`${r.from}>${r.to}>${r.type}`);
    return { existing, existingRels };
  });
  const idOf = new Map<string, string>();
  const cols = plan.spans;
  const provenance =
    req.layer === "gold"
      ? { annotators: [], decidedBy: req.userId, decidedAt: now, via: "import" as const }
      : undefined;
  const total = cols.start.length;
  for (let from = 0; from < total; from += SPANS_PER_BATCH) {
    if (from > 0) await pause();
    await writer.write((doc) => {
      const spans = spansOf(doc);
      for (let i = from; i < Math.min(total, from + SPANS_PER_BATCH); i++) {
        const start = cols.start[i]!;
        const end = cols.end[i]!;
        const label = labelIds[cols.label[i]!]!;
        const k = `${start}:${end}:${label}`;
        let id = existing.get(k);
        if (id) result.skipped++;
        else {
          // the record as addSpan builds it, held to the same validateSpanRecord, without its input and
          // returned copies (two objects per span: ≈80 MB of garbage over 200,000 spans)
          const rec: SpanRecord = { start, end, label, author: req.userId, createdAt: now };
          const note = cols.note.get(i);
          const score = cols.score.get(i);
          if (note) rec.note = note;
          if (score !== undefined) rec.score = score;
          if (provenance) rec.provenance = { ...provenance, annotators: [] };
          id = newId();
          validateSpanRecord(id, rec, ctx);
          spans.set(id, rec);
          existing.set(k, id);
          result.spans++;
        }
        const key = cols.key.get(i);
        if (key !== undefined) idOf.set(key, id);
      }
    }, "import");
  }
  // the spans a relation may link: the layer's and this import's (a detached batch's doc holds neither)
  const known = new Set(existing.values());
  for (let from = 0; from < plan.relations.length; from += SPANS_PER_BATCH) {
    if (total > 0 || from > 0) await pause();
    await writer.write((doc, live) => {
      const spans = spansOf(doc);
      const relations = relationsOf(doc);
      const exists = (id: string) => (live ? spans.has(id) : known.has(id));
      for (const r of plan.relations.slice(from, from + SPANS_PER_BATCH)) {
        const fromId = idOf.get(r.from)!;
        const toId = idOf.get(r.to)!;
        // a live editor removed one of its spans between two batches: the relation would dangle
        if (!exists(fromId) || !exists(toId)) continue;
        const k = `${fromId}>${toId}>${r.type}`;
        if (existingRels.has(k)) {
          result.skipped++;
          continue;
        }
        const id = newId();
        const rec: RelationRecord = {
          from: fromId,
          to: toId,
          type: r.type,
          author: req.userId,
          createdAt: now,
        };
        validateRelationRecord(id, rec, ctx, exists);
        relations.set(id, rec);
        existingRels.add(k);
        result.relations++;
      }
    }, "import");
  }
}

/** Adds the labels an import names that the project lacks, after its others; returns their names. */
function* createMissingLabels(_store: Store, projectId: number, names: string[]): Gen<string[]> {
  if (!names.length) return [];
  yield* transaction(function* (tx) {
    const { labels } = tx.t;
    const n =
      (yield* get(tx.q.select({ n: count() }).from(labels).where(eq(labels.projectId, projectId))))?.n ?? 0;
    yield* run(
      tx.q.insert(labels).values(
        names.map((name, i) => ({
          projectId,
          name,
          color: LABEL_PALETTE[(n + i) % LABEL_PALETTE.length]!,
          hotkey: null,
          description: "Created by an annotation import",
          order: n + i,
        })),
      ),
    );
  });
  return names;
}

/** The 422 error: a summary message and every issue (up to MAX_LISTED) with its position. */
function importError(issues: FormatIssue[], unknownLabels: string[]): HttpError {
  const onlyLabels = issues.every((i) => i.code === "unknown_label");
  const message = onlyLabels
    ? `Unknown labels: ${unknownLabels.join(", ")} (create them with createLabels=true). Nothing was imported.`
    : `${issues.length} problem${issues.length === 1 ? "" : "s"} in the file; nothing was imported. First: ${issues[0]!.message}`;
  return new HttpError(422, "invalid_annotations", message, {
    errors: issues.slice(0, MAX_LISTED),
    total: issues.length,
    ...(unknownLabels.length ? { unknownLabels } : {}),
  });
}
