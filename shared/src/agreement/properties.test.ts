import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cohenKappa } from "./cohen";
import { compareLayers } from "./f1";
import { fleissKappaFromRatings } from "./fleiss";
import { krippendorffAlphaNominal } from "./krippendorff";
import { computeAgreement } from "./project";
import type { LabeledSpan } from "./spans";
import { badNumbers, doc, setupFor } from "./testData";
import { unitizingAlpha } from "./unitizing";

const LABELS = 3;
const WORDS = ["the", "claim", "was", "denied", "by", "officials", "may", "rise", "😀", "U.S.", ",", "."];

const textArb = fc.array(fc.constantFrom(...WORDS), { minLength: 0, maxLength: 30 }).map((w) => w.join(" "));
/** Spans anywhere in a text of `length` (any offsets, including odd ones inside words). */
const spansArb = (length: number) =>
  fc.array(
    fc
      .tuple(fc.nat({ max: Math.max(0, length) }), fc.nat({ max: 12 }), fc.integer({ min: 1, max: LABELS }))
      .map(([start, len, label]): LabeledSpan => ({ start, end: Math.min(length, start + len), label })),
    { maxLength: 8 },
  );
/** A corpus: documents, each with a layer (or null: did not take part) per coder. */
const corpusArb = (coders: number) =>
  fc.array(
    textArb.chain((text) =>
      fc.tuple(
        fc.constant(text),
        fc.array(fc.option(spansArb(text.length), { freq: 4 }), { minLength: coders, maxLength: coders }),
      ),
    ),
    { maxLength: 5 },
  );
const corpusWithCoders = fc.integer({ min: 2, max: 4 }).chain((m) => fc.tuple(fc.constant(m), corpusArb(m)));

const run = (m: number, corpus: Array<[string, Array<LabeledSpan[] | null>]>, minIou = 0) =>
  computeAgreement(
    setupFor(LABELS, m, minIou),
    corpus.map(([text, layers], i) => doc(i + 1, text, layers)),
  );
const values = (r: ReturnType<typeof run>) => ({
  f1Exact: r.overall.f1Exact.value,
  f1Overlap: r.overall.f1Overlap.value,
  cohen: r.overall.cohenKappa.value,
  fleiss: r.overall.fleissKappa.value,
  alpha: r.overall.krippendorffAlpha.value,
  alphaU: r.overall.unitizingAlpha.value,
  perLabelU: r.perLabel.map((l) => l.unitizingAlpha.value),
  perLabelF1: r.perLabel.map((l) => l.f1Overlap.value),
});
const near = (x: unknown, y: unknown) => {
  expect(JSON.stringify(x, (_k, v) => (typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v))).toBe(
    JSON.stringify(y, (_k, v) => (typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v)),
  );
};

describe("agreement properties", () => {
  it("never yields NaN or Infinity, and every missing value has a reason", () => {
    fc.assert(
      fc.property(corpusWithCoders, fc.constantFrom(0, 0.5, 1), ([m, corpus], minIou) => {
        expect(badNumbers(run(m, corpus, minIou))).toEqual([]);
      }),
    );
    expect(badNumbers(run(2, []))).toEqual([]);
    expect(badNumbers(computeAgreement(setupFor(0, 0), []))).toEqual([]);
  });

  it("gives 1 (or 'not computable' with a reason) when every layer is the same", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.array(
          textArb.chain((t) => fc.tuple(fc.constant(t), spansArb(t.length))),
          { maxLength: 4 },
        ),
        (m, docs) => {
          const r = run(
            m,
            docs.map(([t, spans]) => [t, Array.from({ length: m }, () => spans)]),
          );
          const o = r.overall;
          for (const f of [
            o.f1Exact,
            o.f1Overlap,
            o.cohenKappa,
            o.fleissKappa,
            o.krippendorffAlpha,
            o.unitizingAlpha,
          ]) {
            if (f.value === null) expect(f.reason).toBeTruthy();
            else expect(f.value).toBeCloseTo(1, 9);
          }
          for (const l of r.perLabel)
            if (l.unitizingAlpha.value !== null) expect(l.unitizingAlpha.value).toBeCloseTo(1, 9);
          for (const d of r.perDocument) expect(d.disagreement).toBe(0);
        },
      ),
    );
  });

  it("is symmetric in the annotators: reordering the layers changes no figure", () => {
    fc.assert(
      fc.property(corpusWithCoders, fc.constantFrom(0, 0.5), ([m, corpus], minIou) => {
        const reversed = corpus.map(([t, layers]) => [t, [...layers].reverse()] as [string, typeof layers]);
        near(values(run(m, corpus, minIou)), values(run(m, reversed, minIou)));
      }),
    );
  });

  it("two-layer span F1 and confusion are symmetric: precision and recall swap, the matrix transposes", () => {
    fc.assert(
      fc.property(spansArb(60), spansArb(60), fc.constantFrom(0, 0.3, 0.5, 1), (a, b, minIou) => {
        const ab = compareLayers(a, b, { labels: LABELS, minIou });
        const ba = compareLayers(b, a, { labels: LABELS, minIou });
        for (const kind of ["exact", "overlap"] as const) {
          expect(ab[kind].micro.value).toBe(ba[kind].micro.value);
          expect(ab[kind].micro.precision).toBe(ba[kind].micro.recall);
          expect(ab[kind].micro.fp).toBe(ba[kind].micro.fn);
        }
        const k = LABELS + 1;
        for (let x = 0; x < k; x++)
          for (let y = 0; y < k; y++) expect(ab.confusion[x * k + y]).toBe(ba.confusion[y * k + x]);
      }),
    );
  });

  it("coefficients of raw ratings ignore the order of coders and are in range or null", () => {
    const rating = fc.option(fc.integer({ min: 1, max: 3 }), { freq: 5 });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 12 })
          .chain((n) =>
            fc.array(fc.array(rating, { minLength: n, maxLength: n }), { minLength: 2, maxLength: 4 }),
          ),
        (data) => {
          const rev = [...data].reverse();
          const a = krippendorffAlphaNominal(data);
          near(a.value, krippendorffAlphaNominal(rev).value);
          const items = data[0]!.map((_, u) => data.map((row) => row[u]));
          near(
            fleissKappaFromRatings(items).value,
            fleissKappaFromRatings(items.map((i) => [...i].reverse())).value,
          );
          near(cohenKappa(data[0]!, data[1]!).value, cohenKappa(data[1]!, data[0]!).value);
          for (const v of [a.value, cohenKappa(data[0]!, data[1]!).value]) {
            if (v !== null) {
              expect(v).toBeLessThanOrEqual(1 + 1e-12);
              expect(Number.isFinite(v)).toBe(true);
            }
          }
        },
      ),
    );
  });

  it("α_U is 1 for identical unitizations and never NaN", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 2, max: 4 }), (length, m) => {
        fc.pre(length > 0);
        const units = [
          { start: 0, end: Math.min(length, 3), label: "x" },
          { start: Math.floor(length / 2), end: length, label: "y" },
        ];
        const r = unitizingAlpha({
          length,
          coders: m,
          units: Array.from({ length: m }, (_, coder) => units.map((u) => ({ ...u, coder }))).flat(),
        });
        expect(badNumbers(r)).toEqual([]);
        if (r.value !== null) expect(r.value).toBeCloseTo(1, 9);
      }),
    );
  });
});
