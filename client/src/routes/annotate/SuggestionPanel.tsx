/**
 * The sidebar's suggestions group (issue 14): the ghost spans in reading order, each with its recommender
 * and score, Accept and Reject buttons; show/hide per recommender; and "accept all of a label above a
 * score". Picking one selects it in the text, where Enter and Delete act on it too.
 */
import type { LabelDto } from "@gloss/shared";
import { type FormEvent, useState } from "react";
import { LabelBadge } from "../../components/LabelBadge";
import { latestMutation, MutationDone, MutationError } from "../../components/MutationStatus";
import { snippet } from "../../components/spanList";
import { describeSuggestion, type EditorSuggestion } from "../../editor";
import styles from "./SuggestionPanel.module.css";
import type { WorkspaceSuggestions } from "./useSuggestions";

export interface SuggestionPanelProps {
  text: string;
  labels: readonly LabelDto[];
  suggestions: WorkspaceSuggestions;
  selectedKey: string | null;
  onSelect(key: string): void;
  editable: boolean;
}

/** The suggestions group of the sidebar. */
export function SuggestionPanel(props: SuggestionPanelProps) {
  const { text, labels, suggestions: sg, selectedKey, editable } = props;
  const labelById = new Map(labels.map((l) => [l.id, l]));
  const ordered = [...sg.shown].sort((a, b) => a.start - b.start || a.end - b.end);
  const pending = sg.query.data?.pending ?? [];
  const failed = sg.query.data?.failed ?? [];
  const last = latestMutation(...sg.writes);
  return (
    <section className={styles.panel} aria-labelledby="suggestions-title" data-testid="suggestions">
      <h3 id="suggestions-title">
        Suggestions <span className="muted">({ordered.length})</span>
      </h3>
      {sg.sources.length > 0 ? (
        <fieldset className={styles.sources}>
          <legend>Show suggestions from</legend>
          {sg.sources.map((r) => (
            <label key={r.id} className="inline">
              <input type="checkbox" checked={!sg.hidden.has(r.id)} onChange={() => sg.toggle(r.id)} />
              {r.name} <span className="count">{r.count}</span>
              {pending.includes(r.id) ? <span className="muted"> (computing…)</span> : null}
            </label>
          ))}
        </fieldset>
      ) : null}
      {failed.map((f) => (
        <p key={f.recommender} className="muted" role="status">
          Recommender {sg.sources.find((r) => r.id === f.recommender)?.name ?? f.recommender} failed:{" "}
          {f.error}
        </p>
      ))}
      {sg.query.isError ? <p className="muted">Suggestions could not be read.</p> : null}
      {ordered.length === 0 ? (
        <p className="g-empty">
          {sg.query.isPending ? "Looking for suggestions…" : "No suggestions for this document."}
        </p>
      ) : (
        <ol className={styles.list} aria-label="Suggestions in reading order">
          {ordered.map((s) => (
            <SuggestionItem
              key={s.key}
              s={s}
              label={labelById.get(s.label)}
              snip={snippet(text, s.start, s.end)}
              selected={s.key === selectedKey}
              editable={editable}
              onSelect={() => props.onSelect(s.key)}
              onSettle={(action) => sg.settle(s, action)}
            />
          ))}
        </ol>
      )}
      {editable && sg.all.length > 0 ? <AcceptAll labels={labels} suggestions={sg} /> : null}
      <MutationError mutation={last} />
      {last === sg.acceptAll && sg.acceptAll.data ? (
        <MutationDone mutation={sg.acceptAll}>{acceptedText(sg.acceptAll.data.accepted.length)}</MutationDone>
      ) : null}
    </section>
  );
}

const acceptedText = (n: number) => `Accepted ${n} suggestion${n === 1 ? "" : "s"}.`;

function SuggestionItem(props: {
  s: EditorSuggestion;
  label: LabelDto | undefined;
  snip: string;
  selected: boolean;
  editable: boolean;
  onSelect(): void;
  onSettle(action: "accept" | "reject"): void;
}) {
  const { s, label, snip } = props;
  return (
    <li data-suggestion={s.key} className={styles.item}>
      <button
        type="button"
        className={`span-item ${styles.pick}`}
        aria-current={props.selected ? "true" : undefined}
        aria-label={`${describeSuggestion(s)}: ${snip}`}
        onClick={props.onSelect}
      >
        <LabelBadge label={label ?? { name: "?", color: "#777777" }} compact />
        <span className="span-body">
          <span className="span-label">
            {s.labelName} <span className={styles.tag}>suggested</span>
          </span>
          <span className="span-snippet">{snip}</span>
          <span className="span-author">
            {s.recommenderName}, score {s.score.toFixed(2)}
          </span>
        </span>
      </button>
      {props.editable ? (
        <span className={styles.actions}>
          <button type="button" onClick={() => props.onSettle("accept")} aria-label={`Accept ${snip}`}>
            Accept
          </button>
          <button type="button" onClick={() => props.onSettle("reject")} aria-label={`Reject ${snip}`}>
            Reject
          </button>
        </span>
      ) : null}
    </li>
  );
}

function AcceptAll({
  labels,
  suggestions: sg,
}: {
  labels: readonly LabelDto[];
  suggestions: WorkspaceSuggestions;
}) {
  const [label, setLabel] = useState<number>(labels[0]?.id ?? 0);
  const [threshold, setThreshold] = useState("0.8");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = Number(threshold);
    if (!label || !Number.isFinite(t)) return;
    sg.acceptAll.mutate({ label, threshold: Math.min(1, Math.max(0, t)) });
  };
  return (
    <form className={styles.acceptAll} onSubmit={submit} aria-label="Accept all suggestions above a score">
      <label>
        Accept all
        <select value={label} onChange={(e) => setLabel(Number(e.target.value))}>
          {labels.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        scoring at least
        <input
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
        />
      </label>
      <button type="submit" disabled={sg.acceptAll.isPending}>
        Accept
      </button>
    </form>
  );
}
