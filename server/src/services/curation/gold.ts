/**
 * The live gold layer of a document, and the one way curation writes to it.
 *
 * Gold comes from its live room (`collab.withDoc`), since that is what curators are editing and its
 * `rejected` map is not projected. Writes go through `goldChange`: inside the live gold room, the change
 * is decided from the room's current state, then one SQLite transaction writes the audit rows and the
 * curation status and, as its last step, applies the Yjs change (so a failed audit never leaves an
 * unaudited gold edit, and two curators' decisions cannot interleave between reading gold and writing it).
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
import { type AuditEntry, audit } from "../audit";
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
 * Decides and applies a gold change atomically (see the module comment). `decide` reads the live doc and
 * throws an HttpError for bad input before anything is written. Returns the result and the status after.
 */
export function goldChange<T>(
  deps: Deps,
  access: DocumentAccess,
  decide: (doc: Y.Doc) => GoldChange<T>,
): Promise<{ result: T; status: AssignmentStatus }> {
  const documentId = access.document.id;
  return deps.collab.withDoc(documentId, "gold", (doc) => {
    const change = decide(doc);
    return deps.db.transaction(() => {
      for (const e of change.audit) audit(deps.db, e);
      const status =
        change.audit.length > 0
          ? markInProgress(deps.db, documentId, access.user.id)
          : curationStatus(deps.db, documentId);
      doc.transact(() => change.apply(doc), CURATION_ORIGIN);
      return { result: change.result, status };
    });
  });
}
