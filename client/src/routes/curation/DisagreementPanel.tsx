/**
 * The current disagreement: its kinds in words, the competing versions with who marked them, what gold
 * holds for it (with provenance), and the decisions — accept a version (the key of a lane that has it,
 * 1–9), edit (E), reject (R). Text selected in the lanes opens "your version" over it.
 */
import {
  type CurationDecisionBody,
  type CurationSpanDto,
  type DocumentCurationDto,
  type LabelDto,
  OffsetMap,
} from "@gloss/shared";
import { useMemo } from "react";
import { LabelBadge } from "../../components/LabelBadge";
import {
  acceptBody,
  type DisagreementItem,
  KIND_HINT,
  kindsText,
  RESOLUTION_TEXT,
  replacedGoldSpan,
  versionsOf,
} from "./disagreements";
import { EditForm, type EditSeed } from "./EditForm";
import styles from "./panel.module.css";

export interface DisagreementPanelProps {
  item: DisagreementItem | null;
  total: number;
  open: number;
  view: DocumentCurationDto;
  text: string;
  labels: readonly LabelDto[];
  /** Display names by user id. */
  names: ReadonlyMap<number, string>;
  layerNames: ReadonlyMap<string, string>;
  /** The key (1–9) of each annotator lane, by layer. */
  laneKeys: ReadonlyMap<string, string>;
  busy: boolean;
  editing: EditSeed | null;
  onEdit(seed: EditSeed | null): void;
  onDecide(body: CurationDecisionBody): void;
}

const labelOf = (labels: readonly LabelDto[], id: number, name: string) =>
  labels.find((l) => l.id === id) ?? { name, color: "#777777" };

const VIA_TEXT = {
  "auto-merge": "auto-merged",
  accept: "accepted",
  edit: "edited",
  manual: "written",
  import: "imported",
  suggestion: "accepted model suggestion",
};

/** "accepted by Cora · had by Ann, Bob · 14:02" */
function provenanceText(s: CurationSpanDto, names: ReadonlyMap<number, string>): string {
  const p = s.provenance;
  if (!p) return s.author ? `written by ${names.get(s.author) ?? `user ${s.author}`}` : "no provenance";
  const who = p.decidedBy === null ? "" : ` by ${names.get(p.decidedBy) ?? `user ${p.decidedBy}`}`;
  const had = p.annotators.length
    ? ` · had by ${p.annotators.map((id) => names.get(id) ?? `user ${id}`).join(", ")}`
    : "";
  return `${VIA_TEXT[p.via] ?? p.via}${who}${had} · ${new Date(p.decidedAt).toLocaleString()}`;
}

