/**
 * The curator's own version of a disagreement: a label and boundaries (shown in characters — code
 * points, as the API and exports count — sent as UTF-16 with `?offsets=utf16`), with the covered text
 * previewed as it changes.
 */
import { type CurationDecisionBody, type LabelDto, OffsetMap } from "@gloss/shared";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import styles from "./panel.module.css";

export interface EditSeed {
  /** UTF-16 offsets. */
  start: number;
  end: number;
  label: number;
}

/** The edit form. */
export function EditForm(props: {
  text: string;
  labels: readonly LabelDto[];
  seed: EditSeed;
  replaces?: string;
  busy: boolean;
  onSubmit(body: CurationDecisionBody): void;
  onCancel(): void;
}) {
  const { text, seed } = props;
  const map = useMemo(() => new OffsetMap(text), [text]);
  const length = map.toCodePoint(text.length);
  const [start, setStart] = useState(() => map.toCodePoint(seed.start));
  const [end, setEnd] = useState(() => map.toCodePoint(seed.end));
  const [label, setLabel] = useState(seed.label);
  const [note, setNote] = useState("");
  const id = useId();
  const firstField = useRef<HTMLSelectElement>(null);
  // opened by E or a button: the form takes the focus (and comes into view in a scrolled sidebar)
  useEffect(() => {
    firstField.current?.focus();
    firstField.current?.scrollIntoView({ block: "nearest" });
  }, []);
  const valid =
    Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= length && start < end;
  const preview = valid ? text.slice(map.toUtf16(start), map.toUtf16(end)) : "";
  const clamp = (n: number) => Math.max(0, Math.min(length, n));

  return (
    <form
      className={styles.editForm}
      aria-label="Edit the gold version"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        props.onSubmit({
          action: "edit",
          start: map.toUtf16(start),
          end: map.toUtf16(end),
          label,
          ...(note.trim() ? { note: note.trim() } : {}),
          ...(props.replaces ? { replaces: props.replaces } : {}),
        });
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") props.onCancel();
      }}
    >
      <h3>Your version</h3>
      <label>
        Label
        <select ref={firstField} value={label} onChange={(e) => setLabel(Number(e.target.value))}>
          {props.labels.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      <div className={`row ${styles.boundaries}`}>
        <Boundary name="Start" value={start} onChange={(v) => setStart(clamp(v))} />
        <Boundary name="End" value={end} onChange={(v) => setEnd(clamp(v))} />
      </div>
      <p className={styles.preview} id={`${id}-preview`} aria-live="polite" data-preview="">
        {valid ? (
          <>
            Covers: <q>{preview}</q>
          </>
        ) : (
          <span className={styles.errorText}>
            The start must come before the end, inside the text ({length} characters).
          </span>
        )}
      </p>
      <label>
        Note <span className="hint">(optional)</span>
        <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="row">
        <button
          type="submit"
          className="primary"
          disabled={!valid || props.busy}
          aria-describedby={`${id}-preview`}
        >
          Save to gold
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Boundary({ name, value, onChange }: { name: string; value: number; onChange(v: number): void }) {
  return (
    <span className={styles.boundary}>
      <label>
        {name} (character)
        <input type="number" min={0} value={value} onChange={(e) => onChange(Number(e.target.value))} />
      </label>
      <span className={`row ${styles.nudge}`}>
        <button
          type="button"
          aria-label={`${name} one character earlier`}
          onClick={() => onChange(value - 1)}
        >
          ◀
        </button>
        <button type="button" aria-label={`${name} one character later`} onClick={() => onChange(value + 1)}>
          ▶
        </button>
      </span>
    </span>
  );
}
