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
 * Authorship is the server's word (issue 17): given the writer, a span or relation a socket creates must
 * name the writer as its `author` and may not be dated in the future (beyond CLOCK_SKEW_MS); one it rewrites
 * keeps the `author` and `createdAt` it has; `provenance` (how a curated or imported span got into gold) is
 * written only by the server, so a socket may carry a span's provenance along unchanged but never set it.
 * A claim is refused (4422) rather than overwritten: a Yjs update is applied as the client encoded it, and
 * rewriting its values would fork the client's copy from the room's (the client keeps its own item).
 *
 * Cost: one lean read of the update (no Y.Item objects; measured in `pnpm bench:sync`) and checks per
 * inserted item.
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
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import type { CollabLimits } from "./limits";

interface RawId {
  client: number;
  clock: number;
}

/** One item of an update as far as the layer model cares: where it goes and what it holds. */
interface RawItem {
  id: RawId;
  length: number;
  origin: RawId | null;
  rightOrigin: RawId | null;
  /** A root type's name, a parent item's id (a nested type), or null (implied by a neighbour). */
  parent: string | RawId | null;
  parentSub: string | null;
  /** ContentDeleted, ContentAny, or any other content (never valid in a layer's maps). */
  kind: "deleted" | "any" | "other";
  arr: unknown[] | null;
}

/** lib0's own decoder (fatal, BOM kept), for strings that are not short ASCII. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function take(d: decoding.Decoder): number {
  const len = decoding.readVarUint(d);
  const start = d.pos;
  if (start + len > d.arr.length) throw new Error("unexpected end of update");
  d.pos = start + len;
  return start;
}

/**
 * `decoding.readVarString`, without a TextDecoder call for short ASCII strings (record keys and field
 * names): that call is most of the cost of reading a one-span update.
 */
function readString(d: decoding.Decoder): string {
  const start = take(d);
  const end = d.pos;
  const bytes = d.arr;
  if (end - start <= 32) {
    let s = "";
    let i = start;
    for (; i < end; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === end) return s;
  }
  return utf8.decode(bytes.subarray(start, end));
}

/** `decoding.readAny`, reading its strings with readString; same values, same `__proto__` behaviour. */
function readAny(d: decoding.Decoder): unknown {
  const type = decoding.readUint8(d);
  switch (type) {
    case 127:
      return undefined;
    case 126:
      return null;
    case 125:
      return decoding.readVarInt(d);
    case 124:
      return decoding.readFloat32(d);
    case 123:
      return decoding.readFloat64(d);
    case 122:
      return decoding.readBigInt64(d);
    case 121:
      return false;
    case 120:
      return true;
    case 119:
      return readString(d);
    case 118: {
      const len = decoding.readVarUint(d);
      if (len > d.arr.length) throw new Error(`object claims ${len} keys`);
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < len; i++) {
        const key = readString(d);
        obj[key] = readAny(d);
      }
      return obj;
    }
    case 117: {
      const len = decoding.readVarUint(d);
      if (len > d.arr.length) throw new Error(`array claims ${len} values`);
      const arr: unknown[] = [];
      for (let i = 0; i < len; i++) arr.push(readAny(d));
      return arr;
    }
    case 116:
      return decoding.readVarUint8Array(d);
    default:
      throw new Error(`unknown value type ${type}`);
  }
}

const readId = (d: decoding.Decoder): RawId => ({
  client: decoding.readVarUint(d),
  clock: decoding.readVarUint(d),
});

/**
 * Reads the items of a Yjs v1 update without building Y.Item objects (the update is decoded again when it
 * is applied; this pass is on every client update, so it allocates only what the checks need). Mirrors
 * yjs' `readClientsStructRefs` and content readers; throws on a malformed update (the socket gets 4400).
 */
