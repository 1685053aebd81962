/** Name, description, mode, annotators per document, snapping and relation types. */
import type { PatchProjectBody, ProjectDto } from "@gloss/shared";
import type { FormEvent } from "react";
import { useUpdateProject } from "../../api/mutations";
import { MutationDone, MutationError } from "../../components/MutationStatus";

/** Splits "a, b; c" into relation type names. */
export function parseList(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The general settings form. */
export function GeneralSettings({ project }: { project: ProjectDto }) {
  const update = useUpdateProject(project.id);

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body: PatchProjectBody = {
      name: String(f.get("name") ?? ""),
      description: String(f.get("description") ?? ""),
      mode: f.get("mode") === "shared" ? "shared" : "independent",
      annotatorsPerDocument: Number(f.get("annotatorsPerDocument")),
      snapping: f.get("snapping") === "character" ? "character" : "word",
      relationTypes: parseList(String(f.get("relationTypes") ?? "")),
    };
    update.mutate(body);
  };

  return (
    <section id="general" className="panel" aria-labelledby="general-title">
      <h2 id="general-title">General</h2>
      <form
        onSubmit={onSubmit}
        className="stack"
        // "Saved." until the form is changed again
        onChange={() => update.isSuccess && update.reset()}
      >
        <label>
          Name
          <input name="name" defaultValue={project.name} required maxLength={200} />
        </label>
        <label>
          Description
          <textarea name="description" defaultValue={project.description} rows={2} maxLength={5000} />
        </label>
        <fieldset>
          <legend>Mode</legend>
          <label className="inline">
            <input
              type="radio"
              name="mode"
              value="independent"
              defaultChecked={project.mode === "independent"}
            />{" "}
            Independent — each annotator works blind in their own layer (for measuring agreement)
          </label>
          <label className="inline">
            <input type="radio" name="mode" value="shared" defaultChecked={project.mode === "shared"} />{" "}
            Shared — one layer the whole team edits together, authors visible
          </label>
        </fieldset>
        <label>
          Annotators per document
          <input
            name="annotatorsPerDocument"
            type="number"
            min={1}
            max={50}
            defaultValue={project.annotatorsPerDocument}
            required
          />
        </label>
        <fieldset>
          <legend>Snapping</legend>
          <label className="inline">
            <input type="radio" name="snapping" value="word" defaultChecked={project.snapping === "word"} />{" "}
            Words — a selection grows to whole words (Alt keeps it exact)
          </label>
          <label className="inline">
            <input
              type="radio"
              name="snapping"
              value="character"
              defaultChecked={project.snapping === "character"}
            />{" "}
            Characters — selections stay exactly as made
          </label>
        </fieldset>
        <label>
          <span>
            Relation types <span className="muted">(comma separated)</span>
          </span>
          <input name="relationTypes" defaultValue={project.relationTypes.join(", ")} />
        </label>
        <MutationError mutation={update} />
        <div className="row">
          <button type="submit" className="primary" disabled={update.isPending}>
            Save settings
          </button>
          <MutationDone mutation={update} inline>
            Saved.
          </MutationDone>
        </div>
      </form>
    </section>
  );
}
