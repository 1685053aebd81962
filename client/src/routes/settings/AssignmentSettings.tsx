/** Assignment: automatic (every document to N annotators, balanced) or explicit (these documents to these people). */
import type { MemberDto, ProjectDto } from "@gloss/shared";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useApi } from "../../api/context";
import { invalidate, queryKeys, useDocumentsQuery } from "../../api/queries";
import { ErrorMessage } from "../../components/ErrorMessage";

/** The ids of the checked boxes named `name` in a form. */
const checkedIds = (f: FormData, name: string) => f.getAll(name).map((v) => Number(v));

/** The assignment section. */
export function AssignmentSettings(props: { project: ProjectDto; members: MemberDto[] }) {
  const { project } = props;
  const api = useApi();
  const client = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  // re-read after an assignment (new statuses) and after an import (new documents): both invalidate it
  const docs = useDocumentsQuery(project.id);
  const annotators = props.members.filter((m) => m.role === "annotator");

  const submit = async (body: Parameters<typeof api.assignments.create>[1]) => {
    setBusy(true);
    setError(null);
    setStatus("");
    try {
      const res = await api.assignments.create(project.id, body);
      const n = Array.isArray(res?.assignments) ? res.assignments.length : null;
      setStatus(n === null ? "Assigned." : `Assigned: ${n} assignment${n === 1 ? "" : "s"}.`);
      // the documents' annotators, everyone's queue, the progress figures, the documents' pages
      void invalidate(client, queryKeys.projectScope(project.id), queryKeys.projects, ["document"]);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const auto = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const perDocument = Number(new FormData(e.currentTarget).get("perDocument"));
    void submit({ auto: { perDocument } });
  };
  const explicit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const documentIds = checkedIds(f, "doc");
    const userIds = checkedIds(f, "user");
    if (documentIds.length === 0 || userIds.length === 0) {
      setError(new Error("Choose at least one document and one annotator."));
      return;
    }
    void submit({ documentIds, userIds });
  };

  const docList = docs.data?.documents ?? [];
  return (
    <section id="assignment" className="panel" aria-labelledby="assignment-title">
      <h2 id="assignment-title">Assignment</h2>
      <ErrorMessage error={error ?? docs.error} />
      {status ? (
        <p role="status" className="ok">
          {status}
        </p>
      ) : null}
      <form className="row wrap" aria-label="Automatic assignment" onSubmit={auto}>
        <label>
          Annotators per document
          <input
            name="perDocument"
            type="number"
            min={1}
            max={50}
            defaultValue={project.annotatorsPerDocument}
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          Assign automatically
        </button>
        <span className="hint">Gives every document to that many annotators, balancing the load.</span>
      </form>
      <form aria-label="Explicit assignment" onSubmit={explicit} className="stack">
        <h3>Assign explicitly</h3>
        <div className="columns">
          <fieldset className="scroll-box">
            <legend>Documents</legend>
            {docList.length === 0 ? <p className="muted">No documents yet.</p> : null}
            {docList.map((d) => (
              <label key={d.id} className="inline">
                <input type="checkbox" name="doc" value={d.id} /> {d.name}{" "}
                <span className="muted">
                  ({d.assignments.map((a) => a.username).join(", ") || "unassigned"})
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset className="scroll-box">
            <legend>Annotators</legend>
            {annotators.length === 0 ? <p className="muted">No annotators yet: add members above.</p> : null}
            {annotators.map((m) => (
              <label key={m.userId} className="inline">
                <input type="checkbox" name="user" value={m.userId} /> {m.displayName || m.username}
              </label>
            ))}
          </fieldset>
        </div>
        <div>
          <button type="submit" disabled={busy}>
            Assign selected
          </button>
        </div>
      </form>
    </section>
  );
}
