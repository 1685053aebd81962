/**
 * "Next document": asks the queue for the next unfinished document and goes there. Curators and managers
 * usually have no queue of their own: for them an empty queue falls back to the project's next document.
 * Both are read through the query cache (the queue and document list other pages show), so a queue our
 * own writes left fresh is not read again, and one they made stale (a layer marked done) is.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { useApi } from "../../api/context";
import type { Endpoints } from "../../api/endpoints";
import { documentsQuery, queueQuery } from "../../api/queries";
import { nextInQueue } from "../QueuePanel";

/** The button; says so when the queue is empty. */
export function NextDocumentButton(props: {
  projectId: number;
  currentId: number;
  primary?: boolean;
  /** The caller reads every document (curator, manager, admin). */
  oversees?: boolean;
}) {
  const api = useApi();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setMessage("");
    try {
      const queue = await client.fetchQuery(queueQuery(api, props.projectId));
      const next = nextInQueue(queue.queue, props.currentId);
      if (next)
        return await navigate({ to: "/documents/$documentId", params: { documentId: next.documentId } });
      if (!props.oversees) return setMessage("No more documents in your queue.");
      const after = await nextInProject(client, api, props.projectId, props.currentId);
      if (after) await navigate({ to: "/documents/$documentId", params: { documentId: after } });
      else setMessage("This is the project's last document.");
    } catch (err) {
      setMessage(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={props.primary ? "primary" : undefined}
        disabled={busy}
        onClick={() => void go()}
      >
        Next document
      </button>
      {message ? (
        <span role="status" className="muted">
          {message}
        </span>
      ) : null}
    </>
  );
}

const PAGE = 1000;

/** The id of the project's first document after `currentId` (documents are listed in id order). */
async function nextInProject(client: QueryClient, api: Endpoints, projectId: number, currentId: number) {
  for (let offset = 0; ; offset += PAGE) {
    // the first page is the list other pages read (the same key: `{ limit }`)
    const filter = offset ? { limit: PAGE, offset } : { limit: PAGE };
    const page = await client.fetchQuery(documentsQuery(api, projectId, filter));
    const found = page.documents.find((d) => d.id > currentId);
    if (found) return found.id;
    if (offset + PAGE >= page.total) return null;
  }
}
