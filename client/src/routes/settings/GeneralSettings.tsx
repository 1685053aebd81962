/** Name, description, mode, annotators per document, snapping and relation types. */
import type { PatchProjectBody, ProjectDto } from "@gloss/shared";
import { type FormEvent, useState } from "react";
import { useApi } from "../../api/context";
import { ErrorMessage } from "../../components/ErrorMessage";

/** Splits "a, b; c" into relation type names. */
export function parseList(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The general settings form. */
export function GeneralSettings({
  project,
  onChange,
}: {
  project: ProjectDto;
  onChange(p: ProjectDto): void;
}) {
  const api = useApi();
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
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
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onChange(await api.projects.update(project.id, body));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section id="general" className="panel" aria-labelledby="general-title">
      <h2 id="general-title">General</h2>
      <form onSubmit={onSubmit} className="stack" onChange={() => setSaved(false)}>
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
        <ErrorMessage error={error} />
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
            Save settings
          </button>
          {saved ? (
            <span role="status" className="ok">
              Saved.
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
