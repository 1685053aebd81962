/**
 * Span-level agreement between two layers of one document.
 * - Exact match: same start, end and label; each span matched at most once (multiset intersection).
 * - Overlap match: same label and overlapping with IoU = |a ∩ b| / |a ∪ b| ≥ minIou (minIou 0: any
 *   overlap of at least one unit). Matching is one-to-one and greedy: candidate pairs in order of IoU,
 *   best first (ties by position), each span used once.
 * - Confusion: after the overlap matching, the spans still unmatched are paired the same greedy way
 *   regardless of label: such a pair is a label mismatch (row label of `a`, column label of `b`); a span
 *   left over is counted against "none" (index 0).
 */
import type { SpanSet } from "./spans";

/** Counters for one ordered pair of layers (a scored against b), summed over documents. */
export class PairTally {
  /** Exact matches per label (index 0 unused). */
  readonly exactTp: Float64Array;
  /** Overlap matches per label. */
  readonly overlapTp: Float64Array;
  /** Spans of layer a per label. */
  readonly countA: Float64Array;
  /** Spans of layer b per label. */
  readonly countB: Float64Array;
  /** k × k, row-major: [label in a][label in b]; row/column 0 = no counterpart. */
  readonly confusion: Float64Array;

  constructor(readonly k: number) {
    this.exactTp = new Float64Array(k);
    this.overlapTp = new Float64Array(k);
    this.countA = new Float64Array(k);
    this.countB = new Float64Array(k);
    this.confusion = new Float64Array(k * k);
  }
}

/** What one `matchSpans` call found (totals over labels). */
export interface MatchTotals {
  exact: number;
  overlap: number;
  mismatched: number;
  spansA: number;
  spansB: number;
}

/** Reusable candidate buffers, so matching millions of span pairs allocates almost nothing. */
export class MatchScratch {
  ia = new Int32Array(256);
  ib = new Int32Array(256);
  iou = new Float64Array(256);
  order = new Int32Array(256);
  usedA = new Uint8Array(64);
  usedB = new Uint8Array(64);

  reserve(candidates: number, na: number, nb: number): void {
    if (this.ia.length < candidates) {
      this.ia = new Int32Array(candidates * 2);
      this.ib = new Int32Array(candidates * 2);
      this.iou = new Float64Array(candidates * 2);
      this.order = new Int32Array(candidates * 2);
    }
    if (this.usedA.length < na) this.usedA = new Uint8Array(na * 2);
    if (this.usedB.length < nb) this.usedB = new Uint8Array(nb * 2);
  }
}

/** Matches layer `a` against layer `b` (both sorted span sets of one document) and adds to `tally`. */
export function matchSpans(
  a: SpanSet,
  b: SpanSet,
  minIou: number,
  tally: PairTally,
  scratch: MatchScratch = new MatchScratch(),
): MatchTotals {
  const k = tally.k;
  for (let i = 0; i < a.n; i++) tally.countA[a.label[i]!]! += 1;
  for (let j = 0; j < b.n; j++) tally.countB[b.label[j]!]! += 1;

  // exact: merge the two sorted lists on (start, end, label)
  let exact = 0;
  for (let i = 0, j = 0; i < a.n && j < b.n; ) {
    const d = a.start[i]! - b.start[j]! || a.end[i]! - b.end[j]! || a.label[i]! - b.label[j]!;
    if (d === 0) {
      tally.exactTp[a.label[i]!]! += 1;
      exact++;
      i++;
      j++;
    } else if (d < 0) i++;
    else j++;
  }

  // overlap candidates: b is sorted by start, so stop at the first b starting at or after a's end
  let nc = 0;
  scratch.reserve(a.n * b.n, a.n, b.n);
  for (let i = 0; i < a.n; i++) {
    const as = a.start[i]!;
    const ae = a.end[i]!;
    for (let j = 0; j < b.n && b.start[j]! < ae; j++) {
      const bs = b.start[j]!;
      const be = b.end[j]!;
      if (be <= as) continue;
      const inter = Math.min(ae, be) - Math.max(as, bs);
      const iou = inter / (Math.max(ae, be) - Math.min(as, bs));
      if (iou < minIou) continue;
      scratch.ia[nc] = i;
      scratch.ib[nc] = j;
      scratch.iou[nc] = iou;
      nc++;
    }
  }
  const { ia, ib, usedA, usedB } = scratch;
  const order = scratch.order.subarray(0, nc);
  for (let c = 0; c < nc; c++) order[c] = c;
  if (nc <= 48) {
    // a document's pair of layers has a few dozen candidates: insertion sort beats Array#sort's calls
    for (let i = 1; i < nc; i++) {
      const c = order[i]!;
      let j = i - 1;
      while (j >= 0 && before(a, b, scratch, c, order[j]!)) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = c;
    }
  } else order.sort((x, y) => (before(a, b, scratch, x, y) ? -1 : before(a, b, scratch, y, x) ? 1 : 0));
  usedA.fill(0, 0, a.n);
  usedB.fill(0, 0, b.n);
  let overlap = 0;
  for (const c of order) {
    const i = ia[c]!;
    const j = ib[c]!;
    if (usedA[i] || usedB[j] || a.label[i] !== b.label[j]) continue;
    usedA[i] = 1;
    usedB[j] = 1;
    tally.overlapTp[a.label[i]!]! += 1;
    tally.confusion[a.label[i]! * k + b.label[j]!]! += 1;
    overlap++;
  }
  let mismatched = 0;
  for (const c of order) {
    const i = ia[c]!;
    const j = ib[c]!;
    if (usedA[i] || usedB[j]) continue;
    usedA[i] = 1;
    usedB[j] = 1;
    tally.confusion[a.label[i]! * k + b.label[j]!]! += 1;
    mismatched++;
  }
  for (let i = 0; i < a.n; i++) if (!usedA[i]) tally.confusion[a.label[i]! * k]! += 1;
  for (let j = 0; j < b.n; j++) if (!usedB[j]) tally.confusion[b.label[j]!]! += 1;
  return { exact, overlap, mismatched, spansA: a.n, spansB: b.n };
}

/**
 * True when candidate x comes before candidate y: best IoU first; ties by the pair's positions, taken
 * symmetrically so that swapping the layers gives the same matching size; then by candidate index.
 */
function before(a: SpanSet, b: SpanSet, s: MatchScratch, x: number, y: number): boolean {
  const d = s.iou[y]! - s.iou[x]! || tieKey(a, b, s.ia[x]!, s.ib[x]!, s.ia[y]!, s.ib[y]!) || x - y;
  return d < 0;
}

/**
 * Orders two candidate pairs by their spans (start, end, label), each pair read lower span first, so the
 * order is the same whichever layer is called a. Allocation-free: it runs inside sort.
 */
function tieKey(a: SpanSet, b: SpanSet, i1: number, j1: number, i2: number, j2: number): number {
  const aLow1 = compareSpans(a, i1, b, j1) <= 0;
  const aLow2 = compareSpans(a, i2, b, j2) <= 0;
  return (
    compareSpans(aLow1 ? a : b, aLow1 ? i1 : j1, aLow2 ? a : b, aLow2 ? i2 : j2) ||
    compareSpans(aLow1 ? b : a, aLow1 ? j1 : i1, aLow2 ? b : a, aLow2 ? j2 : i2)
  );
}

/** Compares span i of x with span j of y by (start, end, label). */
function compareSpans(x: SpanSet, i: number, y: SpanSet, j: number): number {
  return x.start[i]! - y.start[j]! || x.end[i]! - y.end[j]! || x.label[i]! - y.label[j]!;
}
