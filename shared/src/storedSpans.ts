/**
 * Defence in depth for readers of stored spans (the `annotations` projection, export records, agreement
 * input): a row written by a hostile or buggy client may hold offsets that are not integers, an empty or
 * reversed range, an end beyond the text, an offset inside a surrogate pair, or an unknown label. Every
 * reader passes each row through `storedSpanProblem` (the one check) and skips — and counts — the bad ones,
 * so no loop is ever bounded by a stored number that did not pass it.
 */

/** Why a stored row was skipped. */
export type StoredRowIssue =
  | "offsets_not_integers"
  | "empty_or_reversed"
  | "outside_text"
  | "splits_surrogate_pair"
  | "unknown_label"
  | "relation_missing_end";

export const STORED_ROW_ISSUES: readonly StoredRowIssue[] = [
  "offsets_not_integers",
  "empty_or_reversed",
  "outside_text",
  "splits_surrogate_pair",
  "unknown_label",
  "relation_missing_end",
];

/** Skipped stored rows: how many, and why. */
export interface SkippedRows {
  total: number;
  byReason: Partial<Record<StoredRowIssue, number>>;
}

export const emptySkipped = (): SkippedRows => ({ total: 0, byReason: {} });

/** Counts one skipped row. */
export function countSkip(s: SkippedRows, why: StoredRowIssue, n = 1): void {
  if (n <= 0) return;
  s.total += n;
  s.byReason[why] = (s.byReason[why] ?? 0) + n;
}

/** Adds `b` into `a`. */
export function addSkipped(a: SkippedRows, b: SkippedRows): void {
  for (const [why, n] of Object.entries(b.byReason)) countSkip(a, why as StoredRowIssue, n ?? 0);
}

/** `offsets_not_integers=1,outside_text=2` (HTTP trailers, logs); "" when nothing was skipped. */
export const skippedReasons = (s: SkippedRows): string =>
  STORED_ROW_ISSUES.filter((r) => s.byReason[r])
    .map((r) => `${r}=${s.byReason[r]}`)
    .join(",");

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The one check of a stored span against its document: null when the row is sound, else why not.
 * Offsets are UTF-16 code units of `text`, end-exclusive. `labels` is the set of known labels (ids for
 * projection rows, names for export records); null accepts any integer id or non-empty name.
 */
export function storedSpanProblem(
  start: unknown,
  end: unknown,
  label: unknown,
  text: string,
  labels: { has(label: never): boolean } | null,
): StoredRowIssue | null {
  if (
    typeof start !== "number" ||
    typeof end !== "number" ||
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end)
  )
    return "offsets_not_integers";
  if (start >= end) return "empty_or_reversed";
  if (start < 0 || end > text.length) return "outside_text";
  if (
    (start > 0 && isLow(text.charCodeAt(start)) && isHigh(text.charCodeAt(start - 1))) ||
    (end < text.length && isLow(text.charCodeAt(end)) && isHigh(text.charCodeAt(end - 1)))
  )
    return "splits_surrogate_pair";
  if (labels) {
    if (!(labels as { has(label: unknown): boolean }).has(label)) return "unknown_label";
  } else if (!(Number.isSafeInteger(label) || (typeof label === "string" && label.length > 0))) {
    return "unknown_label";
  }
  return null;
}

/** A row with span fields, as readers hold it. */
export interface StoredSpanLike {
  start: unknown;
  end: unknown;
  label: unknown;
}

/**
 * `storedSpanProblem` for a row object: the row (with its offsets now known to be sound numbers), or null
 * after counting it in `skipped`.
 */
export function sanitizeStoredSpan<R extends StoredSpanLike>(
  row: R,
  text: string,
  labels: { has(label: never): boolean } | null,
  skipped?: SkippedRows,
): (R & { start: number; end: number }) | null {
  const why = storedSpanProblem(row.start, row.end, row.label, text, labels);
  if (why === null) return row as R & { start: number; end: number };
  if (skipped) countSkip(skipped, why);
  return null;
}

/** A stored relation is sound when both its ends are sound spans of the same layer. */
export function storedRelationProblem(
  from: unknown,
  to: unknown,
  spanIds: { has(id: never): boolean },
): StoredRowIssue | null {
  const ids = spanIds as { has(id: unknown): boolean };
  return ids.has(from) && ids.has(to) ? null : "relation_missing_end";
}
