/**
 * The span list: every span of the layer in reading order with its label, snippet, note (and author in
 * shared mode); a label filter with counts; a click (or Enter) scrolls the editor to the span.
 */
import type { LabelDto, Relation, Span } from "@gloss/shared";
import { useMemo, useState } from "react";
import { LabelBadge } from "./LabelBadge";
import { countByLabel, filterSpans, snippet, toggleLabel } from "./spanList";

/** How many items render before "Show all" (a 3,000-span document stays quick to open). */
export const SIDEBAR_PAGE = 200;

export interface SpanSidebarProps {
  text: string;
  spans: readonly Span[];
  relations?: readonly Relation[];
  labels: readonly LabelDto[];
  filter: ReadonlySet<number> | null;
  onFilterChange(filter: ReadonlySet<number> | null): void;
  selectedId: string | null;
  onSelect(id: string): void;
  showAuthors?: boolean;
  users?: ReadonlyMap<number, { name: string }>;
  /** False for a read-only layer (changes the empty-state hint). */
  editable?: boolean;
  /** Recommender names, for spans that were accepted suggestions (issue 14). */
  recommenderNames?: ReadonlyMap<number, string>;
}

/** The sidebar's span section. */
export function SpanSidebar(props: SpanSidebarProps) {
  const { text, spans, labels, filter, onFilterChange, selectedId, onSelect, showAuthors, users } = props;
  const [showAll, setShowAll] = useState(false);
  const counts = useMemo(() => countByLabel(spans), [spans]);
  const visible = useMemo(() => filterSpans(spans, filter), [spans, filter]);
  const labelById = useMemo(() => new Map(labels.map((l) => [l.id, l])), [labels]);
  const allIds = useMemo(() => labels.map((l) => l.id), [labels]);
  const shown = showAll ? visible : visible.slice(0, SIDEBAR_PAGE);
  const spanById = useMemo(() => new Map(spans.map((s) => [s.id, s])), [spans]);

  return (
    <div className="span-sidebar">
      <fieldset className="label-filter">
        <legend>
          Filter by label{" "}
          <span className="muted">({spans.length === 1 ? "1 span" : `${spans.length} spans`})</span>
        </legend>
        {labels.map((l) => (
          <label key={l.id} className="inline">
            <input
              type="checkbox"
              checked={!filter || filter.has(l.id)}
              onChange={() => onFilterChange(toggleLabel(filter, l.id, allIds))}
            />
            <LabelBadge label={l} /> <span className="count">{counts.get(l.id) ?? 0}</span>
          </label>
        ))}
        {filter ? (
          <button type="button" className="link-button" onClick={() => onFilterChange(null)}>
            Show all labels
          </button>
        ) : null}
      </fieldset>
      {visible.length === 0 ? (
        <p className="g-empty">
          {spans.length > 0
            ? "No span with these labels."
            : props.editable === false
              ? "No spans in this layer."
              : "No spans yet. Select text and press a label's key."}
        </p>
      ) : (
        <ol className="span-list" aria-label="Spans in reading order">
          {shown.map((s) => {
            const label = labelById.get(s.label);
            const name = label?.name ?? `label ${s.label}`;
            const author =
              showAuthors && s.author != null ? (users?.get(s.author)?.name ?? `user ${s.author}`) : null;
            const snip = snippet(text, s.start, s.end);
            // an accepted suggestion says so (issue 14): it came from a model, not from the annotator's eye
            const p = s.provenance;
            const fromModel =
              p?.via === "suggestion"
                ? `accepted suggestion${p.recommender !== undefined ? ` from ${props.recommenderNames?.get(p.recommender) ?? "a model"}` : ""}`
                : null;
            return (
              <li key={s.id} data-span-id={s.id}>
                <button
                  type="button"
                  className="span-item"
                  aria-current={s.id === selectedId ? "true" : undefined}
                  aria-label={`${name}: ${snip}${author ? `, by ${author}` : ""}${fromModel ? ` (${fromModel})` : ""}`}
                  onClick={() => onSelect(s.id)}
                >
                  <LabelBadge label={label ?? { name: "?", color: "#777777" }} compact />
                  <span className="span-body">
                    <span className="span-label">{name}</span>
                    {author ? <span className="span-author">{author}</span> : null}
                    <span className="span-snippet">{snip}</span>
                    {s.note ? <span className="span-note">{s.note}</span> : null}
                    {fromModel ? <span className="span-origin">{fromModel}</span> : null}
                  </span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
      {!showAll && visible.length > SIDEBAR_PAGE ? (
        <button type="button" onClick={() => setShowAll(true)}>
          Show all {visible.length} spans
        </button>
      ) : null}
      {props.relations && props.relations.length > 0 ? (
        <RelationList
          relations={props.relations}
          spanById={spanById}
          labelById={labelById}
          text={text}
          onSelect={onSelect}
        />
      ) : null}
    </div>
  );
}

function RelationList(props: {
  relations: readonly Relation[];
  spanById: ReadonlyMap<string, Span>;
  labelById: ReadonlyMap<number, LabelDto>;
  text: string;
  onSelect(id: string): void;
}) {
  const describe = (id: string) => {
    const s = props.spanById.get(id);
    if (!s) return "(missing span)";
    return `${props.labelById.get(s.label)?.name ?? "span"} “${snippet(props.text, s.start, s.end, 32)}”`;
  };
  return (
    <section aria-labelledby="relations-title" className="relations">
      <h3 id="relations-title">Relations</h3>
      <ul>
        {props.relations.map((r) => (
          <li key={r.id}>
            <button type="button" className="link-button" onClick={() => props.onSelect(r.from)}>
              {describe(r.from)}
            </button>{" "}
            <span className="relation-type">{r.type} →</span>{" "}
            <button type="button" className="link-button" onClick={() => props.onSelect(r.to)}>
              {describe(r.to)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
