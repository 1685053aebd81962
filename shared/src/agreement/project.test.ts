import { describe, expect, it } from "vitest";
import { tokenize } from "../tokenize";
import { cohenKappa } from "./cohen";
import { compareLayers } from "./f1";
import { fleissKappaFromRatings } from "./fleiss";
import { krippendorffAlphaNominal } from "./krippendorff";
import { computeAgreement } from "./project";
import type { LabeledSpan } from "./spans";
import { badNumbers, doc, setupFor } from "./testData";
import { unitizingAlpha } from "./unitizing";

const s = (start: number, end: number, label: number): LabeledSpan => ({ start, end, label });

/** The token rule written the slow, obvious way: for each token look at every span. */
function naiveTokenLabels(text: string, spans: LabeledSpan[] | null): Array<number | null> {
  return tokenize(text).map((t) => {
    if (!spans) return null;
    let best: LabeledSpan | null = null;
    for (const x of spans) {
      if (x.start >= t.end || x.end <= t.start) continue;
      const len = x.end - x.start;
      const bestLen = best ? best.end - best.start : -1;
      if (len > bestLen || (len === bestLen && x.label < best!.label)) best = x;
    }
    return best ? best.label : 0;
  });
}

const text1 = "The minister said the economy will grow, but critics denied it.";
const text2 = "Experts speculate that prices may rise again next year.";
const layers1: LabeledSpan[][] = [
  [s(0, 12, 3), s(18, 39, 1), s(45, 52, 3), s(53, 62, 2)],
  [s(0, 12, 3), s(18, 39, 1), s(45, 62, 2)],
  [s(4, 12, 3), s(18, 34, 4), s(45, 52, 3)],
];
const layers2: Array<LabeledSpan[] | null> = [[s(0, 7, 3), s(18, 54, 4)], null, [s(0, 7, 3), s(23, 54, 4)]];

describe("computeAgreement", () => {
  const report = computeAgreement(setupFor(4, 3), [doc(1, text1, layers1), doc(2, text2, layers2)]);

  it("matches token-level kappas and alpha computed from the naive token matrix", () => {
    const rows = [0, 1, 2].map((c) => [
      ...naiveTokenLabels(text1, layers1[c]!),
      ...naiveTokenLabels(text2, layers2[c] ?? null),
    ]);
    const alpha = krippendorffAlphaNominal(rows);
    expect(report.overall.krippendorffAlpha.value).toBeCloseTo(alpha.value!, 12);
    expect(report.overall.krippendorffAlpha.pairable).toBeCloseTo(alpha.pairable, 9);
    const items = rows[0]!.map((_, t) => rows.map((r) => r[t]));
    expect(report.overall.fleissKappa.value).toBeCloseTo(fleissKappaFromRatings(items).value!, 12);
    for (const p of report.perPair) {
      const [i, j] = [p.aUserId! - 1, p.bUserId! - 1];
      expect(p.cohenKappa.value).toBeCloseTo(cohenKappa(rows[i]!, rows[j]!).value!, 12);
      expect(p.krippendorffAlpha.value).toBeCloseTo(
        krippendorffAlphaNominal([rows[i]!, rows[j]!]).value!,
        12,
      );
    }
    expect(report.overall.tokens).toBe(tokenize(text1).length + tokenize(text2).length);
  });

  it("pools span F1 over pairs and documents, per label", () => {
    let tp = 0;
    let a = 0;
    let b = 0;
    let tpClaim = 0;
    for (const [layers] of [[layers1], [layers2]] as const) {
      for (let i = 0; i < 3; i++)
        for (let j = i + 1; j < 3; j++) {
          if (!layers[i] || !layers[j]) continue;
          const r = compareLayers(layers[i]!, layers[j]!, { labels: 4 });
          tp += r.exact.micro.tp;
          a += r.exact.micro.tp + r.exact.micro.fp;
          b += r.exact.micro.tp + r.exact.micro.fn;
          tpClaim += r.overlap.perLabel[1]!.tp;
        }
    }
    expect(report.overall.f1Exact).toMatchObject({ tp, fp: a - tp, fn: b - tp });
    expect(report.perLabel[0]!.f1Overlap.tp).toBe(tpClaim);
    expect(report.perPair.map((p) => p.documents)).toEqual([1, 2, 1]);
  });

  it("equals the single-study α_U when one document is coded by everyone", () => {
    const one = computeAgreement(setupFor(4, 3), [doc(1, text1, layers1)]);
    const study = unitizingAlpha({
      length: text1.length,
      coders: 3,
      units: layers1.flatMap((l, coder) =>
        l.map((x) => ({ coder, start: x.start, end: x.end, label: x.label })),
      ),
    });
    expect(one.overall.unitizingAlpha.value).toBeCloseTo(study.value!, 12);
    for (const l of study.perLabel)
      expect(one.perLabel[l.label - 1]!.unitizingAlpha.value).toBeCloseTo(l.value!, 12);
  });

  it("lists documents most disputed first, with a symmetric confusion matrix", () => {
    expect(report.perDocument.map((d) => d.documentId)).toEqual([1, 2]);
    expect(report.perDocument[0]!.disagreement).toBeGreaterThanOrEqual(report.perDocument[1]!.disagreement);
    const c = report.confusion.counts;
    for (let x = 0; x < c.length; x++) for (let y = 0; y < c.length; y++) expect(c[x]![y]).toBe(c[y]![x]);
    // claim (1) vs speculation (4) in document 1 between layers 1/2 and 3
    expect(report.confusion.top[0]).toMatchObject({ a: "L1", b: "L4" });
    expect(badNumbers(report)).toEqual([]);
  });

  it("counts a coder missing from a document as missing, and says why a lone coder is not compared", () => {
    expect(report.annotators.map((a) => a.documents)).toEqual([2, 1, 2]);
    const lone = computeAgreement(setupFor(2, 2), [doc(1, text1, [[s(0, 3, 1)], null])]);
    expect(lone.overall.documents).toEqual({ total: 1, compared: 0, singleCoder: 1 });
    expect(lone.overall.krippendorffAlpha.value).toBeNull();
    expect(lone.overall.unitizingAlpha.reason).toMatch(/two or more/);
    expect(badNumbers(lone)).toEqual([]);
  });

  it("measures α_U in code points when the text has characters outside the BMP", () => {
    const t = "😀 ab cd"; // 😀 is two UTF-16 units
    const r = computeAgreement(setupFor(1, 2), [doc(1, t, [[s(3, 5, 1)], [s(6, 8, 1)]])]);
    const cp = unitizingAlpha({
      length: 7,
      coders: 2,
      units: [
        { coder: 0, start: 2, end: 4, label: 1 },
        { coder: 1, start: 5, end: 7, label: 1 },
      ],
    });
    expect(r.overall.unitizingAlpha.value).toBeCloseTo(cp.value!, 12);
  });
});
