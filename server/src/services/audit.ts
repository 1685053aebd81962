import type { Db } from "../db/client";
import { executeSync, type Gen, run, type Store, sqliteStore } from "../db/store";

export interface AuditEntry {
  userId: number | null;
  projectId?: number | null;
  /** Dotted verb, e.g. "project.create", "label.delete", "gold.accept". */
  action: string;
  /** What it acted on, e.g. "label:12", "document:3/span:abc". */
  target?: string;
  details?: Record<string, unknown>;
}

/** Appends one entry to the audit log (call inside the transaction of the change it records). */
export function* recordAudit(store: Store, e: AuditEntry): Gen<void> {
  yield* run(
    store.q.insert(store.t.auditLog).values({
      userId: e.userId,
      projectId: e.projectId ?? null,
      action: e.action,
      target: e.target ?? null,
      details: e.details ?? {},
    }),
  );
}

/** recordAudit, for the services still written against SQLite alone (issue 12 converts them). */
export function audit(db: Db, e: AuditEntry): void {
  const store = sqliteStore(db);
  executeSync(store, recordAudit(store, e));
}
