/**
 * The layer model, enforced on what a socket writes before any of it is applied.
 *
 * A Yjs update cannot be rolled back once applied, so a client's update is decoded and checked against the
 * live doc first: every item it inserts must land in one of the layer's maps (`spans`, `relations`, and
 * `rejected` in gold — never `state`, which only the server writes, and never a new root type or a nested
 * type), hold one plain JSON value, and that value must pass the same record rules (shared/src/layer.ts)
 * that REST, import, curation and the editor use. Counts are bounded too. An update that fails is refused
 * as a whole: nothing of it is applied, stored, projected or relayed.
 *
 * Cost: one extra decode of the update (measured in `pnpm bench:sync`); the checks are per inserted item.
 */
import {
  type LayerContext,
  LayerValidationError,
  rejectedOf,
  relationsOf,
  spansOf,
  stateOf,
  validateRejectedRecord,
  validateRelationRecord,
  validateSpanRecord,
  validateStateEntry,
} from "@gloss/shared";
import * as Y from "yjs";
import type { CollabLimits } from "./limits";

type Parent = Y.AbstractType<unknown> | Y.ID | string | null;

interface Target {
  /** Root map name, or null when the item would land anywhere else. */
  root: string | null;
  key: string | null;
}

/** What validating a room's updates needs; loaded once per room (and again when labels change). */
export interface RoomRules {
  ctx: LayerContext;
  /** Gold has a `rejected` map; other layers do not. */
  gold: boolean;
}

const ROOT_NAMES = ["spans", "relations", "rejected"] as const;

