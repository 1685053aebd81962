/** An assignment or layer status as a word with a symbol (colour is never the only signal). */
import type { AssignmentStatus } from "@gloss/shared";

const TEXT: Record<AssignmentStatus, string> = { todo: "to do", in_progress: "in progress", done: "done" };
const MARK: Record<AssignmentStatus, string> = { todo: "○", in_progress: "◐", done: "●" };

/** A status word, e.g. "● done", optionally prefixed by who. */
export function StatusChip({ status, who }: { status: AssignmentStatus; who?: string }) {
  return (
    <span className={`chip status-${status}`}>
      <span aria-hidden="true">{MARK[status]} </span>
      {who ? `${who}: ` : ""}
      {TEXT[status]}
    </span>
  );
}
