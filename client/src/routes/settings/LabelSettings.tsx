/** Labels: create, edit (name, colour, hotkey, guideline), reorder, delete (409 when in use is shown). */
import { LABEL_PALETTE, type LabelDto, type LabelInput } from "@gloss/shared";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useApi } from "../../api/context";
import { invalidate, queryKeys } from "../../api/queries";
import { ErrorMessage } from "../../components/ErrorMessage";
import { LabelBadge } from "../../components/LabelBadge";

/** Reads the label fields of a form (hotkey "" → none). */
function readLabelForm(form: HTMLFormElement): LabelInput {
  const f = new FormData(form);
  const hotkey = String(f.get("hotkey") ?? "")
    .trim()
    .toLowerCase();
  return {
    name: String(f.get("name") ?? ""),
    color: String(f.get("color") ?? "#000000"),
    hotkey: hotkey || null,
    description: String(f.get("description") ?? ""),
  };
}

/** Moves item `i` by `delta` places; returns a new array. */
export function moveItem<T>(items: readonly T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (j < 0 || j >= items.length) return [...items];
  const out = [...items];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** The labels section. */
export function LabelSettings({ projectId, initial }: { projectId: number; initial: LabelDto[] }) {
  const api = useApi();
  const client = useQueryClient();
  const [labels, setLabels] = useState<LabelDto[]>(() => [...initial].sort((a, b) => a.order - b.order));
  const [editing, setEditing] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState("");

  const run = async (what: string, fn: () => Promise<void>) => {
    setError(null);
    setStatus("");
    try {
      await fn();
      setStatus(what);
      // the labels are part of the project, and of every page of its documents (palette, lanes, filters)
      void invalidate(client, queryKeys.projectScope(projectId), ["document"]);
    } catch (err) {
      setError(err);
    }
  };

  const reorder = (i: number, delta: number) =>
    run("Order saved.", async () => {
      const next = moveItem(labels, i, delta);
      const res = await api.labels.reorder(
        projectId,
        next.map((l) => l.id),
      );
      setLabels(res.labels);
    });

  const remove = (l: LabelDto) =>
    run(`Label “${l.name}” deleted.`, async () => {
      await api.labels.remove(projectId, l.id);
      setLabels((ls) => ls.filter((x) => x.id !== l.id));
    });

  const save = (l: LabelDto, form: HTMLFormElement) =>
    run(`Label “${l.name}” saved.`, async () => {
      const updated = await api.labels.update(projectId, l.id, readLabelForm(form));
      setLabels((ls) => ls.map((x) => (x.id === l.id ? updated : x)));
      setEditing(null);
    });

  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    void run("Label added.", async () => {
      const created = await api.labels.create(projectId, readLabelForm(form));
      setLabels((ls) => [...ls, created]);
      form.reset();
    });
  };

  return (
    <section id="labels" className="panel" aria-labelledby="labels-title">
      <h2 id="labels-title">Labels</h2>
      <ErrorMessage error={error} />
      {status ? (
        <p role="status" className="ok">
          {status}
        </p>
      ) : null}
      <ol className="label-list">
        {labels.map((l, i) => (
          <li key={l.id}>
            {editing === l.id ? (
              <form
                className="label-form"
                aria-label={`Edit label ${l.name}`}
                onSubmit={(e) => {
                  e.preventDefault();
                  void save(l, e.currentTarget);
                }}
              >
                <LabelFields label={l} />
                <div className="row">
                  <button type="submit" className="primary">
                    Save
                  </button>
                  <button type="button" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </div>
              </form>
            ) : (
              <div className="label-row">
                <LabelBadge label={l} />
                <span className="label-hotkey">{l.hotkey ? `key ${l.hotkey}` : "no key"}</span>
                <span className="label-desc">{l.description}</span>
                <span className="row">
                  <button
                    type="button"
                    aria-label={`Move ${l.name} up`}
                    disabled={i === 0}
                    onClick={() => void reorder(i, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${l.name} down`}
                    disabled={i === labels.length - 1}
                    onClick={() => void reorder(i, 1)}
                  >
                    ↓
                  </button>
                  <button type="button" aria-label={`Edit ${l.name}`} onClick={() => setEditing(l.id)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Delete ${l.name}`}
                    onClick={() => void remove(l)}
                  >
                    Delete
                  </button>
                </span>
              </div>
            )}
          </li>
        ))}
      </ol>
      <form className="label-form" aria-label="New label" onSubmit={create}>
        <h3>New label</h3>
        <LabelFields label={{ color: LABEL_PALETTE[labels.length % LABEL_PALETTE.length]! }} />
        <div>
          <button type="submit">Add label</button>
        </div>
      </form>
    </section>
  );
}

function LabelFields({ label }: { label: Partial<LabelDto> }) {
  return (
    <div className="label-fields">
      <label>
        Name
        <input name="name" defaultValue={label.name} required maxLength={64} />
      </label>
      <label>
        Colour
        <input name="color" type="color" defaultValue={label.color ?? "#0072b2"} />
      </label>
      <label>
        Hotkey
        <input
          name="hotkey"
          defaultValue={label.hotkey ?? ""}
          maxLength={1}
          size={2}
          pattern="[0-9a-zA-Z]?"
        />
      </label>
      <label className="grow">
        Guideline
        <textarea name="description" defaultValue={label.description} rows={2} maxLength={2000} />
      </label>
    </div>
  );
}
