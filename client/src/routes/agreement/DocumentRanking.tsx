/**
 * The compared documents, most disputed first (the server's order), each with its disagreement as a bar
 * and a link into its curation view.
 */
import type { AgreementReport } from "@gloss/shared";
import { Link } from "@tanstack/react-router";
import { figureSentence, formatValue, percent } from "./format";

/** The document list. */
export function DocumentRanking({ documents }: { documents: AgreementReport["perDocument"] }) {
  return (
    <section aria-labelledby="documents-title" className="agreement-section">
      <h2 id="documents-title">Documents by disagreement</h2>
      {documents.length === 0 ? (
        <p className="empty">No document has two or more annotators yet.</p>
      ) : (
        <table className="doc-ranking">
          <thead>
            <tr>
              <th scope="col">Document</th>
              <th scope="col">Disagreement</th>
              <th scope="col">F1 exact</th>
              <th scope="col">F1 overlap</th>
              <th scope="col">α (tokens)</th>
              <th scope="col">Spans</th>
            </tr>
          </thead>
          <tbody>
            {documents.map((d) => (
              <tr key={d.documentId} data-document={d.documentId}>
                <td>
                  <Link to="/documents/$documentId/curate" params={{ documentId: d.documentId }}>
                    {d.name}
                  </Link>
                  <span className="hint">
                    {d.annotators} annotators · {d.tokens} tokens
                  </span>
                </td>
                <td>
                  <span className="disagreement">
                    <svg width={90} height={10} aria-hidden="true">
                      <rect width={90} height={10} rx={5} fill="#efeeea" />
                      <rect
                        width={Math.max(d.disagreement > 0 ? 3 : 0, 90 * d.disagreement)}
                        height={10}
                        rx={5}
                        fill="#c98a52"
                      />
                    </svg>
                    <span className="num">{percent(d.disagreement)}</span>
                  </span>
                </td>
                <td className="num" title={figureSentence(d.f1Exact)}>
                  {formatValue(d.f1Exact.value)}
                </td>
                <td className="num" title={figureSentence(d.f1Overlap)}>
                  {formatValue(d.f1Overlap.value)}
                </td>
                <td className="num" title={figureSentence(d.krippendorffAlpha)}>
                  {formatValue(d.krippendorffAlpha.value)}
                </td>
                <td className="num">{d.spans}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
