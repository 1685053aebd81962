/**
 * Layer records → projection rows. A layer is written by clients, so a record may be junk (a client bug or
 * a hostile writer): a record without the shape of the layer model is left out of the projection rather
 * than breaking the write for the whole room.
 */
import { isRowId, MAX_ID } from "@gloss/shared";
import type * as Y from "yjs";

/** One `annotations` row, minus the room key. Offsets in UTF-16 code units, as in the layer. */
export interface SpanRow {
  spanId: string;
  start: number;
  end: number;
  labelId: number;
  author: number | null;
  note: string | null;
  /** JSON of the extra fields (provenance, score), or null. */
  extra: string | null;
  createdAt: number;
  updatedAt: number | null;
}

export interface RelationRow {
  relationId: string;
  fromSpan: string;
  toSpan: string;
  type: string;
  author: number | null;
  createdAt: number;
}

/** One `gold_rejections` row, minus the room key. */
export interface RejectionRow {
  key: string;
  by: number | null;
  at: number;
}

export interface StateRow {
  status: string;
  setBy: number | null;
  updatedAt: number;
}

const isOffset = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_ID;
// the columns' ranges on both databases (PostgreSQL's integer for ids, bigint for times): a value outside
// them is not the layer model's, and must not fail the room's whole projection write
const time = (v: unknown): number | null => {
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  const t = Math.trunc(v);
  return Number.isSafeInteger(t) ? t : null;
};
const record = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** The projection row of a span record, or null when the record is not a span. */
export function toSpanRow(spanId: string, value: unknown): SpanRow | null {
  const r = record(value);
  if (!r || !isOffset(r.start) || !isOffset(r.end) || !isRowId(r.label)) return null;
  const createdAt = time(r.createdAt);
  if (createdAt === null) return null;
  let extra: string | null = null;
  if (r.provenance !== undefined || r.score !== undefined) {
    const e: Record<string, unknown> = {};
    if (r.provenance !== undefined) e.provenance = r.provenance;
    if (r.score !== undefined) e.score = r.score;
    extra = JSON.stringify(e);
  }
  return {
    spanId,
    start: r.start,
    end: r.end,
    labelId: r.label,
    author: isRowId(r.author) ? r.author : null,
    note: typeof r.note === "string" && r.note !== "" ? r.note : null,
    extra,
    createdAt,
    updatedAt: time(r.updatedAt),
  };
}

/** The projection row of a relation record, or null when the record is not a relation. */
export function toRelationRow(relationId: string, value: unknown): RelationRow | null {
  const r = record(value);
  if (!r || typeof r.from !== "string" || typeof r.to !== "string" || typeof r.type !== "string") return null;
  const createdAt = time(r.createdAt);
  if (createdAt === null) return null;
  return {
    relationId,
    fromSpan: r.from,
    toSpan: r.to,
    type: r.type,
    author: isRowId(r.author) ? r.author : null,
    createdAt,
  };
}

/** The `layer_states` row of a layer's state map, or null when no valid status is set. */
export function toStateRow(state: Y.Map<unknown>): StateRow | null {
  const status = state.get("status");
  if (status !== "in_progress" && status !== "done") return null;
  const setBy = state.get("setBy");
  return { status, setBy: isRowId(setBy) ? setBy : null, updatedAt: time(state.get("updatedAt")) ?? 0 };
}

/**
 * The projection row of an entry of gold's `rejected` map. Every key counts as rejected, whatever its value
 * (as the live gold view reads it): the value only says who and when.
 */
export function toRejectionRow(key: string, value: unknown): RejectionRow {
  const r = record(value);
  return { key, by: isRowId(r?.by) ? (r.by as number) : null, at: time(r?.at) ?? 0 };
}
