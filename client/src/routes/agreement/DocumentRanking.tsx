/**
 * The compared documents, most disputed first (the server's order) or by name or import order, each with its
 * disagreement as a bar and a link into its curation view: a page at a time, searched by the server.
 */
import type { AgreementReportPage } from "@gloss/shared";
import { Link } from "@tanstack/react-router";
import { SearchField } from "../../components/Filters";
import { Pager } from "../../components/Pager";
import { figureSentence, formatValue, percent } from "./format";

/** Rows of the document table per page. */
export const DOCUMENTS_PAGE = 50;

/** What the table shows: a search in the names, an order, a page. */
export interface DocumentTable {
  q: string;
  sort: "disagreement" | "name" | "id";
  offset: number;
}
export const NEW_TABLE: DocumentTable = { q: "", sort: "disagreement", offset: 0 };

/** The document list. */
export function DocumentRanking(props: {
  report: AgreementReportPage;
  table: DocumentTable;
  onTable(table: DocumentTable): void;
}) {
  const { report, table, onTable } = props;
  const documents = report.perDocument;
  return (
    <section aria-labelledby="documents-title" className="agreement-section">
      <h2 id="documents-title">Documents by disagreement</h2>
      <search className="row wrap" aria-label="Search the compared documents">
        <SearchField value={table.q} onChange={(q) => onTable({ ...table, q, offset: 0 })} />
        <label>
          Sort by
          <select
            value={table.sort}
            onChange={(e) => onTable({ ...table, sort: e.target.value as DocumentTable["sort"], offset: 0 })}
          >
            <option value="disagreement">most disputed first</option>
            <option value="name">name</option>
            <option value="id">import order</option>
          </select>
        </label>
      </search>
      {documents.length === 0 ? (
        <p className="g-empty">
          {table.q ? "No compared document matches." : "No document has two or more annotators yet."}
        </p>
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
      <Pager
        of="compared documents"
        offset={table.offset}
        limit={DOCUMENTS_PAGE}
        shown={documents.length}
        total={report.total}
        onOffset={(offset) => onTable({ ...table, offset })}
      />
    </section>
  );
}