export function readItems(update: Uint8Array): RawItem[] {
  const d = decoding.createDecoder(update);
  const items: RawItem[] = [];
  const clients = decoding.readVarUint(d);
  if (clients > update.length) throw new Error(`update claims ${clients} clients`);
  for (let c = 0; c < clients; c++) {
    const structs = decoding.readVarUint(d);
    if (structs > update.length) throw new Error(`update claims ${structs} structs`);
    const client = decoding.readVarUint(d);
    let clock = decoding.readVarUint(d);
    for (let i = 0; i < structs; i++) {
      const info = decoding.readUint8(d);
      const ref = info & 0b11111;
      if (ref === 0 || ref === 10) {
        clock += decoding.readVarUint(d); // GC or Skip
        continue;
      }
      const origin = info & 0b10000000 ? readId(d) : null;
      const rightOrigin = info & 0b01000000 ? readId(d) : null;
      const cantCopyParentInfo = (info & 0b11000000) === 0;
      let parent: string | RawId | null = null;
      let parentSub: string | null = null;
      if (cantCopyParentInfo) {
        parent = decoding.readVarUint(d) === 1 ? readString(d) : readId(d);
        if (info & 0b00100000) parentSub = readString(d);
      }
      let length = 1;
      let kind: RawItem["kind"] = "other";
      let arr: unknown[] | null = null;
      switch (ref) {
        case 1: // Deleted
          length = decoding.readVarUint(d);
          kind = "deleted";
          break;
        case 2: // JSON
          length = decoding.readVarUint(d);
          if (length > update.length) throw new Error(`content claims ${length} values`);
          for (let k = 0; k < length; k++) take(d);
          break;
        case 3: // Binary
          take(d);
          break;
        case 4: // String
          length = readString(d).length;
          break;
        case 5: // Embed
          take(d);
          break;
        case 6: // Format
          take(d);
          take(d);
          break;
        case 7: {
          // Type: XmlElement (3) and XmlHook (5) carry a name
          const typeRef = decoding.readVarUint(d);
          if (typeRef === 3 || typeRef === 5) take(d);
          break;
        }
        case 8: {
          // Any
          length = decoding.readVarUint(d);
          if (length > update.length) throw new Error(`content claims ${length} values`);
          arr = new Array(length);
          for (let k = 0; k < length; k++) arr[k] = readAny(d);
          kind = "any";
          break;
        }
        case 9: // Doc
          take(d);
          readAny(d);
          break;
        default:
          throw new Error(`unknown content type ${ref}`);
      }
      items.push({ id: { client, clock }, length, origin, rightOrigin, parent, parentSub, kind, arr });
      clock += length;
    }
  }
  return items;
}

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

/** What placing an update's items needs (module-level functions, not closures: this runs per update). */
interface Resolver {
  doc: Y.Doc;
  roots: Map<unknown, string>;
  byClient: Map<number, RawItem[]>;
  memo: Map<RawItem, Target | "gc">;
}

function findInUpdate(byClient: Map<number, RawItem[]>, id: RawId): RawItem | null {
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
}

function findInDoc(doc: Y.Doc, id: RawId): Y.Item | Y.GC | null {
  if (Y.getState(doc.store, id.client) <= id.clock) return null;
  return Y.getItem(doc.store, Y.createID(id.client, id.clock)) as Y.Item | Y.GC;
}

function rootOf(roots: Map<unknown, string>, parent: Parent | RawId): string | null {
  if (typeof parent === "string") return (ROOT_NAMES as readonly string[]).includes(parent) ? parent : null;
  if (parent instanceof Y.AbstractType) return roots.get(parent) ?? null;
  return null; // a nested type (parent is an item id): the layer model has none
}

