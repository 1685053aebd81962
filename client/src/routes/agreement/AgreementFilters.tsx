/** The agreement filters: labels, annotators, documents, gold as a further layer, overlap threshold. */
import type { DocumentSummaryDto, LabelDto } from "@gloss/shared";
import type { AgreementFilter } from "./agreementFilter";

export interface AnnotatorOption {
  userId: number;
  name: string;
}

function toggle(xs: readonly number[], x: number, on: boolean): number[] {
  return on ? [...xs, x] : xs.filter((y) => y !== x);
}

/** The filter form; every change applies at once (the page reloads the report). */
export function AgreementFilters(props: {
  filter: AgreementFilter;
  onChange(f: AgreementFilter): void;
  labels: readonly LabelDto[];
  annotators: readonly AnnotatorOption[];
  documents: readonly DocumentSummaryDto[];
}) {
  const { filter, onChange } = props;
  return (
    <form className="agreement-filters" aria-label="Agreement filters" onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>Labels</legend>
        <p className="hint">None ticked: every label.</p>
        {props.labels.map((l) => (
          <label key={l.id} className="inline">
            <input
              type="checkbox"
              checked={filter.labels.includes(l.id)}
              onChange={(e) => onChange({ ...filter, labels: toggle(filter.labels, l.id, e.target.checked) })}
            />
            <span className="swatch" style={{ background: l.color }} aria-hidden="true" />
            {l.name}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Annotators</legend>
        <p className="hint">None ticked: every annotator.</p>
        {props.annotators.length === 0 ? <p className="muted">No annotators yet.</p> : null}
        {props.annotators.map((a) => (
          <label key={a.userId} className="inline">
            <input
              type="checkbox"
              checked={filter.annotators.includes(a.userId)}
              onChange={(e) =>
                onChange({ ...filter, annotators: toggle(filter.annotators, a.userId, e.target.checked) })
              }
            />
            {a.name}
          </label>
        ))}
        <label className="inline">
          <input
            type="checkbox"
            checked={filter.withGold}
            onChange={(e) => onChange({ ...filter, withGold: e.target.checked })}
          />
          Compare with the gold layer too
        </label>
      </fieldset>
      <fieldset>
        <legend>Documents and matching</legend>
        <label>
          Documents
          <select
            multiple
            size={Math.min(6, Math.max(3, props.documents.length))}
            value={filter.documents.map(String)}
            onChange={(e) =>
              onChange({ ...filter, documents: Array.from(e.target.selectedOptions, (o) => Number(o.value)) })
            }
          >
            {props.documents.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          <span className="hint">None selected: every document. Ctrl/Cmd-click selects several.</span>
        </label>
        <label>
          Overlap match
          <select
            value={String(filter.minIou)}
            onChange={(e) => onChange({ ...filter, minIou: Number(e.target.value) })}
          >
            <option value="0">any overlap</option>
            <option value="0.5">IoU ≥ 0.5</option>
            <option value="0.75">IoU ≥ 0.75</option>
          </select>
        </label>
      </fieldset>
    </form>
  );
}
