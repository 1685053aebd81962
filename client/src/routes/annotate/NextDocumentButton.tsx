/** "Next document": asks the queue for the next unfinished document and goes there. */
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { useApi } from "../../api/context";
import { navigate } from "../../router";
import { nextInQueue } from "../QueuePanel";

/** The button; says so when the queue is empty. */
export function NextDocumentButton(props: { projectId: number; currentId: number; primary?: boolean }) {
  const api = useApi();
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setMessage("");
    try {
      const queue = await api.assignments.queue(props.projectId);
      const next = nextInQueue(queue.queue, props.currentId);
      if (next) navigate(`/documents/${next.documentId}`);
      else setMessage("No more documents in your queue.");
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
