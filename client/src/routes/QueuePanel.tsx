/** The user's queue in a project: a page of their assigned documents, searched server-side, with "Next document". */
import type { AssignmentStatus, QueueDto, QueueItemDto } from "@gloss/shared";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { ApiError } from "../api/client";
import { useQueueQuery } from "../api/queries";
import { SearchField, StatusFilter } from "../components/Filters";
import { Pager } from "../components/Pager";
import { QueryView } from "../components/QueryView";
import { StatusChip } from "../components/StatusChip";
import { useDebounced } from "../components/useDebounced";

type QueueItem = QueueItemDto;

/** Entries per page of the queue panel. */
const PAGE = 50;

/** The next document to work on: the first in queue order that is not done and not the current one. */
export function nextInQueue(queue: readonly QueueItem[], currentId?: number): QueueItem | null {
  return queue.find((d) => d.status !== "done" && d.documentId !== currentId) ?? null;
}

/** The queue section of the project page (hidden when the user has nothing assigned). */
export function QueuePanel({ projectId }: { projectId: number }) {
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<AssignmentStatus | "">("");
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q.trim(), 250);
  const queue = useQueueQuery(projectId, {
    q: search || undefined,
    status: status || undefined,
    limit: PAGE,
    offset,
  });
  const filtered = search !== "" || status !== "";
  return (
    <QueryView
      query={queue}
      errorTitle="Could not load your queue"
      loading=""
      // 404/403: no queue for this caller (not an annotator here); nothing to show
      ignoreError={(err) => err instanceof ApiError && (err.status === 404 || err.status === 403)}
    >
      {(page) =>
        page.total === 0 && !filtered ? null : (
          <Queue
            page={page}
            q={q}
            status={status}
            offset={offset}
            onQ={(v) => {
              setQ(v);
              setOffset(0);
            }}
            onStatus={(v) => {
              setStatus(v);
              setOffset(0);
            }}
            onOffset={setOffset}
          />
        )
      }
    </QueryView>
  );
}

function Queue(props: {
  page: QueueDto;
  q: string;
  status: AssignmentStatus | "";
  offset: number;
  onQ(q: string): void;
  onStatus(s: AssignmentStatus | ""): void;
  onOffset(offset: number): void;
}) {
  const { page } = props;
  const navigate = useNavigate();
  const next = page.next;
  return (
    <section className="panel queue" aria-labelledby="queue-title">
      <div className="page-title">
        <h2 id="queue-title">Your queue</h2>
        <button
          type="button"
          className="primary"
          disabled={next === null}
          onClick={() =>
            next !== null && navigate({ to: "/documents/$documentId", params: { documentId: next } })
          }
        >
          Next document
        </button>
      </div>
      <p className="muted">
        {page.remaining === 0
          ? "All done — thank you."
          : props.q || props.status
            ? `${page.remaining} left.`
            : `${page.remaining} of ${page.total} left.`}
      </p>
      <search className="row wrap" aria-label="Search your queue">
        <SearchField value={props.q} onChange={props.onQ} />
        <StatusFilter value={props.status} onChange={props.onStatus} />
      </search>
      {page.queue.length === 0 ? <p className="muted">Nothing in your queue matches.</p> : null}
      <ol className="queue-list" start={props.offset + 1}>
        {page.queue.map((d) => (
          <li key={d.documentId}>
            <Link to="/documents/$documentId" params={{ documentId: d.documentId }}>
              {d.name}
            </Link>{" "}
            <StatusChip status={d.status} />
          </li>
        ))}
      </ol>
      <Pager
        of="queue"
        offset={props.offset}
        limit={PAGE}
        shown={page.queue.length}
        total={page.total}
        onOffset={props.onOffset}
      />
    </section>
  );
}
