/**
 * The layer model: the one module that reads and writes the shape of a (document, layer) Y.Doc.
 *
 * A layer Y.Doc holds three top-level maps:
 * - `spans`:     span id → SpanRecord     (offsets in UTF-16 code units of the immutable text, end-exclusive)
 * - `relations`: relation id → RelationRecord
 * - `state`:     "status" → "in_progress" | "done", "setBy" → user id, "updatedAt" → ms
 * and, in `gold` only, `rejected`: disagreement key → { by, at } (what a curator rejected; auto-merge skips it).
 *
 * Values are plain JSON objects: an update replaces the whole record (last writer wins per span),
 * which keeps every span internally consistent under concurrent edits.
 */
import type * as Y from "yjs";
import { DEFAULT_COLLAB_LIMITS } from "./collabLimits";
import { splitsSurrogatePair } from "./offsets";
import { isRowId } from "./rooms";

export interface SpanProvenance {
  /** User ids of the annotators whose layers had this span (exact match). */
  annotators: number[];
  /** Who decided (curator user id), null for auto-merge. */
  decidedBy: number | null;
  decidedAt: number;
  /** How it got here. */
  via: "auto-merge" | "accept" | "edit" | "manual" | "import" | "suggestion";
  /** `via: "suggestion"` (issue 14; written by the server only): the recommender whose suggestion was accepted. */
  recommender?: number;
  /** `via: "suggestion"`: the model version that made it. */
  model_version?: string;
  /** `via: "suggestion"`: its score. */
  score?: number;
}

export interface SpanRecord {
  start: number;
  end: number;
  /** Label id (labels can be renamed; ids are stable). */
  label: number;
  author: number | null;
  createdAt: number;
  updatedAt?: number;
  note?: string;
  /** Gold spans: where they came from. */
  provenance?: SpanProvenance;
  /** Imported predictions: the model's score. */
  score?: number;
}

export interface Span extends SpanRecord {
  id: string;
}

export interface RelationRecord {
  from: string;
  to: string;
  type: string;
  author: number | null;
  createdAt: number;
}

export interface Relation extends RelationRecord {
  id: string;
}

export type LayerStatus = "in_progress" | "done";

export interface LayerStateRecord {
  status: LayerStatus;
  setBy: number | null;
  updatedAt: number;
}

/** What validation needs to know about the document and project. */
export interface LayerContext {
  /** The document text (immutable). */
  text: string;
  /** Ids of the project's labels. */
  labelIds: ReadonlySet<number>;
  /** Allowed relation types; undefined = any. */
  relationTypes?: ReadonlySet<string>;
  /** Longest note accepted (default: the collaboration limits' `maxNoteChars`). */
  maxNoteChars?: number;
}

/** Longest span, relation or rejected-key id accepted in a layer. */
export const MAX_RECORD_ID_CHARS = 64;
/** Longest relation type name. */
export const MAX_RELATION_TYPE_CHARS = 64;
/** Most annotator ids a gold span's provenance may list. */
export const MAX_PROVENANCE_ANNOTATORS = 1000;
const PROVENANCE_VIA = new Set(["auto-merge", "accept", "edit", "manual", "import", "suggestion"]);
const PROVENANCE_FIELDS = new Set(["annotators", "decidedBy", "decidedAt", "via"]);
const SUGGESTION_PROVENANCE_FIELDS = new Set([...PROVENANCE_FIELDS, "recommender", "model_version", "score"]);
const SPAN_FIELDS = new Set([
  "start",
  "end",
  "label",
  "author",
  "createdAt",
  "updatedAt",
  "note",
  "provenance",
  "score",
]);
const RELATION_FIELDS = new Set(["from", "to", "type", "author", "createdAt"]);

export class LayerValidationError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = "LayerValidationError";
  }
}

