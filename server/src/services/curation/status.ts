/** A document's curation status (todo → in_progress → done), set by curators and by their first decision. */
import type { AssignmentStatus } from "@gloss/shared";
import { and, eq, exists, inArray, ne, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { DocumentAccess } from "../../auth/access";
import type { Db } from "../../db/client";
import { all, callSync, type Gen, get, run, type Store, transaction } from "../../db/store";
import { recordAudit } from "../audit";

/** A document's curation status ("todo" when no curator has touched it). */
export function* curationStatus(store: Store, documentId: number): Gen<AssignmentStatus> {
  const { curations } = store.t;
  return (
    (yield* get(
      store.q.select({ s: curations.status }).from(curations).where(eq(curations.documentId, documentId)),
    ))?.s ?? "todo"
  );
}

/** Curation statuses of some documents. */
export function* curationStatuses(store: Store, documentIds: number[]): Gen<Map<number, AssignmentStatus>> {
  const { curations } = store.t;
  const out = new Map<number, AssignmentStatus>();
  for (let i = 0; i < documentIds.length; i += 500) {
    const ids = documentIds.slice(i, i + 500);
    for (const r of yield* all(store.q.select().from(curations).where(inArray(curations.documentId, ids))))
      out.set(r.documentId, r.status);
  }
  return out;
}

/** The larger of two integers: SQLite's two-argument `max`, PostgreSQL's `greatest`. */
const larger = (store: Pick<Store, "dialect">, a: SQLWrapper, b: SQLWrapper): SQL =>
  store.dialect === "pg" ? sql`greatest(${a}, ${b})` : sql`max(${a}, ${b})`;

/**
 * Documents whose curation has started (or is done) and whose annotator layers changed after the curation
 * status was last set: a span added or edited later (read from the projection's times; a deletion leaves
 * no row, so it is not seen). The curator sees these flagged "changed after curation".
 */
export function* documentsChangedAfterCuration(store: Store, documentIds: number[]): Gen<Set<number>> {
  const { annotations, curations } = store.t;
  const changedLater = exists(
    store.q
      .select({ x: sql`1` })
      .from(annotations)
      .where(
        and(
          eq(annotations.documentId, curations.documentId),
          ne(annotations.layer, "gold"),
          sql`${larger(store, annotations.createdAt, sql`coalesce(${annotations.updatedAt}, 0)`)} > ${curations.updatedAt}`,
        ),
      ),
  );
  const out = new Set<number>();
  for (let i = 0; i < documentIds.length; i += 500) {
    const ids = documentIds.slice(i, i + 500);
    for (const r of yield* all(
      store.q
        .select({ id: curations.documentId })
        .from(curations)
        .where(and(ne(curations.status, "todo"), inArray(curations.documentId, ids), changedLater)),
    ))
      out.add(r.id);
  }
  return out;
}

/** `documentsChangedAfterCuration` for synchronous SQLite callers (summaries.ts, also in the worker). */
export const changedAfterCuration = (db: Db, documentIds: number[]): Set<number> =>
  callSync(db, documentsChangedAfterCuration, documentIds);

/** Sets a document's curation status (call inside a transaction with its audit row). */
export function* setCurationStatus(
  store: Store,
  documentId: number,
  status: AssignmentStatus,
  userId: number,
): Gen<void> {
  const { curations } = store.t;
  yield* run(
    store.q
      .insert(curations)
      .values({ documentId, status, updatedBy: userId, updatedAt: Date.now() })
      .onConflictDoUpdate({
        target: curations.documentId,
        set: { status, updatedBy: userId, updatedAt: Date.now() },
      }),
  );
}

/** Sets a document's curation status with its audit row, in one transaction. */
export function changeCurationStatus(
  _store: Store,
  access: DocumentAccess,
  status: AssignmentStatus,
): Gen<void> {
  const documentId = access.document.id;
  return transaction(function* (tx) {
    const from = yield* curationStatus(tx, documentId);
    yield* setCurationStatus(tx, documentId, status, access.user.id);
    yield* recordAudit(tx, {
      userId: access.user.id,
      projectId: access.project.id,
      action: "curation.status",
      target: `document:${documentId}`,
      details: { from, to: status },
    });
  });
}

/** A decision starts curation: todo → in_progress (in_progress and done stay). Returns the status after. */
export function* markInProgress(store: Store, documentId: number, userId: number): Gen<AssignmentStatus> {
  const cur = yield* curationStatus(store, documentId);
  if (cur !== "todo") return cur;
  yield* setCurationStatus(store, documentId, "in_progress", userId);
  return "in_progress";
}
