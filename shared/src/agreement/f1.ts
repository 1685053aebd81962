/**
 * Precision, recall and F1 of span matches. Layer a is scored against layer b as the reference:
 * precision = tp / |a|, recall = tp / |b|, F1 = 2tp / (|a| + |b|) (so fp = |a| − tp, fn = |b| − tp).
 * F1 does not depend on which layer is the reference; precision and recall swap.
 */
import { computed, type Figure, notComputable, ratio } from "./result";
import { MatchScratch, matchSpans, PairTally } from "./spanMatch";
import { type LabeledSpan, toSpanSet } from "./spans";

/** F1 (as `value`) with the counts and the precision and recall it stands on. */
export interface F1Figure extends Figure {
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
}

/** F1 from the matches and the two layers' span counts. */
export function f1Figure(tp: number, spansA: number, spansB: number): F1Figure {
  const counts = {
    tp,
    fp: spansA - tp,
    fn: spansB - tp,
    precision: ratio(tp, spansA),
    recall: ratio(tp, spansB),
  };
  if (spansA + spansB === 0) return notComputable("no spans in either layer", counts);
  return computed((2 * tp) / (spansA + spansB), counts);
}

/** Per-label F1 and its micro (pooled counts) and macro (mean of the labels that occur) averages. */
export interface SpanAgreement {
  /** Indexed by label index; index 0 (no label) is unused and not computable. */
  perLabel: F1Figure[];
  micro: F1Figure;
  /** Mean per-label F1 over the labels with at least one span in either layer. */
  macro: Figure & { labels: number };
}

/** Span agreement figures from the per-label counters `tp`, `countA`, `countB`. */
export function spanAgreement(
  tp: ArrayLike<number>,
  countA: ArrayLike<number>,
  countB: ArrayLike<number>,
): SpanAgreement {
  const perLabel: F1Figure[] = [
    notComputable("no label", { tp: 0, fp: 0, fn: 0, precision: null, recall: null }),
  ];
  let sumTp = 0;
  let sumA = 0;
  let sumB = 0;
  let macroSum = 0;
  let labels = 0;
  for (let l = 1; l < tp.length; l++) {
    const f = f1Figure(tp[l]!, countA[l]!, countB[l]!);
    perLabel.push(f);
    sumTp += tp[l]!;
    sumA += countA[l]!;
    sumB += countB[l]!;
    if (f.value !== null) {
      macroSum += f.value;
      labels++;
    }
  }
  const macro =
    labels === 0
      ? notComputable("no spans with any label in either layer", { labels })
      : computed(macroSum / labels, { labels });
  return { perLabel, micro: f1Figure(sumTp, sumA, sumB), macro };
}

/**
 * Compares two layers of one document: exact and overlap span agreement and the label confusion
 * (see spanMatch.ts). Labels are indices 1 … labels; minIou 0 means any overlap.
 */
export function compareLayers(
  a: readonly LabeledSpan[],
  b: readonly LabeledSpan[],
  opts: { labels: number; minIou?: number },
) {
  const tally = new PairTally(opts.labels + 1);
  matchSpans(toSpanSet(a), toSpanSet(b), opts.minIou ?? 0, tally, new MatchScratch());
  return {
    exact: spanAgreement(tally.exactTp, tally.countA, tally.countB),
    overlap: spanAgreement(tally.overlapTp, tally.countA, tally.countB),
    /** (labels + 1)², row-major [label in a][label in b], 0 = no counterpart. */
    confusion: tally.confusion,
  };
}