export const spansOf = (doc: Y.Doc) => doc.getMap<SpanRecord>("spans");
export const relationsOf = (doc: Y.Doc) => doc.getMap<RelationRecord>("relations");
export const stateOf = (doc: Y.Doc) => doc.getMap<unknown>("state");
export const rejectedOf = (doc: Y.Doc) => doc.getMap<{ by: number | null; at: number }>("rejected");

let idPrefix = "";
let idCounter = 0;

/**
 * A record id, unique across browsers, server processes and restarts: a random prefix drawn once per
 * process (64 bits, one getRandomValues call) followed by a base36 counter — 15 to 20 characters, well
 * within MAX_RECORD_ID_CHARS. The per-id cost is a string concatenation; the previous random id made one
 * getRandomValues call per id, which showed in room load profiles. Two generators share a prefix with
 * probability ~n²/2⁶⁵ (n generators writing one layer), and callers that must be sure re-draw while the
 * id is taken.
 */
export function newId(): string {
  if (idPrefix === "") {
    const words = new Uint32Array(2);
    (
      globalThis as unknown as { crypto: { getRandomValues(a: Uint32Array): Uint32Array } }
    ).crypto.getRandomValues(words);
    // 36^7 > 2^32: seven base36 digits per word, zero-padded so prefixes never run into the counter.
    for (const w of words) idPrefix += w.toString(36).padStart(7, "0");
  }
  return idPrefix + (idCounter++).toString(36);
}

/** Checks a span against the text and labels; throws LayerValidationError naming the field. */
export function validateSpan(span: Pick<SpanRecord, "start" | "end" | "label">, ctx: LayerContext): void {
  const { start, end, label } = span;
  if (!Number.isSafeInteger(start) || start < 0)
    throw new LayerValidationError(`start ${String(start)} must be an integer ≥ 0`, "start");
  if (!Number.isSafeInteger(end) || end > ctx.text.length) {
    throw new LayerValidationError(
      `end ${String(end)} must be an integer ≤ the text length ${ctx.text.length}`,
      "end",
    );
  }
  if (start >= end) throw new LayerValidationError(`start ${start} must be before end ${end}`, "start");
  if (splitsSurrogatePair(ctx.text, start))
    throw new LayerValidationError(`start ${start} splits a surrogate pair`, "start");
  if (splitsSurrogatePair(ctx.text, end))
    throw new LayerValidationError(`end ${end} splits a surrogate pair`, "end");
  if (!isRowId(label) || !ctx.labelIds.has(label))
    throw new LayerValidationError(`unknown label ${String(label).slice(0, 40)}`, "label");
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isUserId = (v: unknown): boolean => v === null || isRowId(v);

/** A record id (span, relation, rejected key): a non-empty string of at most MAX_RECORD_ID_CHARS. */
export function validateRecordId(id: unknown, field = "id"): void {
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_RECORD_ID_CHARS)
    throw new LayerValidationError(`${field} must be a string of 1–${MAX_RECORD_ID_CHARS} characters`, field);
}

function rejectUnknownFields(
  value: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  what: string,
): void {
  for (const key in value)
    if (!allowed.has(key))
      throw new LayerValidationError(`${what} has an unknown field ${JSON.stringify(key.slice(0, 40))}`, key);
}

/**
 * The whole layer model for one stored span value, whatever wrote it (editor, REST, import, curation, or a
 * raw socket client): a plain object with exactly the schema's fields and types, offsets inside the text and
 * on code point boundaries, a label of the project, a note within `maxNoteChars`, a well-formed provenance.
 */
