/** The user's queue in a project: their assigned documents, with "Next document". */
import type { QueueItemDto } from "@gloss/shared";
import { Link, useNavigate } from "@tanstack/react-router";
import { ApiError } from "../api/client";
import { useQueueQuery } from "../api/queries";
import { QueryView } from "../components/QueryView";
import { StatusChip } from "../components/StatusChip";

type QueueItem = QueueItemDto;

/** The next document to work on: the first in queue order that is not done and not the current one. */
export function nextInQueue(queue: readonly QueueItem[], currentId?: number): QueueItem | null {
  return queue.find((d) => d.status !== "done" && d.documentId !== currentId) ?? null;
}

/** The queue section of the project page (hidden when the user has nothing assigned). */
export function QueuePanel({ projectId }: { projectId: number }) {
  const queue = useQueueQuery(projectId);
  return (
    <QueryView
      query={queue}
      errorTitle="Could not load your queue"
      loading=""
      // 404/403: no queue for this caller (not an annotator here); nothing to show
      ignoreError={(err) => err instanceof ApiError && (err.status === 404 || err.status === 403)}
    >
      {(q) => (q.queue.length === 0 ? null : <Queue docs={q.queue} />)}
    </QueryView>
  );
}

function Queue({ docs }: { docs: QueueItem[] }) {
  const navigate = useNavigate();
  const next = nextInQueue(docs);
  const remaining = docs.filter((d) => d.status !== "done").length;
  return (
    <section className="panel queue" aria-labelledby="queue-title">
      <div className="page-title">
        <h2 id="queue-title">Your queue</h2>
        <button
          type="button"
          className="primary"
          disabled={!next}
          onClick={() =>
            next && navigate({ to: "/documents/$documentId", params: { documentId: next.documentId } })
          }
        >
          Next document
        </button>
      </div>
      <p className="muted">
        {remaining === 0 ? "All done — thank you." : `${remaining} of ${docs.length} left.`}
      </p>
      <ol className="queue-list">
        {docs.map((d) => (
          <li key={d.documentId}>
            <Link to="/documents/$documentId" params={{ documentId: d.documentId }}>
              {d.name}
            </Link>{" "}
            <StatusChip status={d.status} />
          </li>
        ))}
      </ol>
    </section>
  );
}
