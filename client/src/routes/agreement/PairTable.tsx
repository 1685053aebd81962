/** Every pairwise figure as a table (the heat map's data in full, for reading and for screen readers). */
import type { AgreementReport } from "@gloss/shared";
import { layerName } from "./agreementFilter";
import { figureSentence, formatValue } from "./format";

/** The collapsible table of pairs. */
export function PairTable({
  report,
  names,
}: {
  report: AgreementReport;
  names: ReadonlyMap<number, string>;
}) {
  const name = new Map(report.annotators.map((a) => [a.layer, layerName(a, names)]));
  return (
    <details className="pair-table">
      <summary>All pairwise figures as a table</summary>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Pair</th>
              <th scope="col">Documents</th>
              <th scope="col">F1 exact</th>
              <th scope="col">F1 overlap</th>
              <th scope="col">Macro F1 exact</th>
              <th scope="col">Cohen's κ</th>
              <th scope="col">Krippendorff's α</th>
              <th scope="col">Label mismatches</th>
            </tr>
          </thead>
          <tbody>
            {report.perPair.map((p) => (
              <tr key={`${p.a}\u0000${p.b}`}>
                <th scope="row">
                  {name.get(p.a) ?? p.a} – {name.get(p.b) ?? p.b}
                </th>
                <td className="num">{p.documents}</td>
                {[p.f1Exact, p.f1Overlap, p.macroF1Exact, p.cohenKappa, p.krippendorffAlpha].map((f, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: fixed columns
                  <td key={i} className="num" title={figureSentence(f)}>
                    {f.value === null ? `n/a: ${f.reason ?? ""}` : formatValue(f.value)}
                  </td>
                ))}
                <td className="num">{p.labelMismatches}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
