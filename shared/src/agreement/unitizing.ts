/**
 * Krippendorff's unitizing alpha α_U (Krippendorff 1995, "On the reliability of unitizing contiguous data";
 * 2004, Content Analysis ch. 12, and "Measuring the reliability of qualitative text analysis data",
 * Quality & Quantity 38), the form DKPro Agreement's KrippendorffAlphaUnitizingAgreement implements.
 *
 * Per label c, each coder's units of c and the gaps between them tile the continuum [0, L).
 * - Observed: D_o(c) = 2 Σ_{i<j} Σ_{g of i, h of j} δ²(g, h) / (m(m − 1) L²), where for two overlapping units
 *   δ² = (b_g − b_h)² + (e_g − e_h)², for a unit lying inside a gap of the other coder δ² = l², else 0.
 * - Expected: D_e(c) = (2/L) Σ_{units g} [ (N_c − 1)(2l_g³ − 3l_g² + l_g)/3 + l_g² Σ_{gaps h, l_h ≥ l_g} (l_h − l_g + 1) ]
 *   / [ mL(mL − 1) − Σ_{units g} l_g(l_g − 1) ], N_c the number of units of c over all coders.
 * - α_U(c) = 1 − D_o(c)/D_e(c); overall α_U = 1 − Σ_c D_o(c) / Σ_c D_e(c).
 *
 * Several documents: each one is a stretch of the continuum coded by the coders who took part in it
 * (m_d of them, at least 2); units and gaps never run across a document boundary. mL becomes
 * M = Σ_d m_d L_d and m(m − 1)L becomes Σ_d m_d(m_d − 1) L_d, which is the formula above when every coder
 * coded every document. A coder's overlapping units of one label are merged first (α_U needs them disjoint);
 * touching units stay separate.
 */
import { Categories } from "./categories";
import { GrowableFloat64 } from "./growable";
import { chanceCorrected, type Figure, notComputable } from "./result";

/** α_U of one label, with its disagreements and unit count. */
export interface UnitizingLabelFigure extends Figure {
  dO: number;
  dE: number;
  /** Units (after merging overlaps) over all coders. */
  units: number;
}

/** Overall α_U = 1 − ΣD_o/ΣD_e, with the per-label figures (indexed like the labels). */
export interface UnitizingFigure extends Figure {
  dO: number;
  dE: number;
  /** Length of the continuum compared (sum of the lengths of the documents coded by two or more coders). */
  continuum: number;
  perLabel: UnitizingLabelFigure[];
}

/** Flat, parallel arrays of units of one continuum: coder index, label index, start, end (end-exclusive). */
export interface UnitArrays {
  n: number;
  coder: ArrayLike<number>;
  label: ArrayLike<number>;
  start: ArrayLike<number>;
  end: ArrayLike<number>;
}

/** Accumulates α_U over many continua (documents) for `labels` labels (indices 0 … labels − 1). */
export class UnitizingAccumulator {
  private readonly sumDelta2: Float64Array;
  private readonly unitLengths: GrowableFloat64[];
  private readonly gapLengths: GrowableFloat64[];
  private totalLength = 0;
  /** Σ_d m_d L_d */
  private codedLength = 0;
  /** Σ_d m_d (m_d − 1) L_d */
  private pairedLength = 0;
  // scratch, reused across documents
  private valid: number[] = [];
  private order = new Int32Array(64);
  private readonly labelFirst: Int32Array;
  private readonly labelNext: Int32Array;
  private ms = new Float64Array(64);
  private me = new Float64Array(64);
  private matched = new Uint8Array(64);
  private coderFirst = new Int32Array(8);

  constructor(readonly labels: number) {
    this.sumDelta2 = new Float64Array(labels);
    this.labelFirst = new Int32Array(labels + 1);
    this.labelNext = new Int32Array(labels);
    this.unitLengths = Array.from({ length: labels }, () => new GrowableFloat64());
    this.gapLengths = Array.from({ length: labels }, () => new GrowableFloat64());
  }

