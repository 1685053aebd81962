/**
 * Gloss JSONL: one line per document × layer, lossless — document id, name, meta, sha256 and text, the
 * layer, the offset unit, every span (with its covered text, author, note and stored extras) and relation.
 */
import type { OffsetUnit } from "../offsets";
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

/** One Gloss JSONL line (with its newline). */
export function glossLine(record: ExportRecord, ctx: Pick<ExportContext, "offsets">): string {
  const r = soundRecord(record);
  const at = offsetWriter(r.document.text, ctx.offsets);
  const d = r.document;
  return `${JSON.stringify({
    id: d.id,
    name: d.name,
    meta: d.meta,
    sha256: d.sha256,
    text: d.text,
    layer: r.layer,
    offsets: ctx.offsets,
    spans: r.spans.map((s) => ({
      id: s.id,
      start: at(s.start),
      end: at(s.end),
      label: s.label,
      text: d.text.slice(s.start, s.end),
      author: s.author,
      note: s.note,
      ...(s.extra ? { extra: s.extra } : {}),
      ...(s.createdAt !== undefined ? { createdAt: s.createdAt } : {}),
      ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}),
    })),
    relations: r.relations.map((x) => ({
      id: x.id,
      from: x.from,
      to: x.to,
      type: x.type,
      author: x.author,
      ...(x.createdAt !== undefined ? { createdAt: x.createdAt } : {}),
    })),
  })}\n`;
}

/** Parses Gloss JSONL into import documents; offsets are declared by each line's `offsets` field. */
export function readGloss(input: string, file?: string): ParseResult {
  const { records, issues } = readJsonObjectLines(input, file);
  const documents: ImportDocument[] = [];
  for (const { value, pos } of records) {
    const text = optString(value, "text", pos, issues);
    const unit = value.offsets;
    if (unit !== undefined && unit !== "codepoint" && unit !== "utf16") {
      issues.push(issue("invalid_record", { ...pos, field: "offsets" }, `must be "codepoint" or "utf16"`));
    }
    const spans = readSpans(value.spans, pos, issues);
    const relations = readRelations(value.relations, pos, issues);
    documents.push({
      ref: {
        id: optDocId(value.id),
        name: optString(value, "name", pos, issues),
        sha256: optString(value, "sha256", pos, issues),
        text,
      },
      unit: unit === "utf16" || unit === "codepoint" ? (unit as OffsetUnit) : undefined,
      spans,
      relations,
      pos,
    });
  }
  return { documents, issues };
}

function readSpans(v: unknown, pos: { file?: string; line: number }, issues: FormatIssue[]): ImportSpan[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    issues.push(issue("invalid_record", { ...pos, field: "spans" }, "must be an array"));
    return [];
  }
  const out: ImportSpan[] = [];
  v.forEach((s, i) => {
    const field = `spans[${i}]`;
    if (!isObject(s) || !isInt(s.start) || !isInt(s.end) || typeof s.label !== "string") {
      issues.push(
        issue("invalid_record", { ...pos, field }, "a span needs integer start and end and a label name"),
      );
      return;
    }
    const extra = isObject(s.extra) ? s.extra : {};
    const score =
      typeof s.score === "number" ? s.score : typeof extra.score === "number" ? extra.score : undefined;
    out.push({
      key: typeof s.id === "string" ? s.id : undefined,
      start: s.start,
      end: s.end,
      label: s.label,
      text: typeof s.text === "string" ? s.text : undefined,
      note: typeof s.note === "string" && s.note ? s.note : undefined,
      score,
      pos: { ...pos, field },
    });
  });
  return out;
}

function readRelations(
  v: unknown,
  pos: { file?: string; line: number },
  issues: FormatIssue[],
): ImportRelation[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    issues.push(issue("invalid_record", { ...pos, field: "relations" }, "must be an array"));
    return [];
  }
  const out: ImportRelation[] = [];
  v.forEach((r, i) => {
    const field = `relations[${i}]`;
    if (
      !isObject(r) ||
      typeof r.from !== "string" ||
      typeof r.to !== "string" ||
      typeof r.type !== "string"
    ) {
      issues.push(issue("invalid_record", { ...pos, field }, "a relation needs from, to and type strings"));
      return;
    }
    out.push({ from: r.from, to: r.to, type: r.type, pos: { ...pos, field } });
  });
  return out;
}
