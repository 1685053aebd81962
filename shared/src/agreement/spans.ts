/**
 * Span sets: one layer's spans in one document as parallel typed arrays, sorted by (start, end, label).
 * Labels are dense indices ≥ 1 in the project's label order (0 is reserved: "O" for tokens, "none" in
 * the confusion matrix), so comparisons and counters index plain arrays.
 */
export interface SpanSet {
  n: number;
  start: Int32Array;
  end: Int32Array;
  label: Int32Array;
}

/** A span as the pure functions take it (offsets in one unit, end-exclusive; label an index ≥ 1). */
export interface LabeledSpan {
  start: number;
  end: number;
  label: number;
}

/** Sorts a span set in place by (start, end, label); insertion sort, since layers arrive nearly sorted. */
export function sortSpanSet(s: SpanSet): SpanSet {
  const { start, end, label } = s;
  for (let i = 1; i < s.n; i++) {
    const ss = start[i]!;
    const ee = end[i]!;
    const ll = label[i]!;
    let j = i - 1;
    while (
      j >= 0 &&
      (start[j]! > ss || (start[j] === ss && (end[j]! > ee || (end[j] === ee && label[j]! > ll))))
    ) {
      start[j + 1] = start[j]!;
      end[j + 1] = end[j]!;
      label[j + 1] = label[j]!;
      j--;
    }
    start[j + 1] = ss;
    end[j + 1] = ee;
    label[j + 1] = ll;
  }
  return s;
}

/** Builds a sorted span set, dropping empty or reversed spans (they cover nothing). */
export function toSpanSet(spans: readonly LabeledSpan[]): SpanSet {
  const kept = spans.filter((s) => s.end > s.start);
  const s: SpanSet = {
    n: kept.length,
    start: Int32Array.from(kept, (x) => x.start),
    end: Int32Array.from(kept, (x) => x.end),
    label: Int32Array.from(kept, (x) => x.label),
  };
  return sortSpanSet(s);
}