/** Where an item lands: its own parent info, or its neighbour's (Yjs omits parent info when an origin is set). */
function resolve(r: Resolver, item: RawItem, depth: number): Target | "gc" {
  const cached = r.memo.get(item);
  if (cached) return cached;
  let result: Target | "gc";
  if (item.parent !== null || (item.origin === null && item.rightOrigin === null)) {
    result = { root: rootOf(r.roots, item.parent), key: item.parentSub };
  } else {
    const neighbour = (item.origin ?? item.rightOrigin) as RawId;
    const inUpdate = findInUpdate(r.byClient, neighbour);
    if (inUpdate && inUpdate !== item && depth < 10_000) result = resolve(r, inUpdate, depth + 1);
    else {
      const inDoc = findInDoc(r.doc, neighbour);
      if (inDoc === null)
        result = { root: null, key: null }; // depends on operations nobody has
      else if (!(inDoc instanceof Y.Item))
        result = "gc"; // integrates as garbage: nothing lands
      else result = { root: rootOf(r.roots, inDoc.parent as Parent), key: inDoc.parentSub };
    }
  }
  r.memo.set(item, result);
  return result;
}

/** How far in the future a socket may date a new span or relation (clients' clocks drift). */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Who is writing through a socket: the authenticated user (null: no identity checks, e.g. unit tests). */
export interface Writer {
  userId: number;
}

/** The same JSON value (records decoded from an update: plain objects, arrays, scalars). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

type Stamped = { author: number | null; createdAt: number; provenance?: unknown };

/**
 * A key the doc had and lost: its latest item is deleted (Yjs keeps a root map's last item per key, its
 * content dropped, also after a reload). A record written there again is an offline edit of a record removed
 * meanwhile (a map set wins over a concurrent delete); when the room was reloaded since the removal, its
 * stamps are gone with the content, and the record's own are the only ones left: they are kept (refusing
 * would lose the editor's work, and its other edits with it).
 */
function wasRemoved(map: Y.Map<unknown>, key: string): boolean {
  const item = (map as unknown as { _map: Map<string, { deleted: boolean }> })._map.get(key);
  return item?.deleted === true;
}

/** The stamps a written record is held to: the live record's, a removed one's, or none (a new key). */
function stampsBefore(
  map: Y.Map<unknown>,
  removed: Map<string, Stamped> | undefined,
  key: string,
  value: Stamped,
): Stamped | undefined {
  const before = (map.get(key) as Stamped | undefined) ?? removed?.get(key);
  if (before !== undefined || !wasRemoved(map, key)) return before;
  return value;
}

/** Refuses a record whose author, time or provenance the writer may not claim (see the module comment). */
function checkClaims(
  kind: "span" | "relation",
  key: string,
  value: Stamped,
  before: Stamped | undefined,
  w: Writer,
) {
  if (before === undefined) {
    if (value.author !== w.userId)
      throw new LayerValidationError(
        `a new ${kind} must name its writer (user ${w.userId}) as author`,
        "author",
      );
    if (value.createdAt > Date.now() + CLOCK_SKEW_MS)
      throw new LayerValidationError(`${kind} ${key} is dated in the future`, "createdAt");
    if (value.provenance !== undefined)
      throw new LayerValidationError("provenance is written by the server only", "provenance");
    return;
  }
  if (value.author !== before.author || value.createdAt !== before.createdAt)
    throw new LayerValidationError(`${kind} ${key} keeps its author and createdAt`, "author");
  if (!sameJson(value.provenance, before.provenance))
    throw new LayerValidationError("provenance is written by the server only", "provenance");
}

/**
 * The stamps of records removed from a live doc, by map and key: a client that edited a span offline while
 * someone removed it brings the span back (a Yjs map set wins over a concurrent delete), and its author is
 * still the one it had. Kept for the room's lifetime (one small entry per removed key).
 */
const removedByDoc = new WeakMap<Y.Doc, { spans: Map<string, Stamped>; relations: Map<string, Stamped> }>();

/** Starts keeping the stamps of records removed from a room's doc (call once its stored state is applied). */
export const trackRemovedRecords = (doc: Y.Doc): void => void removedStamps(doc);