/** The panel. */
export function DisagreementPanel(props: DisagreementPanelProps) {
  const { item, view, labels, names, busy } = props;
  const map = useMemo(() => new OffsetMap(props.text), [props.text]);
  const editForm = (replaces: string | undefined) =>
    props.editing ? (
      <EditForm
        key={`${item?.disagreement.key}:${props.editing.start}:${props.editing.end}:${props.editing.label}`}
        text={props.text}
        labels={labels}
        seed={props.editing}
        replaces={replaces}
        busy={busy}
        onSubmit={props.onDecide}
        onCancel={() => props.onEdit(null)}
      />
    ) : null;
  if (!item) {
    return (
      <section className={styles.panel} aria-labelledby="dis-title">
        <h2 id="dis-title">Disagreements</h2>
        <p className="muted">
          {props.total === 0
            ? "The annotators agree everywhere: nothing to settle. Auto-merge writes their spans into gold."
            : `${props.open} of ${props.total} open. Press J or “Next” to start.`}{" "}
          Select text in the lanes to write a version of your own.
        </p>
        {editForm(undefined)}
      </section>
    );
  }
  const d = item.disagreement;
  const gold = d.goldSpanIds
    .map((id) => view.gold.spans.find((s) => s.id === id))
    .filter((s): s is CurationSpanDto => !!s);
  const who = (c: (typeof item.candidates)[number]) =>
    c.annotators.map((a) => names.get(a.userId) ?? props.layerNames.get(a.layer) ?? a.layer).join(", ");
  const first = item.candidates[0];
  // the keys that accept this version: of the lanes whose (first) version here it is
  const keysOf = (c: (typeof item.candidates)[number]) =>
    c.annotators
      .filter((a) => versionsOf(item, a.layer)[0] === c)
      .map((a) => props.laneKeys.get(a.layer))
      .filter((k): k is string => !!k);
  // a version written over other text is new: it replaces nothing of this disagreement's gold
  const editing = props.editing;
  const overSite = !!editing && editing.start < item.site.end && editing.end > item.site.start;

  return (
    <section className={styles.panel} aria-labelledby="dis-title" data-disagreement-key={d.key}>
      <h2 id="dis-title">
        Disagreement {item.index + 1} of {props.total}
      </h2>
      <p className={styles.kinds}>
        {d.kinds.map((k) => (
          <span key={k} className={styles.kindBadge} title={KIND_HINT[k]} data-kind={k}>
            {k}
          </span>
        ))}
        <span className={`${styles.resChip} ${d.resolution === "gold" ? styles.resGold : ""}`}>
          {RESOLUTION_TEXT[d.resolution]}
        </span>
      </p>
      <p className="sr-status visually-hidden" aria-live="polite">
        Disagreement {item.index + 1}: {kindsText(d.kinds)}, {RESOLUTION_TEXT[d.resolution]}
      </p>
      <blockquote className={styles.siteText}>{item.site.text}</blockquote>
      {d.missingIn.length ? (
        <p className="hint">Missing in: {d.missingIn.map((l) => props.layerNames.get(l) ?? l).join(", ")}</p>
      ) : null}
      <h3>Versions</h3>
      <ol className={styles.candidates}>
        {item.candidates.map((c, i) => {
          const inGold = c.goldSpanIds.length > 0;
          const body = acceptBody(item, c, view.gold.spans);
          const keys = keysOf(c);
          return (
            <li key={c.key} className={styles.candidate} data-candidate={i + 1}>
              <div className={styles.candidateHead}>
                <LabelBadge label={labelOf(labels, c.label, c.labelName)} />
                <span className="muted">
                  characters {map.toCodePoint(c.start)}–{map.toCodePoint(c.end)}
                </span>
              </div>
              <q className={styles.candidateText} data-candidate-text="">
                {c.text}
              </q>
              <p className={styles.candidateWho} data-candidate-who="">
                Marked by {who(c)}
                {inGold ? <strong className={styles.inGold}> · in gold ✓</strong> : null}
                {c.rejected ? <span className="muted"> · rejected</span> : null}
              </p>
              <div className="row">
                <button
                  type="button"
                  className={inGold ? undefined : "primary"}
                  disabled={busy || inGold}
                  aria-keyshortcuts={keys.length ? keys.join(" ") : undefined}
                  aria-label={`Accept version ${i + 1}: ${c.labelName} by ${who(c)}`}
                  onClick={() => props.onDecide(body)}
                >
                  Accept
                  {keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </button>
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Edit version ${i + 1}`}
                  onClick={() => props.onEdit({ start: c.start, end: c.end, label: c.label })}
                >
                  Edit…
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <h3>In gold</h3>
      {gold.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ul className={styles.goldList} data-gold-list="">
          {gold.map((g) => (
            <li key={g.id}>
              <LabelBadge label={labelOf(labels, g.label, g.labelName)} /> <q>{g.text}</q>
              <span className="hint">{provenanceText(g, names)}</span>
              <button
                type="button"
                className="link-button danger"
                disabled={busy}
                onClick={() => props.onDecide({ action: "remove", goldSpanId: g.id })}
              >
                Remove from gold
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className={`row ${styles.decisions}`}>
        {d.resolution === "rejected" ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => props.onDecide({ action: "unreject", key: d.key })}
          >
            Undo rejection
          </button>
        ) : (
          <button
            type="button"
            className="danger"
            disabled={busy}
            aria-keyshortcuts="R"
            onClick={() => props.onDecide({ action: "reject", key: d.key, removeGold: true })}
          >
            Reject all versions <kbd>R</kbd>
          </button>
        )}
        {first ? (
          <button
            type="button"
            disabled={busy}
            aria-keyshortcuts="E"
            onClick={() => props.onEdit({ start: first.start, end: first.end, label: first.label })}
          >
            Write my own <kbd>E</kbd>
          </button>
        ) : null}
      </div>
      {editForm(overSite ? replacedGoldSpan(d, view.gold.spans) : undefined)}
    </section>
  );
}
