/**
 * The whole agreement report of a project, computed document by document in one pass: the caller streams
 * documents (text + each layer's spans) in, `result()` gives every figure. Pure: no I/O, so the server,
 * the CLI, the benchmark and the tests all run exactly this code.
 *
 * Cost per document is linear in its tokens and spans (span pairs are matched within the document):
 * each text is tokenized once, token labels live in one reused Int32Array, and no object is made per token.
 */
import { OffsetMap } from "../offsets";
import { countSkip, emptySkipped, type SkippedRows, storedSpanProblem } from "../storedSpans";
import { tokenize } from "../tokenize";
import { f1Figure } from "./f1";
import { ensureInt32 } from "./growable";
import type { AgreementReport } from "./report";
import { buildReport } from "./reportBuilder";
import { MatchScratch, matchSpans, PairTally } from "./spanMatch";
import type { SpanSet } from "./spans";
import { TokenAgreement } from "./tokenAgreement";
import { labelTokens } from "./tokenLabels";
import { UnitizingAccumulator } from "./unitizing";

/** What is compared: labels in project order (label index i + 1 is labels[i]) and the layers (coders). */
export interface AgreementSetup {
  projectId: number;
  labels: Array<{ id: number; name: string }>;
  coders: Array<{ layer: string; userId: number | null; username: string | null }>;
  /** Minimum IoU for an overlap match; 0 = any overlap. */
  minIou: number;
  /** Echoed in the report. */
  documentFilter: number[] | null;
}

/** One document: its text and, per coder (same order as `coders`), its spans or null if it took no part. */
export interface AgreementDocument {
  id: number;
  name: string;
  text: string;
  /** UTF-16 offsets, label indices ≥ 1, sorted by (start, end, label). */
  layers: ReadonlyArray<SpanSet | null>;
}

export type DocumentFigures = AgreementReport["perDocument"][number];

const ASTRAL = /[\uD800-\uDBFF]/;

/** Accumulates a project's agreement over documents; see the module comment. */
export class AgreementComputation {
  readonly k: number;
  readonly tokens: TokenAgreement;
  readonly pairs: PairTally[];
  readonly unitizing: UnitizingAccumulator;
  readonly documents: DocumentFigures[] = [];
  readonly coderSpans: Float64Array;
  readonly coderDocuments: Float64Array;
  readonly pairDocuments: Float64Array;
  readonly labelSpans: Float64Array;
  totalDocuments = 0;
  singleCoder = 0;
  /** Input spans left out as unsound (offsets outside the text, reversed, unknown label index…). */
  readonly skipped: SkippedRows = emptySkipped();
  spans = 0;
  private tokenStart: Int32Array = new Int32Array(1024);
  private tokenEnd: Int32Array = new Int32Array(1024);
  private tokenLabels: Int32Array = new Int32Array(4096);
  private bestLength: Int32Array = new Int32Array(1024);
  private unitCoder: Int32Array = new Int32Array(256);
  private unitLabel: Int32Array = new Int32Array(256);
  private unitStart: Int32Array = new Int32Array(256);
  private unitEnd: Int32Array = new Int32Array(256);
  private readonly scratch = new MatchScratch();
  private readonly present: number[] = [];

  constructor(readonly setup: AgreementSetup) {
    const coders = setup.coders.length;
    this.k = setup.labels.length + 1;
    this.tokens = new TokenAgreement(this.k, coders);
    this.pairs = Array.from({ length: (coders * (coders - 1)) / 2 }, () => new PairTally(this.k));
    this.unitizing = new UnitizingAccumulator(setup.labels.length);
    this.coderSpans = new Float64Array(coders);
    this.coderDocuments = new Float64Array(coders);
    this.pairDocuments = new Float64Array(this.pairs.length);
    this.labelSpans = new Float64Array(this.k);
  }

