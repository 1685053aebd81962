/**
 * The neutral records every format codec speaks. Writers take `ExportRecord`s (offsets in UTF-16, as in the
 * layers) and produce text; readers parse a file into `ImportDocument`s (offsets as the file gives them,
 * with their unit still to be decided against the document text) plus `FormatIssue`s naming where.
 */
import type { OffsetUnit } from "../offsets";

/** One span of an exported layer. Offsets are UTF-16 code units of `document.text`, end-exclusive. */
export interface ExportSpan {
  id: string;
  start: number;
  end: number;
  /** The label's name (ids stay inside Gloss). */
  label: string;
  author: number | null;
  note: string | null;
  /** Extra stored fields: `provenance` (gold), `score` (imported predictions), majority `annotators`. */
  extra: Record<string, unknown> | null;
  createdAt?: number;
  updatedAt?: number | null;
}

export interface ExportRelation {
  id: string;
  from: string;
  to: string;
  type: string;
  author: number | null;
  createdAt?: number;
}

export interface ExportDocument {
  id: number;
  name: string;
  meta: Record<string, unknown>;
  text: string;
  sha256: string;
}

/** One document × one layer: the unit every export streams. */
export interface ExportRecord {
  document: ExportDocument;
  /** `gold`, `user-<id>`, `shared` or `majority`. */
  layer: string;
  spans: ExportSpan[];
  relations: ExportRelation[];
}

/** What writers need beyond the records. */
export interface ExportContext {
  /** Unit of every offset written: code points (default, what Python indexes) or UTF-16 code units. */
  offsets: OffsetUnit;
  project: { id: number; name: string };
  /** The project's label names in display order (tag sets and brat's annotation.conf use it). */
  labels: string[];
  relationTypes: string[];
}

/** Where something is in an imported file (1-based numbers). */
export interface SourcePosition {
  file?: string;
  line?: number;
  /** The n-th record (task, annotation, document) when lines mean nothing (JSON arrays). */
  record?: number;
  field?: string;
}

export type IssueCode =
  | "parse_error"
  | "invalid_record"
  | "unknown_document"
  | "unknown_label"
  | "unknown_relation_type"
  | "offset_mismatch"
  | "unit_mismatch"
  | "invalid_span"
  | "invalid_relation";

/** One problem found while reading or validating an import. */
export interface FormatIssue extends SourcePosition {
  code: IssueCode;
  message: string;
}

export interface ImportSpan {
  /** The span's id inside the file (relations refer to it). */
  key?: string;
  start: number;
  end: number;
  label: string;
  /** The covered text as the file states it (brat, Label Studio `value.text`, W3C `exact`, Gloss `text`). */
  text?: string;
  note?: string;
  /** A model's confidence (Label Studio predictions). */
  score?: number;
  /** brat discontinuous spans: the fragments (file units); `text` is their texts joined by one space. */
  fragments?: Array<[number, number]>;
  pos: SourcePosition;
}

export interface ImportRelation {
  from: string;
  to: string;
  type: string;
  pos: SourcePosition;
}

/** How an imported record names its document; matched by id, then sha256 (given, or of `text`), then name. */
export interface DocumentRef {
  id?: number;
  name?: string;
  sha256?: string;
  /** The full document text when the file carries it. */
  text?: string;
}

export interface ImportDocument {
  ref: DocumentRef;
  /** The offset unit the file itself declares (Gloss `offsets`, W3C: code points by the spec). */
  unit?: OffsetUnit;
  spans: ImportSpan[];
  relations: ImportRelation[];
  pos: SourcePosition;
}

export interface ParseResult {
  documents: ImportDocument[];
  issues: FormatIssue[];
  /** Lines the file holds that Gloss cannot carry, counted by kind (brat: `{events: 3, attributes: 5}`). */
  notImported?: Record<string, number>;
}

/** "file.ann line 3", "line 4, field label", "record 2": where an issue is, for messages. */
export function describePosition(pos: SourcePosition): string {
  const parts: string[] = [];
  if (pos.file) parts.push(pos.file);
  if (pos.line !== undefined) parts.push(`line ${pos.line}`);
  if (pos.record !== undefined) parts.push(`record ${pos.record}`);
  let out = parts.join(" ");
  if (pos.field) out += `${out ? ", " : ""}field ${pos.field}`;
  return out;
}

/** Builds an issue whose message starts with where it is. */
export function issue(code: IssueCode, pos: SourcePosition, message: string): FormatIssue {
  const where = describePosition(pos);
  return { ...pos, code, message: where ? `${where}: ${message}` : message };
}
