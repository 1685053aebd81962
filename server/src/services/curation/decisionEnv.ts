/** What every curator decision shares: its environment, its outcome, its audit row. */
import type { AnnotatorLayer, Relation, Span } from "@gloss/shared";
import type { DocumentAccess } from "../../auth/access";
import type { Store } from "../../db/store";
import type { AuditEntry } from "../audit";
import type { DtoContext } from "./dto";

/** What a decision hands back before DTO conversion. */
export interface DecisionOutcome {
  span: Span | null;
  relation: Relation | null;
  removed: { spans: string[]; relations: string[] };
  rejected: string[];
}

export const emptyOutcome = (): DecisionOutcome => ({
  span: null,
  relation: null,
  removed: { spans: [], relations: [] },
  rejected: [],
});

/** Everything a decision needs besides the live doc. */
export interface DecisionEnv {
  /** The database, for what a decision reads besides the live doc. */
  store: Store;
  access: DocumentAccess;
  layers: AnnotatorLayer[];
  dto: DtoContext;
  now: number;
}

/** The audit row every decision writes. */
export function auditEntry(
  env: DecisionEnv,
  action: string,
  target: string,
  details: Record<string, unknown>,
): AuditEntry {
  return {
    userId: env.access.user.id,
    projectId: env.access.project.id,
    action,
    target: `document:${env.access.document.id}${target}`,
    details,
  };
}
