/**
 * The live gold layer of a document, and the one way curation writes to it.
 *
 * Gold comes from its live room (`collab.withDoc`), since that is what curators are editing and its
 * `rejected` map is not projected. Writes go through `goldChange`: inside the live gold room, the change
 * is decided from the room's current state (a generator: what it reads of the database it yields to the
 * store), then one transaction writes the audit rows and the curation status and, as its last step,
 * applies the Yjs change (so a failed audit never leaves an unaudited gold edit). On SQLite the store
 * answers at once, so deciding and writing run in one synchronous step of the room: two curators'
 * decisions cannot interleave between reading gold and writing it. On PostgreSQL each read is awaited, and
 * the curators may be on different servers, so a document's curation writes take turns: one at a time per
 * document in this process, and across servers under a session advisory lock on the document, taken
 * before the gold room is read afresh from the database (what another server committed a moment ago may
 * not have reached this one's room yet). An edit a browser makes in the gold room meanwhile is not held
 * back.
 */
import {
  type AssignmentStatus,
  type GoldState,
  listRelations,
  listSpans,
  type Relation,
  rejectedOf,
  type Span,
} from "@gloss/shared";
import type * as Y from "yjs";
import type { DocumentAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { execute, type Gen, type Store, transaction } from "../../db/store";
import { type AuditEntry, recordAudit } from "../audit";
import { curationStatus, markInProgress } from "./status";

/** Transaction origin of every curation write (so observers can tell them from a browser's edits). */
export const CURATION_ORIGIN = "curation";

/** The live gold layer: spans, relations and the `rejected` map. */
export interface LiveGold extends GoldState {
  spans: Span[];
  relations: Relation[];
  rejectedEntries: Array<{ key: string; by: number | null; at: number }>;
}

/** Reads the gold layer's state out of its Y.Doc. */
export function readGold(doc: Y.Doc): LiveGold {
  const rejectedEntries: LiveGold["rejectedEntries"] = [];
  rejectedOf(doc).forEach((v, key) => {
    rejectedEntries.push({ key, by: v?.by ?? null, at: v?.at ?? 0 });
  });
  rejectedEntries.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
  return {
    spans: listSpans(doc),
    relations: listRelations(doc),
    rejected: rejectedEntries.map((e) => e.key),
    rejectedEntries,
  };
}

/** A change to gold, decided from its live state: audit rows, the Yjs edit, and what to answer. */
export interface GoldChange<T> {
  audit: AuditEntry[];
  /** Applies the edit to the doc (runs inside one Yjs transaction); must not throw: validate first. */
  apply: (doc: Y.Doc) => void;
  result: T;
}

/**
 * The database side of a gold change, in one transaction: its audit rows, the curation status (a change
 * starts curation; none leaves it as it is), then `last` (the Yjs edit), so that a failure before it
 * writes nothing anywhere. Returns the status after.
 */
export function goldBookkeeping(
  _store: Store,
  documentId: number,
  userId: number,
  entries: readonly AuditEntry[],
  last: () => void,
): Gen<AssignmentStatus> {
  return transaction(function* (tx) {
    for (const e of entries) yield* recordAudit(tx, e);
    const status =
      entries.length > 0
        ? yield* markInProgress(tx, documentId, userId)
        : yield* curationStatus(tx, documentId);
    last();
    return status;
  });
}

/**
 * Decides and applies a gold change atomically (see the module comment). `decide` reads the live doc (and
 * what it needs of the database, through the store) and throws an HttpError for bad input before
 * anything is written. Returns the result and the status after.
 */
export function goldChange<T>(
  store: Store,
  deps: Pick<Deps, "collab">,
  access: DocumentAccess,
  decide: (doc: Y.Doc) => Gen<GoldChange<T>>,
): Promise<{ result: T; status: AssignmentStatus }> {
  const documentId = access.document.id;
  return inTurn(store, documentId, (fresh) =>
    deps.collab.withDoc(
      documentId,
      "gold",
      (doc) =>
        execute(
          store,
          (function* () {
            const change = yield* decide(doc);
            const status = yield* goldBookkeeping(store, documentId, access.user.id, change.audit, () =>
              doc.transact(() => change.apply(doc), CURATION_ORIGIN),
            );
            return { result: change.result, status };
          })(),
        ),
      { fresh },
    ),
  );
}

/** The curation write of each document under way on a PostgreSQL database (keyed by its pool). */
const turns = new WeakMap<object, Map<number, Promise<void>>>();

/** The advisory lock class of a document's curation writes ("gold"; the document id is the other key). */
const GOLD_LOCK = 0x676f6c64;

/** Connections one server holds advisory locks on at once: the rest of the pool stays free for the writes. */
const LOCK_SLOTS = 2;
const slots = new WeakMap<object, { free: number; waiting: Array<() => void> }>();

async function withSlot<T>(key: object, body: () => Promise<T>): Promise<T> {
  let s = slots.get(key);
  if (!s) {
    s = { free: LOCK_SLOTS, waiting: [] };
    slots.set(key, s);
  }
  const slot = s;
  if (slot.free > 0) slot.free--;
  else await new Promise<void>((resolve) => slot.waiting.push(resolve));
  try {
    return await body();
  } finally {
    const next = slot.waiting.shift();
    if (next) next();
    else slot.free++;
  }
}

/**
 * Runs `write` after the document's curation writes before it. On SQLite at once (deciding and writing are
 * one synchronous step there anyway); on PostgreSQL in turn in this process, holding the document's
 * advisory lock (every server's writes to it take turns), with `fresh` set: read gold from the database.
 */
function inTurn<T>(store: Store, documentId: number, write: (fresh: boolean) => Promise<T>): Promise<T> {
  if (store.dialect !== "pg") return write(false);
  const { pool } = store;
  let queue = turns.get(pool);
  if (!queue) {
    queue = new Map();
    turns.set(pool, queue);
  }
  const locked = () =>
    withSlot(pool, async () => {
      const client = await pool.connect();
      // a connection whose unlock failed is closed, not pooled: closing it is what frees the lock then
      let unlocked = false;
      try {
        await client.query("SELECT pg_advisory_lock($1, $2)", [GOLD_LOCK, documentId]);
        try {
          return await write(true);
        } finally {
          await client.query("SELECT pg_advisory_unlock($1, $2)", [GOLD_LOCK, documentId]);
          unlocked = true;
        }
      } finally {
        client.release(!unlocked);
      }
    });
  const result = (queue.get(documentId) ?? Promise.resolve()).then(locked);
  const done = result.then(
    () => {},
    () => {},
  );
  queue.set(documentId, done);
  void done.then(() => {
    if (queue.get(documentId) === done) queue.delete(documentId);
  });
  return result;
}
