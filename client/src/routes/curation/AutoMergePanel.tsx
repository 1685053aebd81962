/**
 * Auto-merge: writes every version enough annotators agree on into gold (docs/curation.md), and shows
 * what was merged and what was skipped, with the reason in words.
 */
import type { AutoMergeResultDto, DocumentCurationDto, SkipReason } from "@gloss/shared";
import { useState } from "react";
import styles from "./CurationPage.module.css";

const REASON_TEXT: Record<SkipReason | "invalid", string> = {
  "in-gold": "already in gold",
  rejected: "a curator rejected or removed it",
  "disagreement-rejected": "its disagreement was rejected",
  "disagreement-resolved": "gold already settles its disagreement",
  "gold-has-version": "gold holds another version of it",
  ambiguous: "another agreed version competes with it",
  "ends-not-in-gold": "a relation whose ends are not in gold",
  invalid: "no longer valid (e.g. its label was deleted)",
};

/** The candidate a skipped key names, as "label “text”" (keys are opaque; the view knows their spans). */
function describeKey(view: DocumentCurationDto | undefined, key: string): string {
  for (const site of view?.sites ?? [])
    for (const c of site.candidates) if (c.key === key) return `${c.labelName} “${c.text}”`;
  for (const r of view?.relations ?? []) if (r.key === key) return `relation ${r.type}`;
  return key.startsWith("r:") ? "a relation" : "a span";
}

/** The auto-merge control and its last result. */
export function AutoMergePanel(props: {
  view: DocumentCurationDto | undefined;
  busy: boolean;
  onMerge(threshold: number | undefined): Promise<AutoMergeResultDto | null>;
}) {
  const [threshold, setThreshold] = useState<string>("");
  const [result, setResult] = useState<{
    r: AutoMergeResultDto;
    view: DocumentCurationDto | undefined;
  } | null>(null);
  const annotators = props.view?.annotators.length ?? 0;
  return (
    <section aria-labelledby="automerge-title">
      <h2 id="automerge-title" className="visually-hidden">
        Auto-merge
      </h2>
      <div className="row">
        <label className="inline">
          Agreement needed
          <select value={threshold} onChange={(e) => setThreshold(e.target.value)}>
            <option value="">all annotators</option>
            {Array.from({ length: Math.max(0, annotators - 2) }, (_, i) => annotators - 1 - i).map((n) => (
              <option key={n} value={n}>
                {n} of {annotators}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={props.busy}
          onClick={async () => {
            const view = props.view;
            const r = await props.onMerge(threshold ? Number(threshold) : undefined);
            if (r) setResult({ r, view });
          }}
        >
          Auto-merge
        </button>
      </div>
      {result ? <MergeResult result={result.r} view={result.view} onClose={() => setResult(null)} /> : null}
    </section>
  );
}

function MergeResult({
  result,
  view,
  onClose,
}: {
  result: AutoMergeResultDto;
  view: DocumentCurationDto | undefined;
  onClose(): void;
}) {
  const added = result.added.spans.length;
  const relations = result.added.relations.length;
  const groups = new Map<string, string[]>();
  for (const s of result.skipped) {
    const text = REASON_TEXT[s.reason] ?? s.reason;
    groups.set(text, [...(groups.get(text) ?? []), describeKey(view, s.key)]);
  }
  return (
    <div className={styles.mergeResult} role="status" data-merge-result="">
      <p>
        <strong>
          Merged {added} span{added === 1 ? "" : "s"}
          {relations ? ` and ${relations} relation${relations === 1 ? "" : "s"}` : ""}
        </strong>{" "}
        <span className="muted">
          ({result.required} of {result.annotators} annotators had to agree)
          {result.skipped.length ? `; skipped ${result.skipped.length}` : ""}.
        </span>{" "}
        <button type="button" className="link-button" onClick={onClose}>
          Dismiss
        </button>
      </p>
      {added ? (
        <ul className={styles.merged} data-merged="">
          {result.added.spans.map((s) => (
            <li key={s.id}>
              {s.labelName} <q>{s.text}</q>
            </li>
          ))}
        </ul>
      ) : null}
      {groups.size ? (
        <details>
          <summary>Skipped, by reason</summary>
          <ul>
            {[...groups].map(([reason, items]) => (
              <li key={reason}>
                {reason}: {items.join("; ")}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
