/**
 * A project's labels: the initial set, create, edit, reorder, delete. Names are unique per project
 * ignoring case, hotkeys unique per project; `order` is kept dense (0…n-1). Every change is audited in
 * its own transaction.
 */
import {
  appearsTwice,
  DEFAULT_LABELS,
  LABEL_PALETTE,
  type LabelDto,
  type LabelInput,
  type LabelPatch,
  MAX_LABELS_PER_PROJECT,
} from "@gloss/shared";
import { and, asc, count, eq } from "drizzle-orm";
import type { labels } from "../db/schema";
import { all, type Gen, get, run, type Store, transaction } from "../db/store";
import { badRequest, HttpError, notFound } from "../errors";
import { recordAudit } from "./audit";

export type LabelRow = typeof labels.$inferSelect;
type LabelFields = Pick<LabelRow, "name" | "color" | "hotkey" | "description">;

/** Hotkeys handed out to labels that do not name one, in this order. */
const AUTO_HOTKEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** The wire shape of a label row. */
export const toLabelDto = (l: LabelRow): LabelDto => ({
  id: l.id,
  projectId: l.projectId,
  name: l.name,
  color: l.color,
  hotkey: l.hotkey,
  description: l.description,
  order: l.order,
});

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The project's labels in display order. */
export function* listLabels(store: Store, projectId: number): Gen<LabelRow[]> {
  const { labels } = store.t;
  return yield* all(
    store.q
      .select()
      .from(labels)
      .where(eq(labels.projectId, projectId))
      .orderBy(asc(labels.order), asc(labels.id)),
  );
}

/**
 * The labels a new project starts with: the default set, or the given ones with colours from the palette
 * in turn and hotkeys 1–9 (skipping those named explicitly) for the first nine that do not give one
 * (`hotkey: null` means none). A repeated name or hotkey → 400 naming both labels (counted from 1).
 */
export function resolveInitialLabels(inputs: LabelInput[] | undefined): LabelFields[] {
  if (!inputs) return DEFAULT_LABELS.map((l) => ({ ...l }));
  inputs.forEach((l, i) => {
    const j = inputs.findIndex((o) => sameName(o.name, l.name));
    if (j < i) {
      throw badRequest(`${appearsTwice(l.name, "labels")} (labels ${j + 1} and ${i + 1})`, {
        path: `labels.${i}.name`,
      });
    }
    const k = l.hotkey ? inputs.findIndex((o) => o.hotkey === l.hotkey) : i;
    if (k < i) {
      throw badRequest(`The hotkey ${appearsTwice(l.hotkey!, "labels")} (labels ${k + 1} and ${i + 1})`, {
        path: `labels.${i}.hotkey`,
      });
    }
  });
  const free = AUTO_HOTKEYS.filter((h) => !inputs.some((l) => l.hotkey === h));
  return inputs.map((l, i) => ({
    name: l.name,
    color: l.color ?? LABEL_PALETTE[i % LABEL_PALETTE.length]!,
    hotkey: l.hotkey !== undefined ? l.hotkey : i < AUTO_HOTKEYS.length ? (free.shift() ?? null) : null,
    description: l.description ?? "",
  }));
}

/** Inserts resolved labels after the project's existing ones (call inside the project's transaction). */
export function* insertLabels(store: Store, projectId: number, defs: LabelFields[]): Gen<LabelRow[]> {
  const { labels } = store.t;
  const start = (yield* listLabels(store, projectId)).length;
  const rows: LabelRow[] = [];
  for (const [i, l] of defs.entries()) {
    rows.push(
      (yield* get(
        store.q
          .insert(labels)
          .values({ projectId, ...l, order: start + i })
          .returning(),
      ))!,
    );
  }
  return rows;
}

/** 409 when another label of the project already has this name or hotkey. */
function assertUnique(existing: LabelRow[], fields: Partial<LabelFields>, selfId?: number): void {
  const others = existing.filter((l) => l.id !== selfId);
  const name = fields.name;
  const byName = name !== undefined && others.find((l) => sameName(l.name, name));
  if (byName) {
    throw new HttpError(409, "label_name_taken", `A label named '${byName.name}' already exists`, {
      field: "name",
      labelId: byName.id,
    });
  }
  const byKey = fields.hotkey && others.find((l) => l.hotkey === fields.hotkey);
  if (byKey) {
    throw new HttpError(409, "hotkey_taken", `Hotkey '${fields.hotkey}' is already used by '${byKey.name}'`, {
      field: "hotkey",
      labelId: byKey.id,
    });
  }
}

function* getLabel(store: Store, projectId: number, labelId: number): Gen<LabelRow> {
  const { labels } = store.t;
  const row = Number.isSafeInteger(labelId)
    ? yield* get(
        store.q
          .select()
          .from(labels)
          .where(and(eq(labels.id, labelId), eq(labels.projectId, projectId))),
      )
    : undefined;
  if (!row) throw notFound("No such label in this project");
  return row;
}

