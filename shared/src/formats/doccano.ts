/**
 * doccano JSONL. Sequence labelling: `{"text", "label": [[start, end, "LABEL"], …]}`; relation extraction:
 * `{"text", "entities": [{id, label, start_offset, end_offset}], "relations": [{id, from_id, to_id, type}]}`
 * (doccano's own example file, backend/data_import/pipeline/examples/relation_extraction/example.jsonl).
 * doccano keeps unknown keys as metadata, so `document_id` and `document_name` travel through it.
 */
import { isInt, isObject, optDocId, optString, readJsonObjectLines } from "./json";
import { soundRecord } from "./sound";
import {
  type ExportContext,
  type ExportRecord,
  type FormatIssue,
  type ImportDocument,
  type ImportRelation,
  type ImportSpan,
  issue,
  type ParseResult,
} from "./types";
import { offsetWriter } from "./units";

/** One doccano sequence-labelling line. */
export function doccanoLine(record: ExportRecord, ctx: Pick<ExportContext, "offsets">): string {
  const r = soundRecord(record);
  const at = offsetWriter(r.document.text, ctx.offsets);
  return `${JSON.stringify({
    text: r.document.text,
    label: r.spans.map((s) => [at(s.start), at(s.end), s.label]),
    document_id: r.document.id,
    document_name: r.document.name,
    layer: r.layer,
  })}\n`;
}

/** One doccano relation-extraction line: entity ids are the span's index in the record. */
export function doccanoRelationLine(record: ExportRecord, ctx: Pick<ExportContext, "offsets">): string {
  const r = soundRecord(record);
  const at = offsetWriter(r.document.text, ctx.offsets);
  const index = new Map(r.spans.map((s, i) => [s.id, i]));
  return `${JSON.stringify({
    text: r.document.text,
    entities: r.spans.map((s, i) => ({
      id: i,
      label: s.label,
      start_offset: at(s.start),
      end_offset: at(s.end),
    })),
    relations: r.relations
      .filter((x) => index.has(x.from) && index.has(x.to))
      .map((x, i) => ({ id: i, from_id: index.get(x.from), to_id: index.get(x.to), type: x.type })),
    document_id: r.document.id,
    document_name: r.document.name,
    layer: r.layer,
  })}\n`;
}

/** Parses either doccano JSONL flavour (also the older `labels` key). doccano carries no covered text. */
export function readDoccano(input: string, file?: string): ParseResult {
  const { records, issues } = readJsonObjectLines(input, file);
  const documents: ImportDocument[] = [];
  for (const { value, pos } of records) {
    const text = optString(value, "text", pos, issues);
    if (text === undefined) issues.push(issue("invalid_record", { ...pos, field: "text" }, "is required"));
    const spans: ImportSpan[] = [];
    const relations: ImportRelation[] = [];
    if (Array.isArray(value.entities)) readEntities(value, pos, spans, relations, issues);
    else readLabelTriples(value.label ?? value.labels, pos, spans, issues);
    documents.push({
      ref: { id: optDocId(value.document_id), name: optString(value, "document_name", pos, issues), text },
      spans,
      relations,
      pos,
    });
  }
  return { documents, issues };
}

function readLabelTriples(
  v: unknown,
  pos: { file?: string; line: number },
  spans: ImportSpan[],
  issues: FormatIssue[],
) {
  if (v === undefined) return;
  if (!Array.isArray(v)) {
    issues.push(
      issue("invalid_record", { ...pos, field: "label" }, "must be an array of [start, end, label]"),
    );
    return;
  }
  v.forEach((t, i) => {
    const field = `label[${i}]`;
    if (!Array.isArray(t) || !isInt(t[0]) || !isInt(t[1]) || typeof t[2] !== "string") {
      issues.push(issue("invalid_record", { ...pos, field }, "must be [start, end, label]"));
      return;
    }
    spans.push({ key: String(i), start: t[0], end: t[1], label: t[2], pos: { ...pos, field } });
  });
}

function readEntities(
  o: Record<string, unknown>,
  pos: { file?: string; line: number },
  spans: ImportSpan[],
  relations: ImportRelation[],
  issues: FormatIssue[],
) {
  (o.entities as unknown[]).forEach((e, i) => {
    const field = `entities[${i}]`;
    if (!isObject(e) || !isInt(e.start_offset) || !isInt(e.end_offset) || typeof e.label !== "string") {
      issues.push(
        issue("invalid_record", { ...pos, field }, "an entity needs start_offset, end_offset and label"),
      );
      return;
    }
    const key = e.id === undefined ? `#${i}` : String(e.id);
    spans.push({ key, start: e.start_offset, end: e.end_offset, label: e.label, pos: { ...pos, field } });
  });
  const rels = o.relations ?? [];
  if (!Array.isArray(rels)) {
    issues.push(issue("invalid_record", { ...pos, field: "relations" }, "must be an array"));
    return;
  }
  rels.forEach((r, i) => {
    const field = `relations[${i}]`;
    if (!isObject(r) || r.from_id === undefined || r.to_id === undefined || typeof r.type !== "string") {
      issues.push(issue("invalid_record", { ...pos, field }, "a relation needs from_id, to_id and type"));
      return;
    }
    relations.push({ from: String(r.from_id), to: String(r.to_id), type: r.type, pos: { ...pos, field } });
  });
}