function removedStamps(doc: Y.Doc) {
  let removed = removedByDoc.get(doc);
  if (removed) return removed;
  const made = { spans: new Map<string, Stamped>(), relations: new Map<string, Stamped>() };
  for (const [map, into] of [
    [spansOf(doc), made.spans],
    [relationsOf(doc), made.relations],
  ] as const) {
    map.observe((event) => {
      for (const [key, change] of event.changes.keys) {
        const old = change.oldValue as Stamped | undefined;
        if (change.action === "delete" && old && typeof old === "object")
          into.set(key, { author: old.author, createdAt: old.createdAt, provenance: old.provenance });
        else if (change.action === "add") into.delete(key);
      }
    });
  }
  removedByDoc.set(doc, made);
  removed = made;
  return removed;
}

/** The bytes one record costs against the layer quota: its id and its JSON (UTF-16 units, ≈ bytes). */
export const recordBytes = (key: string, value: unknown): number => key.length + JSON.stringify(value).length;

/** Running totals of a live doc's record bytes, kept by observing its maps (computed once per room). */
const bytesByDoc = new WeakMap<Y.Doc, { bytes: number }>();

/** The bytes of a layer's spans and relations (see `maxLayerBytes`), kept current as the doc changes. */
export function layerBytes(doc: Y.Doc): number {
  let total = bytesByDoc.get(doc);
  if (total) return total.bytes;
  const made = { bytes: 0 };
  for (const map of [spansOf(doc), relationsOf(doc)] as Y.Map<unknown>[]) {
    map.forEach((value, key) => {
      made.bytes += recordBytes(key, value);
    });
    map.observe((event) => {
      for (const [key, change] of event.changes.keys) {
        if (change.action !== "add") made.bytes -= recordBytes(key, change.oldValue);
        if (change.action !== "delete") made.bytes += recordBytes(key, map.get(key));
      }
    });
  }
  bytesByDoc.set(doc, made);
  total = made;
  return total.bytes;
}

/**
 * The quota a write of `added` records (and `bytes` more) would pass, as a message naming the limit, or
 * null: for server-side writes (REST), checked before they touch the doc.
 */
export function quotaRefusal(
  doc: Y.Doc,
  limits: Pick<CollabLimits, "maxSpansPerLayer" | "maxRelationsPerLayer" | "maxLayerBytes">,
  added: { spans?: number; relations?: number; bytes: number },
): { message: string; limit: keyof CollabLimits; max: number } | null {
  if (spansOf(doc).size + (added.spans ?? 0) > limits.maxSpansPerLayer)
    return {
      message: `this layer is full: it holds at most ${limits.maxSpansPerLayer} spans (maxSpansPerLayer)`,
      limit: "maxSpansPerLayer",
      max: limits.maxSpansPerLayer,
    };
  if (relationsOf(doc).size + (added.relations ?? 0) > limits.maxRelationsPerLayer)
    return {
      message: `this layer is full: it holds at most ${limits.maxRelationsPerLayer} relations (maxRelationsPerLayer)`,
      limit: "maxRelationsPerLayer",
      max: limits.maxRelationsPerLayer,
    };
  if (layerBytes(doc) + added.bytes > limits.maxLayerBytes)
    return {
      message: `this layer is full: its spans and relations may take at most ${limits.maxLayerBytes} bytes (maxLayerBytes)`,
      limit: "maxLayerBytes",
      max: limits.maxLayerBytes,
    };
  return null;
}

/** A live doc's layer maps by type (a room's doc keeps them for its lifetime). */
const rootsByDoc = new WeakMap<Y.Doc, Map<unknown, string>>();

