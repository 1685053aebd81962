/**
 * Token-level agreement over many documents: per pair of coders a contingency table (Cohen's kappa),
 * Fleiss' running sums over all coders, and Krippendorff's coincidence matrix (per document and overall).
 * Each token is an item/unit; its values are the labels (see tokenLabels.ts) of the coders who took part
 * in the document. Counting only, with typed arrays: no object per token.
 */
import { cohenKappaFromMatrix } from "./cohen";
import { type FleissSums, fleissKappaFromSums } from "./fleiss";
import { alphaFromCoincidences } from "./krippendorff";

export class TokenAgreement {
  /** Per pair (index from `pairIndex`), k × k: [label of the lower coder][label of the higher]. */
  readonly pairTables: Float64Array[];
  readonly fleiss: FleissSums;
  /** Overall coincidence matrix. */
  readonly coincidences: Float64Array;
  /** The last document's coincidence matrix (reset by every `addDocument`). */
  readonly documentCoincidences: Float64Array;
  tokens = 0;
  /** Scratch: this document's table per pair of present coders. */
  private docTables = new Float64Array(0);

  /** `k` categories (label indices, 0 = O) for `coders` coders. */
  constructor(
    readonly k: number,
    readonly coders: number,
  ) {
    const pairs = (coders * (coders - 1)) / 2;
    this.pairTables = Array.from({ length: pairs }, () => new Float64Array(k * k));
    this.fleiss = { sumP: 0, items: 0, categoryTotals: new Float64Array(k) };
    this.coincidences = new Float64Array(k * k);
    this.documentCoincidences = new Float64Array(k * k);
  }

  /** Index of the pair of coders i < j. */
  pairIndex(i: number, j: number): number {
    // pairs listed (0,1) (0,2) … (0,C−1) (1,2) …
    return i * this.coders - (i * (i + 1)) / 2 + (j - i - 1);
  }

  /**
   * Adds one document: `labels` holds, for the p-th coder in `present` (ascending coder indices), the
   * label of token t at labels[p * tokens + t].
   *
   * The token loop only fills one contingency table per pair of present coders (one increment per pair
   * and token). Every coder rates every token of the document, so the rest follows from those tables:
   * coincidences o = Σ_pairs (T + Tᵀ)/(m − 1); Fleiss' agreeing pairs = Σ_pairs 2·trace(T); a coder's
   * category totals = the row (or column) sums of a table it is in.
   */
  addDocument(labels: Int32Array, tokens: number, present: readonly number[]): void {
    const k = this.k;
    const kk = k * k;
    const m = present.length;
    const o = this.documentCoincidences;
    o.fill(0);
    if (m < 2) return;
    const pairs = (m * (m - 1)) / 2;
    if (this.docTables.length < pairs * kk) this.docTables = new Float64Array(pairs * kk);
    const tables = this.docTables;
    tables.fill(0, 0, pairs * kk);
    let slot = 0;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++, slot++) {
        const base = slot * kk;
        const rowP = p * tokens;
        const rowQ = q * tokens;
        for (let t = 0; t < tokens; t++) tables[base + labels[rowP + t]! * k + labels[rowQ + t]!]! += 1;
      }
    }
    const w = 1 / (m - 1);
    const totals = this.fleiss.categoryTotals;
    let agreeing = 0;
    slot = 0;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++, slot++) {
        const base = slot * kk;
        const global = this.pairTables[this.pairIndex(present[p]!, present[q]!)]!;
        for (let r = 0; r < k; r++) {
          for (let c = 0; c < k; c++) {
            const v = tables[base + r * k + c]!;
            if (v === 0) continue;
            global[r * k + c]! += v;
            o[r * k + c]! += v * w;
            o[c * k + r]! += v * w;
            // category totals: coder p from its table with p + 1, the last coder from its table with m − 2
            if (q === p + 1) totals[r]! += v;
            if (p === m - 2) totals[c]! += v;
          }
          agreeing += 2 * tables[base + r * k + r]!;
        }
      }
    }
    this.fleiss.sumP += agreeing / (m * (m - 1));
    this.fleiss.items += tokens;
    this.tokens += tokens;
    for (let c = 0; c < kk; c++) this.coincidences[c]! += o[c]!;
  }

  /** Cohen's kappa of the pair i < j. */
  cohen(i: number, j: number) {
    return cohenKappaFromMatrix(this.pairTables[this.pairIndex(i, j)]!, this.k);
  }

  /** Krippendorff's alpha of the pair i < j (two coders: coincidences are the table plus its transpose). */
  pairAlpha(i: number, j: number) {
    const t = this.pairTables[this.pairIndex(i, j)]!;
    const k = this.k;
    const o = new Float64Array(k * k);
    for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) o[r * k + c] = t[r * k + c]! + t[c * k + r]!;
    return alphaFromCoincidences(o, k);
  }

  fleissKappa() {
    return fleissKappaFromSums(this.fleiss);
  }

  alpha() {
    return alphaFromCoincidences(this.coincidences, this.k);
  }

  documentAlpha() {
    return alphaFromCoincidences(this.documentCoincidences, this.k);
  }
}