  /** Adds one continuum of `length` coded by `coders` coders (indices 0 … coders − 1). */
  add(length: number, coders: number, u: UnitArrays): void {
    if (coders < 2 || length <= 0) return;
    this.totalLength += length;
    this.codedLength += coders * length;
    this.pairedLength += coders * (coders - 1) * length;
    // units ordered by (label, coder, start): a stable counting sort by label of units that usually
    // arrive sorted by (coder, start) already (each layer's span set is), else sorted here first
    const valid: number[] = this.valid;
    valid.length = 0;
    let sorted = true;
    for (let i = 0; i < u.n; i++) {
      const s = Math.max(0, u.start[i]!);
      const e = Math.min(length, u.end[i]!);
      if (!(e > s && u.label[i]! >= 0 && u.label[i]! < this.labels && u.coder[i]! < coders)) continue;
      const prev = valid[valid.length - 1];
      if (
        prev !== undefined &&
        (u.coder[prev]! > u.coder[i]! || (u.coder[prev] === u.coder[i] && u.start[prev]! > u.start[i]!))
      )
        sorted = false;
      valid.push(i);
    }
    if (!sorted) valid.sort((x, y) => u.coder[x]! - u.coder[y]! || u.start[x]! - u.start[y]!);
    const labelFirst = this.labelFirst;
    labelFirst.fill(0);
    for (const i of valid) labelFirst[u.label[i]! + 1]! += 1;
    for (let l = 0; l < this.labels; l++) labelFirst[l + 1]! += labelFirst[l]!;
    if (this.order.length < valid.length) this.order = new Int32Array(valid.length * 2);
    const order = this.order;
    const next = this.labelNext;
    next.set(labelFirst.subarray(0, this.labels));
    for (const i of valid) order[next[u.label[i]!]!++] = i;
    const count = valid.length;
    if (this.ms.length < count) {
      this.ms = new Float64Array(count * 2);
      this.me = new Float64Array(count * 2);
      this.matched = new Uint8Array(count * 2);
    }
    if (this.coderFirst.length < coders + 1) this.coderFirst = new Int32Array(coders + 1);
    let p = 0;
    for (let label = 0; label < this.labels; label++) {
      // merged, disjoint units of this label, grouped by coder: coderFirst[c] … coderFirst[c + 1]
      let n = 0;
      for (let c = 0; c < coders; c++) {
        this.coderFirst[c] = n;
        while (p < count && u.label[order[p]!] === label && u.coder[order[p]!] === c) {
          const i = order[p++]!;
          const s = Math.max(0, u.start[i]!);
          const e = Math.min(length, u.end[i]!);
          if (n > this.coderFirst[c]! && s < this.me[n - 1]!) this.me[n - 1] = Math.max(this.me[n - 1]!, e);
          else {
            this.ms[n] = s;
            this.me[n] = e;
            n++;
          }
        }
      }
      this.coderFirst[coders] = n;
      this.addLabel(label, length, coders, n);
    }
  }

  private addLabel(label: number, length: number, coders: number, n: number): void {
    const { ms, me, coderFirst, matched } = this;
    const lengths = this.unitLengths[label]!;
    const gaps = this.gapLengths[label]!;
    for (let c = 0; c < coders; c++) {
      let prev = 0;
      for (let g = coderFirst[c]!; g < coderFirst[c + 1]!; g++) {
        if (ms[g]! > prev) gaps.push(ms[g]! - prev);
        lengths.push(me[g]! - ms[g]!);
        prev = me[g]!;
      }
      if (length > prev) gaps.push(length - prev);
    }
    if (n === 0) return;
    let sum = 0;
    for (let i = 0; i < coders; i++) {
      for (let j = i + 1; j < coders; j++) {
        const a0 = coderFirst[i]!;
        const a1 = coderFirst[i + 1]!;
        const b0 = coderFirst[j]!;
        const b1 = coderFirst[j + 1]!;
        matched.fill(0, a0, a1);
        matched.fill(0, b0, b1);
        // sweep two sorted disjoint lists: every intersecting (unit, unit) pair is visited once
        let p = a0;
        let q = b0;
        while (p < a1 && q < b1) {
          if (ms[p]! < me[q]! && ms[q]! < me[p]!) {
            sum += (ms[p]! - ms[q]!) ** 2 + (me[p]! - me[q]!) ** 2;
            matched[p] = 1;
            matched[q] = 1;
          }
          if (me[p]! < me[q]!) p++;
          else if (me[q]! < me[p]!) q++;
          else {
            p++;
            q++;
          }
        }
        // a unit no unit of the other coder overlaps lies inside one of the other's gaps: δ² = l²
        for (let g = a0; g < a1; g++) if (!matched[g]) sum += (me[g]! - ms[g]!) ** 2;
        for (let g = b0; g < b1; g++) if (!matched[g]) sum += (me[g]! - ms[g]!) ** 2;
      }
    }
    this.sumDelta2[label]! += sum;
  }

