/**
 * The one way to choose documents of a project (the agreement and export filters, explicit assignment): a
 * search box the server answers (names and text, a page at a time), the results as checkboxes, and the
 * chosen documents as removable chips that stay across searches. A project may hold 100,000 documents, so
 * nothing here lists them all; the chosen ones are kept whole (name, statuses), not as ids, so they show
 * and count without another read.
 */
import type { DocumentSummaryDto } from "@gloss/shared";
import { type ReactNode, useId, useState } from "react";
import { useDocumentsQuery } from "../api/queries";
import { ErrorMessage } from "./ErrorMessage";
import { Pager } from "./Pager";
import { useDebounced } from "./useDebounced";
import "./DocumentPicker.css";

/** Results per page. */
export const PICKER_PAGE = 20;

/** A multi-select of a project's documents with search as you type (controlled: `chosen`, `onChange`). */
export function DocumentPicker(props: {
  projectId: number;
  chosen: readonly DocumentSummaryDto[];
  onChange(chosen: DocumentSummaryDto[]): void;
  /** What choosing none means where the picker is ("None chosen: every document."). */
  noneChosen: string;
  /** The fieldset's legend (default "Documents"). */
  legend?: string;
  /** More about a result, shown after its name and describing its checkbox (e.g. its annotators). */
  detail?(document: DocumentSummaryDto): ReactNode;
}) {
  const { chosen, onChange, detail } = props;
  const legend = props.legend ?? "Documents";
  const uid = useId();
  const [typed, setTyped] = useState("");
  const q = useDebounced(typed.trim(), 200);
  // the page belongs to the search it was turned for: a new search starts at its first page, without a
  // request for the old page of the new search in between
  const [page, setPage] = useState({ q: "", offset: 0 });
  const offset = page.q === q ? page.offset : 0;
  const results = useDocumentsQuery(props.projectId, { q: q || undefined, limit: PICKER_PAGE, offset });
  const shown = results.data?.documents ?? [];
  const total = results.data?.total ?? 0;
  const chosenIds = new Set(chosen.map((d) => d.id));
  const toggle = (d: DocumentSummaryDto, on: boolean) =>
    onChange(on ? [...chosen.filter((c) => c.id !== d.id), d] : chosen.filter((c) => c.id !== d.id));

  return (
    <fieldset className="document-picker" aria-busy={results.isFetching}>
      <legend>{legend}</legend>
      {chosen.length ? (
        <div className="picker-chosen">
          <ul className="chips" aria-label={`Chosen ${legend.toLowerCase()}`}>
            {chosen.map((d) => (
              <li key={d.id} className="chip picker-chip">
                <span className="picker-chip-name">{d.name}</span>
                <button
                  type="button"
                  className="picker-chip-remove"
                  aria-label={`Remove ${d.name}`}
                  title={`Remove ${d.name}`}
                  onClick={() => toggle(d, false)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="link-button"
            aria-label={`Clear chosen ${legend.toLowerCase()}`}
            onClick={() => onChange([])}
          >
            Clear
          </button>
        </div>
      ) : (
        <p className="hint picker-none">{props.noneChosen}</p>
      )}
      <label>
        Search {legend.toLowerCase()}
        <input
          type="search"
          value={typed}
          placeholder="Name or text"
          onChange={(e) => setTyped(e.target.value)}
          // Enter in a text field submits its form (the explicit assignment): here it only searches
          onKeyDown={(e) => {
            if (e.key === "Enter") e.preventDefault();
          }}
        />
      </label>
      {results.error ? <ErrorMessage error={results.error} title="Could not list the documents" /> : null}
      <div className="scroll-box picker-results">
        {results.data && shown.length === 0 ? (
          <p className="muted">{q ? `No document matches “${q}”.` : "No documents yet."}</p>
        ) : null}
        {results.isPending ? <p className="muted">Loading documents…</p> : null}
        {shown.map((d) => {
          const detailId = `${uid}-detail-${d.id}`;
          const more = detail?.(d);
          return (
            <div key={d.id} className="picker-result">
              <label className="inline">
                <input
                  type="checkbox"
                  checked={chosenIds.has(d.id)}
                  aria-describedby={more ? detailId : undefined}
                  onChange={(e) => toggle(d, e.target.checked)}
                />
                {d.name}
              </label>
              {more ? (
                <span id={detailId} className="muted">
                  {more}
                </span>
              ) : null}
            </div>
          );
        })}
      </div>
      {results.data ? (
        total > PICKER_PAGE || offset > 0 ? (
          <Pager
            of={`${legend.toLowerCase()} found`}
            offset={offset}
            limit={PICKER_PAGE}
            shown={shown.length}
            total={total}
            onOffset={(o) => setPage({ q, offset: o })}
          />
        ) : (
          <p className="muted picker-count">
            {shown.length} of {total}
          </p>
        )
      ) : null}
    </fieldset>
  );
}
