/** Orderings and geometry shared by the alignment modules. */
import { isVersionOf, type SpanShape } from "./keys";
import type { CandidateSupporter } from "./types";

/** Reading order of extents: start ascending, longer first, then label. */
export const byPosition = (a: { start: number; end: number; label?: number }, b: typeof a) =>
  a.start - b.start || b.end - a.end || (a.label ?? 0) - (b.label ?? 0);

/** Supporters by user id, layer, then id. */
export const bySupporter = (a: CandidateSupporter, b: CandidateSupporter) =>
  a.userId - b.userId || cmp(a.layer, b.layer) || cmp(a.id, b.id);

/** Plain string order (not locale-dependent, so results are the same everywhere). */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Splits items (sorted by start) into connected components of overlapping extents. */
export function components<T extends { start: number; end: number }>(sorted: readonly T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let maxEnd = -1;
  for (const item of sorted) {
    if (cur.length > 0 && item.start >= maxEnd) {
      out.push(cur);
      cur = [];
    }
    cur.push(item);
    maxEnd = cur.length === 1 ? item.end : Math.max(maxEnd, item.end);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * A gold span answers a candidate when it is a version of it (same extent, or same label overlapping) or
 * covers mostly the same text (intersection over union ≥ 0.5): a curator's third label on roughly the
 * same words settles the dispute, an unrelated span nested inside it does not.
 */
export function answers(gold: SpanShape, c: SpanShape): boolean {
  if (isVersionOf(gold, c)) return true;
  const inter = Math.min(gold.end, c.end) - Math.max(gold.start, c.start);
  if (inter <= 0) return false;
  const union = Math.max(gold.end, c.end) - Math.min(gold.start, c.start);
  return inter * 2 >= union;
}
