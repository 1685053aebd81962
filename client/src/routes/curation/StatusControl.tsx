/** The document's curation status control and the view's counts in words. */
import type { AssignmentStatus, DocumentCurationDto } from "@gloss/shared";
import styles from "./CurationPage.module.css";

const STATUSES: Array<{ value: AssignmentStatus; text: string }> = [
  { value: "todo", text: "To do" },
  { value: "in_progress", text: "In progress" },
  { value: "done", text: "Done" },
];

/** A select for todo / in progress / done (PUT …/curation/status). */
export function StatusControl(props: {
  status: AssignmentStatus;
  busy: boolean;
  onChange(s: AssignmentStatus): void;
}) {
  return (
    <label className={`inline ${styles.statusControl}`}>
      Curation status
      <select
        value={props.status}
        disabled={props.busy}
        onChange={(e) => props.onChange(e.target.value as AssignmentStatus)}
      >
        {STATUSES.map((s) => (
          <option key={s.value} value={s.value}>
            {s.text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "2 annotators · 5 agreed · 3 disagreements (1 missing, 1 boundary, 1 label) · 2 open, 1 resolved". */
export function CurationCounts({
  view,
  names,
}: {
  view: DocumentCurationDto;
  names: ReadonlyMap<number, string>;
}) {
  const c = view.counts;
  const kinds = [
    c.missing ? `${c.missing} missing` : null,
    c.boundary ? `${c.boundary} boundary` : null,
    c.label ? `${c.label} label` : null,
  ].filter(Boolean);
  return (
    <p className="meta" data-open={c.open}>
      <span>
        {view.annotators.length} annotator{view.annotators.length === 1 ? "" : "s"}:{" "}
        {view.annotators
          .map(
            (a) =>
              `${names.get(a.userId) ?? a.username} (${a.spans} ${a.spans === 1 ? "span" : "spans"}${a.status ? `, ${a.status.replace("_", " ")}` : ""})`,
          )
          .join(", ") || "none yet"}
      </span>
      <span>{c.agreed} agreed</span>
      <span>
        {c.disagreements} disagreement{c.disagreements === 1 ? "" : "s"}
        {kinds.length ? ` (${kinds.join(", ")})` : ""}
      </span>
      <span>
        <strong>{c.open} open</strong>, {c.resolved} resolved
      </span>
      <span>{view.gold.spans.length} gold spans</span>
      {view.changedAfterCuration ? (
        <span className="chip changed-after" role="status">
          changed after curation: an annotator edited their layer after curation started
        </span>
      ) : null}
    </p>
  );
}
