/** Turns the counters of an AgreementComputation into the report's figures (see report.ts). */
import { f1Figure, spanAgreement } from "./f1";
import type { AgreementComputation } from "./project";
import type { AgreementReport } from "./report";
import { computed, notComputable } from "./result";

/** How many label mismatches the confusion summary lists. */
const TOP_CONFUSIONS = 10;

/** Builds the report from the counters (elapsedMs is 0: the caller times loading and computing). */
export function buildReport(c: AgreementComputation): AgreementReport {
  const { setup, k } = c;
  const coders = setup.coders.length;
  const tp = { exact: new Float64Array(k), overlap: new Float64Array(k) };
  const countA = new Float64Array(k);
  const countB = new Float64Array(k);
  const confusion = new Float64Array(k * k);
  for (const t of c.pairs) {
    for (let l = 0; l < k; l++) {
      tp.exact[l]! += t.exactTp[l]!;
      tp.overlap[l]! += t.overlapTp[l]!;
      countA[l]! += t.countA[l]!;
      countB[l]! += t.countB[l]!;
    }
    for (let x = 0; x < k * k; x++) confusion[x]! += t.confusion[x]!;
  }
  const exact = spanAgreement(tp.exact, countA, countB);
  const overlap = spanAgreement(tp.overlap, countA, countB);
  const unitizing = c.unitizing.result();

  const perPair: AgreementReport["perPair"] = [];
  let kappaSum = 0;
  let kappaPairs = 0;
  for (let i = 0; i < coders; i++) {
    for (let j = i + 1; j < coders; j++) {
      const p = c.tokens.pairIndex(i, j);
      const t = c.pairs[p]!;
      const pe = spanAgreement(t.exactTp, t.countA, t.countB);
      const po = spanAgreement(t.overlapTp, t.countA, t.countB);
      const cohenKappa = c.tokens.cohen(i, j);
      if (cohenKappa.value !== null) {
        kappaSum += cohenKappa.value;
        kappaPairs++;
      }
      let labelMismatches = 0;
      for (let x = 1; x < k; x++)
        for (let y = 1; y < k; y++) if (x !== y) labelMismatches += t.confusion[x * k + y]!;
      perPair.push({
        a: setup.coders[i]!.layer,
        b: setup.coders[j]!.layer,
        aUserId: setup.coders[i]!.userId,
        bUserId: setup.coders[j]!.userId,
        documents: c.pairDocuments[p]!,
        f1Exact: pe.micro,
        f1Overlap: po.micro,
        macroF1Exact: pe.macro,
        macroF1Overlap: po.macro,
        cohenKappa,
        krippendorffAlpha: c.tokens.pairAlpha(i, j),
        labelMismatches,
      });
    }
  }

  const labels = setup.labels.map((l) => ({ id: l.id, name: l.name }));
  const confusionLabels = [{ id: null, name: "(none)" }, ...labels];
  const counts: number[][] = [];
  const top: AgreementReport["confusion"]["top"] = [];
  for (let x = 0; x < k; x++) {
    const row: number[] = [];
    for (let y = 0; y < k; y++) {
      row.push(
        x === y ? (x === 0 ? 0 : confusion[x * k + x]!) : confusion[x * k + y]! + confusion[y * k + x]!,
      );
    }
    counts.push(row);
  }
  for (let x = 1; x < k; x++)
    for (let y = x + 1; y < k; y++)
      if (counts[x]![y]! > 0)
        top.push({ a: labels[x - 1]!.name, b: labels[y - 1]!.name, count: counts[x]![y]! });
  top.sort((p, q) => q.count - p.count || p.a.localeCompare(q.a) || p.b.localeCompare(q.b));

  const documents = [...c.documents].sort(
    (p, q) => q.disagreement - p.disagreement || p.documentId - q.documentId,
  );
  return {
    projectId: setup.projectId,
    options: {
      minIou: setup.minIou,
      labels: labels.map((l) => l.id),
      documents: setup.documentFilter,
      layers: setup.coders.map((x) => x.layer),
    },
    annotators: setup.coders.map((x, i) => ({
      ...x,
      spans: c.coderSpans[i]!,
      documents: c.coderDocuments[i]!,
    })),
    labels,
    overall: {
      documents: {
        total: c.totalDocuments,
        compared: c.totalDocuments - c.singleCoder,
        singleCoder: c.singleCoder,
      },
      tokens: c.tokens.tokens,
      spans: c.spans,
      f1Exact: exact.micro,
      f1Overlap: overlap.micro,
      macroF1Exact: exact.macro,
      macroF1Overlap: overlap.macro,
      cohenKappa:
        kappaPairs > 0
          ? computed(kappaSum / kappaPairs, { pairs: kappaPairs })
          : notComputable(
              coders < 2 ? "fewer than two layers to compare" : "not computable for any pair of layers",
              { pairs: 0 },
            ),
      fleissKappa: c.tokens.fleissKappa(),
      krippendorffAlpha: c.tokens.alpha(),
      unitizingAlpha: (({ perLabel: _, ...overall }) => overall)(unitizing),
    },
    perLabel: labels.map((l, i) => ({
      ...l,
      spans: c.labelSpans[i + 1]!,
      f1Exact: exact.perLabel[i + 1] ?? f1Figure(0, 0, 0),
      f1Overlap: overlap.perLabel[i + 1] ?? f1Figure(0, 0, 0),
      unitizingAlpha: unitizing.perLabel[i]!,
    })),
    perDocument: documents,
    perPair,
    confusion: { labels: confusionLabels, counts, top: top.slice(0, TOP_CONFUSIONS) },
    elapsedMs: 0,
  };
}
