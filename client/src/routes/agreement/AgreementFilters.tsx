/** The agreement filters: labels, annotators, documents (a server search), gold as a further layer, overlap. */
import type { DocumentSummaryDto, LabelDto } from "@gloss/shared";
import { DocumentPicker } from "../../components/DocumentPicker";
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
  projectId: number;
  /** The chosen documents (the filter's `documents` are their ids); none: every document. */
  documents: readonly DocumentSummaryDto[];
  onDocuments(documents: DocumentSummaryDto[]): void;
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
      <DocumentPicker
        projectId={props.projectId}
        chosen={props.documents}
        onChange={props.onDocuments}
        noneChosen="None chosen: every document."
      />
      <fieldset>
        <legend>Matching</legend>
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