export function validateSpanRecord(
  id: unknown,
  value: unknown,
  ctx: LayerContext,
): asserts value is SpanRecord {
  validateRecordId(id, "span id");
  if (!isPlainObject(value)) throw new LayerValidationError("a span must be an object", "span");
  rejectUnknownFields(value, SPAN_FIELDS, "span");
  validateSpan(value as unknown as SpanRecord, ctx);
  if (!isUserId(value.author)) throw new LayerValidationError("author must be a user id or null", "author");
  if (!isTime(value.createdAt)) throw new LayerValidationError("createdAt must be a time in ms", "createdAt");
  if (value.updatedAt !== undefined && !isTime(value.updatedAt))
    throw new LayerValidationError("updatedAt must be a time in ms", "updatedAt");
  if (value.note !== undefined) {
    const max = ctx.maxNoteChars ?? DEFAULT_COLLAB_LIMITS.maxNoteChars;
    if (typeof value.note !== "string") throw new LayerValidationError("note must be a string", "note");
    if (value.note.length > max)
      throw new LayerValidationError(`note is ${value.note.length} characters; the limit is ${max}`, "note");
  }
  if (value.score !== undefined && (typeof value.score !== "number" || !Number.isFinite(value.score)))
    throw new LayerValidationError("score must be a finite number", "score");
  if (value.provenance !== undefined) validateProvenance(value.provenance);
}

function validateProvenance(p: unknown): void {
  if (!isPlainObject(p)) throw new LayerValidationError("provenance must be an object", "provenance");
  rejectUnknownFields(
    p,
    p.via === "suggestion" ? SUGGESTION_PROVENANCE_FIELDS : PROVENANCE_FIELDS,
    "provenance",
  );
  const { annotators, decidedBy, decidedAt, via } = p;
  if (via === "suggestion") validateSuggestionProvenance(p);
  if (
    !Array.isArray(annotators) ||
    annotators.length > MAX_PROVENANCE_ANNOTATORS ||
    !annotators.every((a) => isRowId(a))
  )
    throw new LayerValidationError(
      "provenance.annotators must be a list of user ids",
      "provenance.annotators",
    );
  if (!isUserId(decidedBy))
    throw new LayerValidationError("provenance.decidedBy must be a user id or null", "provenance.decidedBy");
  if (!isTime(decidedAt))
    throw new LayerValidationError("provenance.decidedAt must be a time in ms", "provenance.decidedAt");
  if (typeof via !== "string" || !PROVENANCE_VIA.has(via))
    throw new LayerValidationError("provenance.via is not a known origin", "provenance.via");
}

function validateSuggestionProvenance(p: Record<string, unknown>): void {
  if (!isRowId(p.recommender))
    throw new LayerValidationError(
      "provenance.recommender must be a recommender id",
      "provenance.recommender",
    );
  if (typeof p.model_version !== "string" || p.model_version.length > 200)
    throw new LayerValidationError("provenance.model_version must be a string", "provenance.model_version");
  if (typeof p.score !== "number" || !Number.isFinite(p.score))
    throw new LayerValidationError("provenance.score must be a finite number", "provenance.score");
}

/**
 * One stored relation value: the schema's fields and types, a known type, two different ends that exist
 * (`spanExists` answers for the layer as it will be once the write is applied).
 */
export function validateRelationRecord(
  id: unknown,
  value: unknown,
  ctx: LayerContext,
  spanExists: (spanId: string) => boolean,
): asserts value is RelationRecord {
  validateRecordId(id, "relation id");
  if (!isPlainObject(value)) throw new LayerValidationError("a relation must be an object", "relation");
  rejectUnknownFields(value, RELATION_FIELDS, "relation");
  validateRecordId(value.from, "from");
  validateRecordId(value.to, "to");
  if (typeof value.type !== "string" || value.type.length > MAX_RELATION_TYPE_CHARS)
    throw new LayerValidationError("type must be a relation type name", "type");
  validateRelationEnds(value as unknown as RelationRecord, ctx, spanExists);
  if (!isUserId(value.author)) throw new LayerValidationError("author must be a user id or null", "author");
  if (!isTime(value.createdAt)) throw new LayerValidationError("createdAt must be a time in ms", "createdAt");
}

