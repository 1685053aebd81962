/** A document's curation status (todo → in_progress → done), set by curators and by their first decision. */
import type { AssignmentStatus } from "@gloss/shared";
import { and, eq, exists, inArray, ne, sql } from "drizzle-orm";
import type { DocumentAccess } from "../../auth/access";
import type { Deps } from "../../context";
import type { Db } from "../../db/client";
import { annotations, curations } from "../../db/schema";
import { audit } from "../audit";

/** A document's curation status ("todo" when no curator has touched it). */
export function curationStatus(db: Db, documentId: number): AssignmentStatus {
  return (
    db.select({ s: curations.status }).from(curations).where(eq(curations.documentId, documentId)).get()?.s ??
    "todo"
  );
}

/** Curation statuses of some documents. */
export function curationStatuses(db: Db, documentIds: number[]): Map<number, AssignmentStatus> {
  const out = new Map<number, AssignmentStatus>();
  for (let i = 0; i < documentIds.length; i += 500) {
    const ids = documentIds.slice(i, i + 500);
    for (const r of db.select().from(curations).where(inArray(curations.documentId, ids)).all())
      out.set(r.documentId, r.status);
  }
  return out;
}

/**
 * Documents whose curation has started (or is done) and whose annotator layers changed after the curation
 * status was last set: a span added or edited later (read from the projection's times; a deletion leaves
 * no row, so it is not seen). The curator sees these flagged "changed after curation".
 */
export function changedAfterCuration(db: Db, documentIds: number[]): Set<number> {
  const changedLater = exists(
    db
      .select({ x: sql`1` })
      .from(annotations)
      .where(
        and(
          eq(annotations.documentId, curations.documentId),
          ne(annotations.layer, "gold"),
          sql`max(${annotations.createdAt}, coalesce(${annotations.updatedAt}, 0)) > ${curations.updatedAt}`,
        ),
      ),
  );
  const out = new Set<number>();
  for (let i = 0; i < documentIds.length; i += 500) {
    const ids = documentIds.slice(i, i + 500);
    for (const r of db
      .select({ id: curations.documentId })
      .from(curations)
      .where(and(ne(curations.status, "todo"), inArray(curations.documentId, ids), changedLater))
      .all())
      out.add(r.id);
  }
  return out;
}

/** Sets a document's curation status (call inside a transaction with its audit row). */
export function setCurationStatus(
  db: Db,
  documentId: number,
  status: AssignmentStatus,
  userId: number,
): void {
  db.insert(curations)
    .values({ documentId, status, updatedBy: userId, updatedAt: Date.now() })
    .onConflictDoUpdate({
      target: curations.documentId,
      set: { status, updatedBy: userId, updatedAt: Date.now() },
    })
    .run();
}

/** Sets a document's curation status with its audit row, in one transaction. */
export function changeCurationStatus(deps: Deps, access: DocumentAccess, status: AssignmentStatus): void {
  const documentId = access.document.id;
  deps.db.transaction(() => {
    const from = curationStatus(deps.db, documentId);
    setCurationStatus(deps.db, documentId, status, access.user.id);
    audit(deps.db, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "curation.status",
      target: `document:${documentId}`,
      details: { from, to: status },
    });
  });
}

/** A decision starts curation: todo → in_progress (in_progress and done stay). Returns the status after. */
export function markInProgress(db: Db, documentId: number, userId: number): AssignmentStatus {
  const cur = curationStatus(db, documentId);
  if (cur !== "todo") return cur;
  setCurationStatus(db, documentId, "in_progress", userId);
  return "in_progress";
}
