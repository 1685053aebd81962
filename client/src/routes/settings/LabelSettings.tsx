/** Labels: create, edit (name, colour, hotkey, guideline), reorder, delete (409 when in use is shown). */
import { LABEL_PALETTE, type LabelDto, type LabelInput } from "@gloss/shared";
import { type FormEvent, useState } from "react";
import { useCreateLabel, useRemoveLabel, useReorderLabels, useUpdateLabel } from "../../api/mutations";
import { LabelBadge } from "../../components/LabelBadge";
import { latestMutation, MutationDone, MutationError } from "../../components/MutationStatus";

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

/** The labels section (`labels`: the project's, as its query holds them). */
export function LabelSettings({ projectId, labels: unsorted }: { projectId: number; labels: LabelDto[] }) {
  const labels = [...unsorted].sort((a, b) => a.order - b.order);
  const [editing, setEditing] = useState<number | null>(null);
  const create = useCreateLabel(projectId);
  const update = useUpdateLabel(projectId);
  const remove = useRemoveLabel(projectId);
  const reorder = useReorderLabels(projectId);
  const outcome = latestMutation(create, update, remove, reorder);
  const busy = outcome.status === "pending";
  const done =
    outcome === reorder
      ? "Order saved."
      : outcome === remove
        ? `Label “${remove.variables?.name}” deleted.`
        : outcome === update
          ? `Label “${update.variables?.label.name}” saved.`
          : "Label added.";

  const move = (i: number, delta: number) => reorder.mutate(moveItem(labels, i, delta).map((l) => l.id));
  const save = (label: LabelDto, form: HTMLFormElement) =>
    update.mutate({ label, body: readLabelForm(form) }, { onSuccess: () => setEditing(null) });
  const add = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    create.mutate(readLabelForm(form), { onSuccess: () => form.reset() });
  };

  return (
    <section id="labels" className="panel" aria-labelledby="labels-title">
      <h2 id="labels-title">Labels</h2>
      <MutationError mutation={outcome} />
      <MutationDone mutation={outcome}>{done}</MutationDone>
      <ol className="label-list">
        {labels.map((l, i) => (
          <li key={l.id}>
            {editing === l.id ? (
              <form
                className="label-form"
                aria-label={`Edit label ${l.name}`}
                onSubmit={(e) => {
                  e.preventDefault();
                  save(l, e.currentTarget);
                }}
              >
                <LabelFields label={l} />
                <div className="row">
                  <button type="submit" className="primary" disabled={busy}>
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
                    disabled={busy || i === 0}
                    onClick={() => move(i, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${l.name} down`}
                    disabled={busy || i === labels.length - 1}
                    onClick={() => move(i, 1)}
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
                    disabled={busy}
                    onClick={() => remove.mutate(l)}
                  >
                    Delete
                  </button>
                </span>
              </div>
            )}
          </li>
        ))}
      </ol>
      <form className="label-form" aria-label="New label" onSubmit={add}>
        <h3>New label</h3>
        <LabelFields label={{ color: LABEL_PALETTE[labels.length % LABEL_PALETTE.length]! }} />
        <div>
          <button type="submit" disabled={busy}>
            Add label
          </button>
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