/** Throws LayerValidationError when applying `update` to `doc` would make the layer invalid. */
export function validateClientUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  rules: RoomRules,
  limits: Pick<CollabLimits, "maxSpansPerLayer" | "maxRelationsPerLayer"> &
    Partial<Pick<CollabLimits, "maxLayerBytes">>,
  writer: Writer | null = null,
): void {
  const structs = readItems(update);
  if (structs.length === 0) return;
  let roots = rootsByDoc.get(doc);
  if (!roots) {
    roots = new Map<unknown, string>([
      [spansOf(doc), "spans"],
      [relationsOf(doc), "relations"],
      [rejectedOf(doc), "rejected"],
    ]);
    rootsByDoc.set(doc, roots);
  }
  // The update's own items by client, in clock order (as decoded), to resolve parents that it implies.
  const byClient = new Map<number, RawItem[]>();
  for (const s of structs) {
    const list = byClient.get(s.id.client);
    if (list) list.push(s);
    else byClient.set(s.id.client, [s]);
  }
  const where: Resolver = { doc, roots, byClient, memo: new Map() };
  const removed = writer ? removedStamps(doc) : null;
  const spans = spansOf(doc);
  const newSpans = new Map<string, unknown>();
  const relationsWritten: Array<[string, unknown]> = [];
  let newRelationKeys = 0;
  let newSpanKeys = 0;
  const knownSpanKeys = (spans as unknown as { _map: Map<string, unknown> })._map;
  const knownRelationKeys = (relationsOf(doc) as unknown as { _map: Map<string, unknown> })._map;

  for (const s of structs) {
    // Content the room already has integrates as a no-op.
    if (s.id.clock + s.length <= Y.getState(doc.store, s.id.client)) continue;
    if (s.kind === "deleted") continue;
    const target = resolve(where, s, 0);
    if (target === "gc") continue;
    if (target.root === null || (target.root === "rejected" && !rules.gold))
      throw new LayerValidationError("the update writes outside the layer's maps", "root");
    if (target.key === null) throw new LayerValidationError("the update writes a list into a map", "key");
    if (s.kind !== "any" || s.arr?.length !== 1)
      throw new LayerValidationError(`${target.root} values must be plain JSON records`, target.root);
    const value = s.arr[0];
    if (target.root === "spans") {
      validateSpanRecord(target.key, value, rules.ctx);
      if (writer)
        checkClaims(
          "span",
          target.key,
          value,
          stampsBefore(spans as Y.Map<unknown>, removed?.spans, target.key, value),
          writer,
        );
      if (!knownSpanKeys.has(target.key) && !newSpans.has(target.key)) newSpanKeys++;
      newSpans.set(target.key, value);
    } else if (target.root === "relations") {
      if (!knownRelationKeys.has(target.key)) newRelationKeys++;
      relationsWritten.push([target.key, value]);
    } else validateRejectedRecord(target.key, value);
  }
  if (knownSpanKeys.size + newSpanKeys > limits.maxSpansPerLayer)
    throw new LayerValidationError(
      `a layer holds at most ${limits.maxSpansPerLayer} spans (maxSpansPerLayer)`,
      "spans",
    );
  if (knownRelationKeys.size + newRelationKeys > limits.maxRelationsPerLayer)
    throw new LayerValidationError(
      `a layer holds at most ${limits.maxRelationsPerLayer} relations (maxRelationsPerLayer)`,
      "relations",
    );
  if (limits.maxLayerBytes !== undefined) {
    // the quota in bytes: what the written records add, less what they replace (last write of a key wins)
    let delta = 0;
    const relationValues = new Map(relationsWritten);
    for (const [written, current] of [
      [newSpans, spans],
      [relationValues, relationsOf(doc)],
    ] as const) {
      for (const [key, value] of written) {
        delta += recordBytes(key, value);
        if ((current as Y.Map<unknown>).has(key))
          delta -= recordBytes(key, (current as Y.Map<unknown>).get(key));
      }
    }
    if (delta > 0 && layerBytes(doc) + delta > limits.maxLayerBytes)
      throw new LayerValidationError(
        `the layer's storage quota is ${limits.maxLayerBytes} bytes of spans and relations (maxLayerBytes)`,
        "quota",
      );
  }
  if (relationsWritten.length === 0) return;
  const spanExists = (id: string) => newSpans.has(id) || spans.has(id);
  const relations = relationsOf(doc);
  for (const [id, value] of relationsWritten) {
    validateRelationRecord(id, value, rules.ctx, spanExists);
    if (writer)
      checkClaims(
        "relation",
        id,
        value,
        stampsBefore(relations as Y.Map<unknown>, removed?.relations, id, value),
        writer,
      );
  }
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
