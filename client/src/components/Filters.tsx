/** The filters of the lists the server searches and pages: a search box and the status choice. */
import type { AssignmentStatus } from "@gloss/shared";

/** A labelled search box (the caller debounces what it sends and goes back to the first page). */
export function SearchField(props: { label?: string; value: string; onChange(value: string): void }) {
  return (
    <label>
      {props.label ?? "Search"}
      <input type="search" value={props.value} onChange={(e) => props.onChange(e.target.value)} />
    </label>
  );
}

/** An assignment or curation status to filter by ("" for any). */
export function StatusFilter(props: {
  value: AssignmentStatus | "";
  onChange(value: AssignmentStatus | ""): void;
}) {
  return (
    <label>
      Status
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as AssignmentStatus | "")}>
        <option value="">any</option>
        <option value="todo">to do</option>
        <option value="in_progress">in progress</option>
        <option value="done">done</option>
      </select>
    </label>
  );
}
