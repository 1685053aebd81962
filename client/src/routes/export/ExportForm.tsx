/** The export choices: format, layer, offsets, filters and the format's own options. */
import { type DocumentSummaryDto, EXPORT_FORMATS, FORMAT_INFO, type LabelDto } from "@gloss/shared";
import { DocumentPicker } from "../../components/DocumentPicker";
import { type ExportState, isHuggingFace, type OverlapPolicy, tagsTokens } from "./exportQuery";

export interface LayerChoice {
  value: string;
  text: string;
}

const STATUSES = [
  { value: "todo", text: "To do" },
  { value: "in_progress", text: "In progress" },
  { value: "done", text: "Done" },
] as const;

const SPLIT_NAMES = ["Train", "Validation", "Test"] as const;

function toggled<T>(xs: readonly T[], x: T, on: boolean): T[] {
  return on ? [...xs, x] : xs.filter((y) => y !== x);
}

/** The form (controlled). */
export function ExportForm(props: {
  state: ExportState;
  onChange(s: ExportState): void;
  layers: readonly LayerChoice[];
  labels: readonly LabelDto[];
  projectId: number;
  /** The chosen documents (`state.documents` are their ids); none: every document. */
  documents: readonly DocumentSummaryDto[];
  onDocuments(documents: DocumentSummaryDto[]): void;
}) {
  const { state: s, onChange } = props;
  const set = (patch: Partial<ExportState>) => onChange({ ...s, ...patch });
  return (
    <form className="export-form" aria-label="Export options" onSubmit={(e) => e.preventDefault()}>
      <div className="export-grid">
        <fieldset>
          <legend>What</legend>
          <label>
            Format
            <select
              value={s.format}
              onChange={(e) => set({ format: e.target.value as ExportState["format"] })}
            >
              {EXPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_INFO[f].title}
                </option>
              ))}
            </select>
          </label>
          <label>
            Layer
            <select value={s.layer} onChange={(e) => set({ layer: e.target.value })}>
              {props.layers.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.text}
                </option>
              ))}
            </select>
          </label>
          <label>
            Offsets
            <select
              value={s.offsets}
              onChange={(e) => set({ offsets: e.target.value as ExportState["offsets"] })}
            >
              <option value="codepoint">Code points (as Python indexes)</option>
              <option value="utf16">UTF-16 code units (as JavaScript indexes)</option>
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>Filters</legend>
          <DocumentPicker
            projectId={props.projectId}
            chosen={props.documents}
            onChange={props.onDocuments}
            noneChosen="None chosen: every document."
          />
          <fieldset className="check-group">
            <legend>Labels</legend>
            {props.labels.map((l) => (
              <label key={l.id} className="inline">
                <input
                  type="checkbox"
                  checked={s.labels.includes(l.name)}
                  onChange={(e) => set({ labels: toggled(s.labels, l.name, e.target.checked) })}
                />
                {l.name}
              </label>
            ))}
            <span className="hint">None ticked: every label.</span>
          </fieldset>
          <fieldset className="check-group">
            <legend>Status</legend>
            {STATUSES.map((st) => (
              <label key={st.value} className="inline">
                <input
                  type="checkbox"
                  checked={s.status.includes(st.value)}
                  onChange={(e) => set({ status: toggled(s.status, st.value, e.target.checked) })}
                />
                {st.text}
              </label>
            ))}
            <span className="hint">
              Curation status for gold and majority, assignment status for annotators.
            </span>
          </fieldset>
          {s.layer === "gold" && !s.status.length ? (
            <label className="inline">
              <input
                type="checkbox"
                checked={s.includeUncurated}
                onChange={(e) => set({ includeUncurated: e.target.checked })}
              />
              Include documents whose curation is not done
              <span className="hint">By default gold holds curated documents only.</span>
            </label>
          ) : null}
        </fieldset>
        {tagsTokens(s.format) ? (
          <fieldset>
            <legend>{isHuggingFace(s.format) ? "Hugging Face options" : "Token tags"}</legend>
            <label>
              Overlapping spans
              <select value={s.overlap} onChange={(e) => set({ overlap: e.target.value as OverlapPolicy })}>
                <option value="keep-longest">Keep the longest</option>
                <option value="keep-first">Keep the first</option>
                {isHuggingFace(s.format) ? <option value="per-label">One file per label</option> : null}
              </select>
              <span className="hint">
                One tag column cannot hold overlapping spans; the dropped ones are counted.
              </span>
            </label>
            {isHuggingFace(s.format) ? (
              <>
                <fieldset className="row split-row">
                  <legend>Split ratios</legend>
                  {SPLIT_NAMES.map((name, i) => (
                    <label key={name}>
                      {name}
                      <input
                        type="number"
                        min={0}
                        max={1}
                        step={0.05}
                        value={s.split[i]}
                        onChange={(e) => {
                          const split = [...s.split] as ExportState["split"];
                          split[i] = Number(e.target.value);
                          set({ split });
                        }}
                      />
                    </label>
                  ))}
                </fieldset>
                <label>
                  Seed
                  <input
                    type="number"
                    min={0}
                    step={1}
                    value={s.seed}
                    onChange={(e) => set({ seed: Number(e.target.value) })}
                  />
                </label>
                <label>
                  Examples
                  <select
                    value={s.granularity}
                    onChange={(e) => set({ granularity: e.target.value as ExportState["granularity"] })}
                  >
                    <option value="sentence">One per sentence</option>
                    <option value="document">One per document</option>
                  </select>
                </label>
              </>
            ) : null}
          </fieldset>
        ) : null}
      </div>
    </form>
  );
}
