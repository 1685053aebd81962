/**
 * The agreement report: what GET /api/projects/:id/agreement returns and `gloss agreement --json` prints.
 * Every figure is `{ value, reason?, …the counts it stands on }`; `value` is null only with a `reason`.
 * Layers are compared in the order of `annotators`; in a pair, `a` is scored against `b` (precision =
 * matches / spans of a, recall = matches / spans of b). See docs/agreement.md for the formulas.
 */
import type { CohenKappa } from "./cohen";
import type { F1Figure } from "./f1";
import type { FleissKappa } from "./fleiss";
import type { KrippendorffAlpha } from "./krippendorff";
import type { Figure } from "./result";
import type { UnitizingLabelFigure } from "./unitizing";

export interface AgreementReport {
  projectId: number;
  options: {
    /** Minimum IoU for an overlap match; 0 = any overlap. */
    minIou: number;
    /** Label ids compared (all of the project's when no filter was given). */
    labels: number[];
    /** Document ids asked for, or null for every document. */
    documents: number[] | null;
    /** Layers compared, in order. */
    layers: string[];
  };
  annotators: Array<{
    layer: string;
    /** Null for a layer that is not a user's (gold, shared). */
    userId: number | null;
    username: string | null;
    /** Spans in the documents and labels compared. */
    spans: number;
    /** Documents this layer took part in (has spans there, or a recorded layer status). */
    documents: number;
  }>;
  labels: Array<{ id: number; name: string }>;
  overall: {
    documents: {
      /** Documents any compared layer took part in. */
      total: number;
      /** Documents two or more compared layers took part in: all figures stand on these. */
      compared: number;
      /** Documents only one compared layer took part in (nothing to compare). */
      singleCoder: number;
    };
    /** Tokens of the compared documents. */
    tokens: number;
    /** Spans of the compared layers in the compared documents. */
    spans: number;
    /** Span F1 pooled over every pair of layers (micro over labels), exact and overlap match. */
    f1Exact: F1Figure;
    f1Overlap: F1Figure;
    /** Mean of the per-label F1 (labels with spans). */
    macroF1Exact: Figure & { labels: number };
    macroF1Overlap: Figure & { labels: number };
    /** Mean pairwise Cohen's kappa on token labels (Light's kappa), over the pairs where it is computable. */
    cohenKappa: Figure & { pairs: number };
    fleissKappa: FleissKappa;
    krippendorffAlpha: KrippendorffAlpha;
    unitizingAlpha: Figure & { dO: number; dE: number; continuum: number };
  };
  perLabel: Array<{
    id: number;
    name: string;
    /** Spans with this label over the compared layers and documents. */
    spans: number;
    f1Exact: F1Figure;
    f1Overlap: F1Figure;
    unitizingAlpha: UnitizingLabelFigure;
  }>;
  /** Compared documents, most disputed first. */
  perDocument: Array<{
    documentId: number;
    name: string;
    /** Layers that took part in this document. */
    annotators: number;
    spans: number;
    tokens: number;
    f1Exact: F1Figure;
    f1Overlap: F1Figure;
    krippendorffAlpha: KrippendorffAlpha;
    /** 1 − exact-match F1 pooled over the pairs: the share of spans not matched exactly (0 with no spans). */
    disagreement: number;
  }>;
  perPair: Array<{
    a: string;
    b: string;
    aUserId: number | null;
    bUserId: number | null;
    /** Documents both layers took part in. */
    documents: number;
    f1Exact: F1Figure;
    f1Overlap: F1Figure;
    macroF1Exact: Figure & { labels: number };
    macroF1Overlap: Figure & { labels: number };
    cohenKappa: CohenKappa;
    krippendorffAlpha: KrippendorffAlpha;
    /** Overlapping span pairs the two layers labelled differently. */
    labelMismatches: number;
  }>;
  /**
   * Label confusion over every pair of layers. `labels[0]` is "(none)": a span no span of the other layer
   * overlaps. counts[x][y] (x ≠ y) = overlapping span pairs labelled x by one layer and y by the other,
   * mirrored so the matrix is symmetric (sum one triangle to count pairs); counts[x][x] = overlap matches.
   */
  confusion: {
    labels: Array<{ id: number | null; name: string }>;
    counts: number[][];
    /** The most frequent label mismatches, largest first. */
    top: Array<{ a: string; b: string; count: number }>;
  };
  /** Milliseconds the computation took (loading included). */
  elapsedMs: number;
}

/**
 * GET /projects/:id/agreement's body: the report, with a page of its document table (`perDocument`, per the
 * query's `limit`, `offset`, `q` and `sort`) and how many documents match `q` (`total`).
 */
export type AgreementReportPage = AgreementReport & { total: number };