  /** The figures: per label and overall. */
  result(): UnitizingFigure {
    const L = this.totalLength;
    const M = this.codedLength;
    const perLabel: UnitizingLabelFigure[] = [];
    let sumO = 0;
    let sumE = 0;
    for (let label = 0; label < this.labels; label++) {
      const units = this.unitLengths[label]!.view();
      if (L === 0 || units.length === 0) {
        perLabel.push(
          notComputable(
            L === 0 ? "no document was coded by two or more coders" : "no units with this label",
            {
              dO: 0,
              dE: 0,
              units: units.length,
            },
          ),
        );
        continue;
      }
      const dO = (2 * this.sumDelta2[label]!) / (L * this.pairedLength);
      const dE = expectedDisagreement(units, this.gapLengths[label]!.view(), L, M);
      sumO += dO;
      sumE += dE;
      perLabel.push(
        chanceCorrected(
          dO,
          dE,
          { dO, dE, units: units.length },
          "no variation: the units leave no room for chance disagreement",
        ),
      );
    }
    const extra = { dO: sumO, dE: sumE, continuum: L, perLabel };
    if (L === 0) return notComputable("no document was coded by two or more coders", extra);
    return chanceCorrected(sumO, sumE, extra, "no units with any label in the documents compared");
  }
}

/** D_e of one label from its unit lengths and gap lengths (see the module comment). */
function expectedDisagreement(units: Float64Array, gaps: Float64Array, L: number, M: number): number {
  const longer = new GapLengths(gaps);
  const N = units.length;
  let numerator = 0;
  let squared = 0;
  for (let u = 0; u < N; u++) {
    const l = units[u]!;
    squared += l * (l - 1);
    numerator +=
      ((N - 1) * (2 * l * l * l - 3 * l * l + l)) / 3 + l * l * (longer.sum(l) - longer.count(l) * (l - 1));
  }
  return ((2 / L) * numerator) / (M * (M - 1) - squared);
}

/** Largest gap length for which counting by length (two arrays of that size) beats sorting. */
const HISTOGRAM_LIMIT = 1 << 20;

/**
 * How many gaps are at least l long, and their total length. Lengths are whole characters, so usually a
 * histogram with suffix sums (O(1) per question); for very long (or fractional) gaps, sorted lengths with
 * suffix sums and a binary search.
 */
class GapLengths {
  private readonly max: number;
  /** Histogram mode: index = length; sorted mode: index = rank. */
  private readonly counts: Float64Array | null = null;
  private readonly sums: Float64Array;
  private readonly sorted: Float64Array | null = null;

  constructor(gaps: Float64Array) {
    let max = 0;
    for (let g = 0; g < gaps.length; g++) if (gaps[g]! > max) max = gaps[g]!;
    this.max = max;
    if (max <= HISTOGRAM_LIMIT && gaps.every(Number.isInteger)) {
      const counts = new Float64Array(max + 2);
      const sums = new Float64Array(max + 2);
      for (let g = 0; g < gaps.length; g++) {
        counts[gaps[g]!]! += 1;
        sums[gaps[g]!]! += gaps[g]!;
      }
      for (let l = max - 1; l >= 0; l--) {
        counts[l]! += counts[l + 1]!;
        sums[l]! += sums[l + 1]!;
      }
      this.counts = counts;
      this.sums = sums;
    } else {
      const sorted = gaps.slice().sort();
      const sums = new Float64Array(sorted.length + 1);
      for (let i = sorted.length - 1; i >= 0; i--) sums[i] = sums[i + 1]! + sorted[i]!;
      this.sorted = sorted;
      this.sums = sums;
    }
  }

  /** Number of gaps of length ≥ l. */
  count(l: number): number {
    if (this.counts) return l > this.max ? 0 : this.counts[Math.max(0, Math.ceil(l))]!;
    return this.sorted!.length - this.rank(l);
  }

  /** Total length of the gaps of length ≥ l. */
  sum(l: number): number {
    if (this.counts) return l > this.max ? 0 : this.sums[Math.max(0, Math.ceil(l))]!;
    return this.sums[this.rank(l)]!;
  }

  /** Index of the first sorted gap ≥ l. */
  private rank(l: number): number {
    const sorted = this.sorted!;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < l) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A unit of a single-continuum study for `unitizingAlpha`. */
export interface UnitizingUnit<L> {
  coder: number;
  start: number;
  end: number;
  label: L;
}

/**
 * α_U of one study: `coders` coders unitized the continuum [0, length) into `units` (labels of any type;
 * per-label figures come in first-appearance order, with the label).
 */
export function unitizingAlpha<L>(study: {
  length: number;
  coders: number;
  units: readonly UnitizingUnit<L>[];
}) {
  const categories = new Categories<L>();
  const label = study.units.map((u) => categories.of(u.label));
  const labels = categories.values;
  const acc = new UnitizingAccumulator(labels.length);
  acc.add(study.length, study.coders, {
    n: study.units.length,
    coder: study.units.map((u) => u.coder),
    label,
    start: study.units.map((u) => u.start),
    end: study.units.map((u) => u.end),
  });
  const r = acc.result();
  return { ...r, perLabel: r.perLabel.map((f, i) => ({ label: labels[i]!, ...f })) };
}