/** Writes `order = index` for the ids in the given order. */
function* renumber(store: Store, ids: number[]): Gen<void> {
  const { labels } = store.t;
  for (const [order, id] of ids.entries())
    yield* run(store.q.update(labels).set({ order }).where(eq(labels.id, id)));
}

/** Adds a label at the end; colour from the palette and the first free hotkey 1–9 when not given. */
export function createLabel(
  _store: Store,
  actorId: number,
  projectId: number,
  input: LabelInput,
): Gen<LabelRow> {
  return transaction(function* (tx) {
    const existing = yield* listLabels(tx, projectId);
    if (existing.length >= MAX_LABELS_PER_PROJECT)
      throw new HttpError(
        409,
        "too_many_labels",
        `The project already has ${existing.length} labels (the limit is ${MAX_LABELS_PER_PROJECT}): delete one first`,
      );
    const hotkey =
      input.hotkey !== undefined
        ? input.hotkey
        : (AUTO_HOTKEYS.find((h) => !existing.some((l) => l.hotkey === h)) ?? null);
    const fields: LabelFields = {
      name: input.name,
      color: input.color ?? LABEL_PALETTE[existing.length % LABEL_PALETTE.length]!,
      hotkey,
      description: input.description ?? "",
    };
    assertUnique(existing, fields);
    const [row] = yield* insertLabels(tx, projectId, [fields]);
    yield* recordAudit(tx, {
      userId: actorId,
      projectId,
      action: "label.create",
      target: `label:${row!.id}`,
      details: fields,
    });
    return row!;
  });
}

/** Renames, recolours, changes hotkey or description, or moves a label to a new position. */
export function updateLabel(
  _store: Store,
  actorId: number,
  projectId: number,
  labelId: number,
  patch: LabelPatch,
): Gen<LabelRow> {
  return transaction(function* (tx) {
    const { labels } = tx.t;
    const before = yield* getLabel(tx, projectId, labelId);
    if (!Object.keys(patch).length) return before; // nothing to change, nothing to audit
    const existing = yield* listLabels(tx, projectId);
    const { order, ...fields } = patch;
    assertUnique(existing, fields, labelId);
    if (Object.keys(fields).length) yield* run(tx.q.update(labels).set(fields).where(eq(labels.id, labelId)));
    if (order !== undefined) {
      const ids = existing.map((l) => l.id).filter((id) => id !== labelId);
      ids.splice(Math.min(order, ids.length), 0, labelId);
      yield* renumber(tx, ids);
    }
    const after = yield* getLabel(tx, projectId, labelId);
    yield* recordAudit(tx, {
      userId: actorId,
      projectId,
      action: "label.update",
      target: `label:${labelId}`,
      details: { before: toLabelDto(before), patch },
    });
    return after;
  });
}

/** Sets the display order; `ids` must be exactly the project's label ids, each once. */
export function reorderLabels(
  _store: Store,
  actorId: number,
  projectId: number,
  ids: number[],
): Gen<LabelRow[]> {
  return transaction(function* (tx) {
    const current = new Set((yield* listLabels(tx, projectId)).map((l) => l.id));
    const seen = new Set<number>();
    ids.forEach((id, i) => {
      if (!current.has(id))
        throw badRequest(`order.${i}: ${id} is not a label of this project`, { path: `order.${i}` });
      if (seen.has(id)) throw badRequest(`order.${i}: label ${id} appears twice`, { path: `order.${i}` });
      seen.add(id);
    });
    const missing = [...current].filter((id) => !seen.has(id));
    if (missing.length) {
      throw badRequest(`order: label ids missing: ${missing.join(", ")}`, { path: "order", missing });
    }
    yield* renumber(tx, ids);
    yield* recordAudit(tx, { userId: actorId, projectId, action: "label.reorder", details: { order: ids } });
    return yield* listLabels(tx, projectId);
  });
}

/** Deletes a label no annotation uses; one in use → 409 `label_in_use` with the count. */
export function deleteLabel(_store: Store, actorId: number, projectId: number, labelId: number): Gen<void> {
  return transaction(function* (tx) {
    const { annotations, labels } = tx.t;
    const label = yield* getLabel(tx, projectId, labelId);
    const used =
      (yield* get(
        tx.q
          .select({ n: count() })
          .from(annotations)
          .where(and(eq(annotations.projectId, projectId), eq(annotations.labelId, labelId))),
      ))?.n ?? 0;
    if (used > 0) {
      throw new HttpError(
        409,
        "label_in_use",
        `Label '${label.name}' is used by ${used} annotation${used === 1 ? "" : "s"}: relabel or delete them first`,
        { count: used },
      );
    }
    yield* run(tx.q.delete(labels).where(eq(labels.id, labelId)));
    yield* renumber(
      tx,
      (yield* listLabels(tx, projectId)).map((l) => l.id),
    );
    yield* recordAudit(tx, {
      userId: actorId,
      projectId,
      action: "label.delete",
      target: `label:${labelId}`,
      details: { label: toLabelDto(label) },
    });
  });
}