  /** Adds one document. */
  addDocument(doc: AgreementDocument): void {
    const present = this.present;
    present.length = 0;
    doc.layers.forEach((layer, c) => {
      if (!layer) return;
      present.push(c);
      this.coderSpans[c]! += layer.n;
      this.coderDocuments[c]! += 1;
    });
    if (present.length === 0) return;
    this.totalDocuments++;
    if (present.length < 2) {
      this.singleCoder++;
      return;
    }
    const m = present.length;
    const layers = present.map((c) => this.sound(doc.layers[c]!, doc.text));
    let spans = 0;
    for (const layer of layers) {
      spans += layer.n;
      for (let s = 0; s < layer.n; s++) this.labelSpans[layer.label[s]!]! += 1;
    }
    this.spans += spans;

    // tokens → per-coder token labels → token-level tables
    const toks = tokenize(doc.text);
    const n = toks.length;
    this.tokenStart = ensureInt32(this.tokenStart, n);
    this.tokenEnd = ensureInt32(this.tokenEnd, n);
    this.bestLength = ensureInt32(this.bestLength, n);
    this.tokenLabels = ensureInt32(this.tokenLabels, n * m);
    for (let t = 0; t < n; t++) {
      this.tokenStart[t] = toks[t]!.start;
      this.tokenEnd[t] = toks[t]!.end;
    }
    for (let p = 0; p < m; p++) {
      labelTokens(
        this.tokenStart,
        this.tokenEnd,
        n,
        layers[p]!,
        this.tokenLabels.subarray(p * n, (p + 1) * n),
        this.bestLength,
      );
    }
    this.tokens.addDocument(this.tokenLabels, n, present);

    // span matching, pair by pair
    let exact = 0;
    let overlap = 0;
    let spansA = 0;
    let spansB = 0;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const pair = this.tokens.pairIndex(present[p]!, present[q]!);
        this.pairDocuments[pair]! += 1;
        const r = matchSpans(layers[p]!, layers[q]!, this.setup.minIou, this.pairs[pair]!, this.scratch);
        exact += r.exact;
        overlap += r.overlap;
        spansA += r.spansA;
        spansB += r.spansB;
      }
    }

    this.addUnits(doc.text, layers);

    // pooled over the document's pairs of layers
    const f1Exact = f1Figure(exact, spansA, spansB);
    this.documents.push({
      documentId: doc.id,
      name: doc.name,
      annotators: m,
      spans,
      tokens: n,
      f1Exact,
      f1Overlap: f1Figure(overlap, spansA, spansB),
      krippendorffAlpha: this.tokens.documentAlpha(),
      disagreement: f1Exact.value === null ? 0 : 1 - f1Exact.value,
    });
  }

  /** The layer itself when every span passes the stored-span check against `text`, else a checked copy. */
  private sound(layer: SpanSet, text: string): SpanSet {
    const labels = { has: (l: number) => Number.isInteger(l) && l >= 1 && l < this.k };
    let bad = 0;
    for (let s = 0; s < layer.n; s++)
      if (storedSpanProblem(layer.start[s], layer.end[s], layer.label[s], text, labels) !== null) bad++;
    if (bad === 0) return layer;
    const n = layer.n - bad;
    const out: SpanSet = { n, start: new Int32Array(n), end: new Int32Array(n), label: new Int32Array(n) };
    let k = 0;
    for (let s = 0; s < layer.n; s++) {
      const why = storedSpanProblem(layer.start[s], layer.end[s], layer.label[s], text, labels);
      if (why !== null) {
        countSkip(this.skipped, why);
        continue;
      }
      out.start[k] = layer.start[s]!;
      out.end[k] = layer.end[s]!;
      out.label[k] = layer.label[s]!;
      k++;
    }
    return out;
  }

  /** α_U counts characters: offsets go to code points when the text has characters outside the BMP. */
  private addUnits(text: string, layers: SpanSet[]): void {
    let total = 0;
    for (const l of layers) total += l.n;
    this.unitCoder = ensureInt32(this.unitCoder, total);
    this.unitLabel = ensureInt32(this.unitLabel, total);
    this.unitStart = ensureInt32(this.unitStart, total);
    this.unitEnd = ensureInt32(this.unitEnd, total);
    const map = ASTRAL.test(text) ? new OffsetMap(text) : null;
    let u = 0;
    layers.forEach((layer, p) => {
      for (let s = 0; s < layer.n; s++) {
        this.unitCoder[u] = p;
        this.unitLabel[u] = layer.label[s]! - 1;
        this.unitStart[u] = map ? toCodePoint(map, layer.start[s]!) : layer.start[s]!;
        this.unitEnd[u] = map ? toCodePoint(map, layer.end[s]!) : layer.end[s]!;
        u++;
      }
    });
    const length = map ? map.codePointLength : text.length;
    this.unitizing.add(length, layers.length, {
      n: u,
      coder: this.unitCoder,
      label: this.unitLabel,
      start: this.unitStart,
      end: this.unitEnd,
    });
  }

  /** The report (see report.ts); `elapsedMs` is left to the caller. */
  result(): AgreementReport {
    return buildReport(this);
  }
}

/** UTF-16 → code points; an offset inside a surrogate pair (never produced by Gloss) rounds up. */
function toCodePoint(map: OffsetMap, offset: number): number {
  const clamped = Math.max(0, Math.min(offset, map.utf16Length));
  try {
    return map.toCodePoint(clamped);
  } catch {
    return map.toCodePoint(clamped - 1) + 1;
  }
}

/** Runs the computation over `documents` (any iterable: an array, or rows streamed from a database). */
export function computeAgreement(setup: AgreementSetup, documents: Iterable<AgreementDocument>) {
  const c = new AgreementComputation(setup);
  for (const d of documents) c.addDocument(d);
  return c.result();
}