function validateRelationEnds(
  r: Pick<RelationRecord, "from" | "to" | "type">,
  ctx: LayerContext,
  spanExists: (spanId: string) => boolean,
): void {
  if (!spanExists(r.from))
    throw new LayerValidationError(`relation source span ${r.from} does not exist`, "from");
  if (!spanExists(r.to)) throw new LayerValidationError(`relation target span ${r.to} does not exist`, "to");
  if (r.from === r.to) throw new LayerValidationError("a relation cannot link a span to itself", "to");
  if (!r.type || (ctx.relationTypes && !ctx.relationTypes.has(r.type))) {
    throw new LayerValidationError(`unknown relation type ${JSON.stringify(r.type.slice(0, 40))}`, "type");
  }
}

/** One value of gold's `rejected` map: `{ by, at }`. */
export function validateRejectedRecord(key: unknown, value: unknown): void {
  if (typeof key !== "string" || key.length === 0 || key.length > 512)
    throw new LayerValidationError("a rejected key must be a string of 1–512 characters", "rejected");
  if (!isPlainObject(value)) throw new LayerValidationError("a rejected entry must be an object", "rejected");
  rejectUnknownFields(value, new Set(["by", "at"]), "rejected entry");
  if (!isUserId(value.by))
    throw new LayerValidationError("rejected.by must be a user id or null", "rejected.by");
  if (!isTime(value.at)) throw new LayerValidationError("rejected.at must be a time in ms", "rejected.at");
}

/** One entry of a layer's `state` map (status, setBy, updatedAt). */
export function validateStateEntry(key: unknown, value: unknown): void {
  if (key === "status") {
    if (value !== "in_progress" && value !== "done")
      throw new LayerValidationError("status must be in_progress or done", "status");
  } else if (key === "setBy") {
    if (!isUserId(value)) throw new LayerValidationError("setBy must be a user id or null", "setBy");
  } else if (key === "updatedAt") {
    if (!isTime(value)) throw new LayerValidationError("updatedAt must be a time in ms", "updatedAt");
  } else {
    throw new LayerValidationError(
      `the layer state has no field ${JSON.stringify(String(key).slice(0, 40))}`,
      "state",
    );
  }
}

/** All spans, in reading order (start, then longer first, then id). */
export function listSpans(doc: Y.Doc): Span[] {
  const out: Span[] = [];
  spansOf(doc).forEach((rec, id) => {
    out.push({ ...rec, id });
  });
  return out.sort(compareSpans);
}

