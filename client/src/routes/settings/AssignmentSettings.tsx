/** Assignment: automatic (every document to N annotators, balanced) or explicit (these documents to these people). */
import type { DocumentSummaryDto, MemberDto, ProjectDto } from "@gloss/shared";
import { type FormEvent, useState } from "react";
import { useAssign } from "../../api/mutations";
import { DocumentPicker } from "../../components/DocumentPicker";
import { MutationDone, MutationError } from "../../components/MutationStatus";

/** The ids of the checked boxes named `name` in a form. */
const checkedIds = (f: FormData, name: string) => f.getAll(name).map((v) => Number(v));

/** The assignment section. */
export function AssignmentSettings(props: { project: ProjectDto; members: MemberDto[] }) {
  const { project } = props;
  const assign = useAssign(project.id);
  // the picker's results are re-read after an assignment (new annotators) and after an import (new
  // documents): both invalidate the project's documents
  const [chosen, setChosen] = useState<DocumentSummaryDto[]>([]);
  const annotators = props.members.filter((m) => m.role === "annotator");
  const n = assign.data?.assignments.length;

  const auto = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const perDocument = Number(new FormData(e.currentTarget).get("perDocument"));
    assign.mutate({ auto: { perDocument } });
  };
  const explicit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    assign.mutate({ documentIds: chosen.map((d) => d.id), userIds: checkedIds(f, "user") });
  };

  return (
    <section id="assignment" className="panel" aria-labelledby="assignment-title">
      <h2 id="assignment-title">Assignment</h2>
      <MutationError mutation={assign} />
      <MutationDone mutation={assign}>
        {n === undefined ? "Assigned." : `Assigned: ${n} assignment${n === 1 ? "" : "s"}.`}
      </MutationDone>
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
        <button type="submit" disabled={assign.isPending}>
          Assign automatically
        </button>
        <span className="hint">Gives every document to that many annotators, balancing the load.</span>
      </form>
      <form aria-label="Explicit assignment" onSubmit={explicit} className="stack">
        <h3>Assign explicitly</h3>
        <div className="columns">
          <DocumentPicker
            projectId={project.id}
            chosen={chosen}
            onChange={setChosen}
            noneChosen="None chosen: nothing to assign."
            detail={(d) => `(${d.assignments.map((a) => a.username).join(", ") || "unassigned"})`}
          />
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
          <button type="submit" disabled={assign.isPending}>
            Assign selected
          </button>
        </div>
      </form>
    </section>
  );
}