/** Throws LayerValidationError when applying `update` to `doc` would make the layer invalid. */
export function validateClientUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  rules: RoomRules,
  limits: Pick<CollabLimits, "maxSpansPerLayer" | "maxRelationsPerLayer">,
): void {
  const { structs } = Y.decodeUpdate(update);
  if (structs.length === 0) return;
  const roots = new Map<unknown, string>([
    [spansOf(doc), "spans"],
    [relationsOf(doc), "relations"],
    [rejectedOf(doc), "rejected"],
  ]);
  // The update's own items by client, in clock order (as decoded), to resolve parents that it implies.
  const byClient = new Map<number, Y.Item[]>();
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const list = byClient.get(s.id.client);
    if (list) list.push(s);
    else byClient.set(s.id.client, [s]);
  }
  const findInUpdate = (id: Y.ID): Y.Item | null => {
    const list = byClient.get(id.client);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[mid]!;
      if (id.clock < it.id.clock) hi = mid - 1;
      else if (id.clock >= it.id.clock + it.length) lo = mid + 1;
      else return it;
    }
    return null;
  };
  const findInDoc = (id: Y.ID): Y.Item | Y.GC | null => {
    if (Y.getState(doc.store, id.client) <= id.clock) return null;
    return Y.getItem(doc.store, id) as Y.Item | Y.GC;
  };
  const memo = new Map<Y.Item, Target | "gc">();
  const rootOf = (parent: Parent): string | null => {
    if (typeof parent === "string") return (ROOT_NAMES as readonly string[]).includes(parent) ? parent : null;
    if (parent instanceof Y.AbstractType) return roots.get(parent) ?? null;
    return null; // a nested type (parent is an item id): the layer model has none
  };
  // Where an item lands: its own parent info, or its neighbour's (Yjs omits parent info when an origin is set).
  const resolve = (item: Y.Item, depth: number): Target | "gc" => {
    const cached = memo.get(item);
    if (cached) return cached;
    let result: Target | "gc";
    if (item.parent !== null || (item.origin === null && item.rightOrigin === null)) {
      result = { root: rootOf(item.parent as Parent), key: item.parentSub };
    } else {
      const neighbour = (item.origin ?? item.rightOrigin) as Y.ID;
      const inUpdate = findInUpdate(neighbour);
      if (inUpdate && inUpdate !== item && depth < 10_000) result = resolve(inUpdate, depth + 1);
      else {
        const inDoc = findInDoc(neighbour);
        if (inDoc === null)
          result = { root: null, key: null }; // depends on operations nobody has
        else if (!(inDoc instanceof Y.Item))
          result = "gc"; // integrates as garbage: nothing lands
        else result = { root: rootOf(inDoc.parent as Parent), key: inDoc.parentSub };
      }
    }
    memo.set(item, result);
    return result;
  };

  const spans = spansOf(doc);
  const newSpans = new Map<string, unknown>();
  const relationsWritten: Array<[string, unknown]> = [];
  let newRelationKeys = 0;
  let newSpanKeys = 0;
  const knownSpanKeys = (spans as unknown as { _map: Map<string, unknown> })._map;
  const knownRelationKeys = (relationsOf(doc) as unknown as { _map: Map<string, unknown> })._map;

  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    // Content the room already has integrates as a no-op.
    if (s.id.clock + s.length <= Y.getState(doc.store, s.id.client)) continue;
    const content = s.content;
    if (content instanceof Y.ContentDeleted) continue;
    const target = resolve(s, 0);
    if (target === "gc") continue;
    if (target.root === null || (target.root === "rejected" && !rules.gold))
      throw new LayerValidationError("the update writes outside the layer's maps", "root");
    if (target.key === null) throw new LayerValidationError("the update writes a list into a map", "key");
    if (!(content instanceof Y.ContentAny) || content.arr.length !== 1)
      throw new LayerValidationError(`${target.root} values must be plain JSON records`, target.root);
    const value = content.arr[0];
    if (target.root === "spans") {
      validateSpanRecord(target.key, value, rules.ctx);
      if (!knownSpanKeys.has(target.key) && !newSpans.has(target.key)) newSpanKeys++;
      newSpans.set(target.key, value);
    } else if (target.root === "relations") {
      if (!knownRelationKeys.has(target.key)) newRelationKeys++;
      relationsWritten.push([target.key, value]);
    } else validateRejectedRecord(target.key, value);
  }
  if (knownSpanKeys.size + newSpanKeys > limits.maxSpansPerLayer)
    throw new LayerValidationError(`a layer holds at most ${limits.maxSpansPerLayer} spans`, "spans");
  if (knownRelationKeys.size + newRelationKeys > limits.maxRelationsPerLayer)
    throw new LayerValidationError(
      `a layer holds at most ${limits.maxRelationsPerLayer} relations`,
      "relations",
    );
  const spanExists = (id: string) => newSpans.has(id) || spans.has(id);
  for (const [id, value] of relationsWritten) validateRelationRecord(id, value, rules.ctx, spanExists);
}

/**
 * The same rules on a transaction that already ran on the live doc (a server-side write through withDoc):
 * every changed key of every changed map must hold a valid record, and nothing else may have changed.
 * Server writes go through the validating functions of shared/src/layer.ts, so a failure here is a bug;
 * the room then refuses to store the write.
 */
export function validateTransaction(doc: Y.Doc, tr: Y.Transaction, rules: RoomRules): void {
  const spans = spansOf(doc);
  const relations = relationsOf(doc);
  const rejected = rejectedOf(doc);
  const state = stateOf(doc);
  for (const [type, keys] of tr.changed as Map<unknown, Set<string | null>>) {
    for (const key of keys) {
      if (key === null) throw new LayerValidationError("the write changed a list inside the layer", "root");
      if (type === spans) {
        if (spans.has(key)) validateSpanRecord(key, spans.get(key), rules.ctx);
      } else if (type === relations) {
        if (relations.has(key))
          validateRelationRecord(key, relations.get(key), rules.ctx, (id) => spans.has(id));
      } else if (type === rejected && rules.gold) {
        if (rejected.has(key)) validateRejectedRecord(key, rejected.get(key));
      } else if (type === state) {
        if (state.has(key)) validateStateEntry(key, state.get(key));
      } else throw new LayerValidationError("the write changed something outside the layer's maps", "root");
    }
  }
}