/** Reading order: start ascending, then end descending (outer before inner), then id. */
export function compareSpans(a: Span, b: Span): number {
  return a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function getSpan(doc: Y.Doc, id: string): Span | null {
  const rec = spansOf(doc).get(id);
  return rec ? { ...rec, id } : null;
}

export interface NewSpan {
  start: number;
  end: number;
  label: number;
  author: number | null;
  note?: string;
  provenance?: SpanProvenance;
  score?: number;
  id?: string;
  createdAt?: number;
}

/** Validates and adds a span; returns it with its id. `origin` tags the transaction (for undo). */
export function addSpan(doc: Y.Doc, input: NewSpan, ctx: LayerContext, origin?: unknown): Span {
  validateSpan(input, ctx);
  const id = input.id ?? newId();
  const rec: SpanRecord = {
    start: input.start,
    end: input.end,
    label: input.label,
    author: input.author,
    createdAt: input.createdAt ?? Date.now(),
  };
  if (input.note) rec.note = input.note;
  if (input.provenance) rec.provenance = input.provenance;
  if (input.score !== undefined) rec.score = input.score;
  validateSpanRecord(id, rec, ctx);
  doc.transact(() => spansOf(doc).set(id, rec), origin);
  return { ...rec, id };
}

export type SpanPatch = Partial<Pick<SpanRecord, "start" | "end" | "label" | "note" | "provenance">>;

/** Validates and applies a patch to an existing span; returns the new span, or null when it does not exist. */
export function updateSpan(
  doc: Y.Doc,
  id: string,
  patch: SpanPatch,
  ctx: LayerContext,
  origin?: unknown,
): Span | null {
  const spans = spansOf(doc);
  const cur = spans.get(id);
  if (!cur) return null;
  const next: SpanRecord = { ...cur, ...stripUndefined(patch), updatedAt: Date.now() };
  if (patch.note === "") delete next.note;
  validateSpanRecord(id, next, ctx);
  doc.transact(() => spans.set(id, next), origin);
  return { ...next, id };
}

/** Removes a span and every relation that touches it, in one transaction. Returns false if absent. */
export function removeSpan(doc: Y.Doc, id: string, origin?: unknown): boolean {
  const spans = spansOf(doc);
  if (!spans.has(id)) return false;
  const relations = relationsOf(doc);
  doc.transact(() => {
    spans.delete(id);
    relations.forEach((r, rid) => {
      if (r.from === id || r.to === id) relations.delete(rid);
    });
  }, origin);
  return true;
}

export function listRelations(doc: Y.Doc): Relation[] {
  const out: Relation[] = [];
  relationsOf(doc).forEach((rec, id) => {
    out.push({ ...rec, id });
  });
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

export interface NewRelation {
  from: string;
  to: string;
  type: string;
  author: number | null;
  id?: string;
  createdAt?: number;
}

/** Validates (both ends exist, not a self-loop, known type) and adds a relation. */
export function addRelation(doc: Y.Doc, input: NewRelation, ctx: LayerContext, origin?: unknown): Relation {
  validateRelation(doc, input, ctx);
  const id = input.id ?? newId();
  const rec: RelationRecord = {
    from: input.from,
    to: input.to,
    type: input.type,
    author: input.author,
    createdAt: input.createdAt ?? Date.now(),
  };
  validateRelationRecord(id, rec, ctx, (s) => spansOf(doc).has(s));
  doc.transact(() => relationsOf(doc).set(id, rec), origin);
  return { ...rec, id };
}

export function validateRelation(
  doc: Y.Doc,
  r: Pick<RelationRecord, "from" | "to" | "type">,
  ctx: LayerContext,
): void {
  const spans = spansOf(doc);
  validateRelationEnds(r, ctx, (id) => spans.has(id));
}

/** Changes a relation's type or ends; null when it does not exist. */
export function updateRelation(
  doc: Y.Doc,
  id: string,
  patch: Partial<Pick<RelationRecord, "from" | "to" | "type">>,
  ctx: LayerContext,
  origin?: unknown,
): Relation | null {
  const relations = relationsOf(doc);
  const cur = relations.get(id);
  if (!cur) return null;
  const next = { ...cur, ...stripUndefined(patch) };
  validateRelationRecord(id, next, ctx, (s) => spansOf(doc).has(s));
  doc.transact(() => relations.set(id, next), origin);
  return { ...next, id };
}

export function removeRelation(doc: Y.Doc, id: string, origin?: unknown): boolean {
  const relations = relationsOf(doc);
  if (!relations.has(id)) return false;
  doc.transact(() => relations.delete(id), origin);
  return true;
}

/** The layer's status, or null when nobody set one. */
export function getLayerState(doc: Y.Doc): LayerStateRecord | null {
  const s = stateOf(doc);
  const status = s.get("status");
  if (status !== "in_progress" && status !== "done") return null;
  return {
    status,
    setBy: (s.get("setBy") as number | null) ?? null,
    updatedAt: (s.get("updatedAt") as number) ?? 0,
  };
}

export function setLayerStatus(
  doc: Y.Doc,
  status: LayerStatus,
  userId: number | null,
  origin?: unknown,
): void {
  const s = stateOf(doc);
  doc.transact(() => {
    s.set("status", status);
    s.set("setBy", userId);
    s.set("updatedAt", Date.now());
  }, origin);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
