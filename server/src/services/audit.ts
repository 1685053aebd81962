import type { Db } from "../db/client";
import { auditLog } from "../db/schema";

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
export function audit(db: Db, e: AuditEntry): void {
  db.insert(auditLog)
    .values({
      userId: e.userId,
      projectId: e.projectId ?? null,
      action: e.action,
      target: e.target ?? null,
      details: e.details ?? {},
    })
    .run();
}
