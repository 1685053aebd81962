/**
 * What validating a server-side write to a layer needs: the document's text, the project's labels (ids for
 * validation, names for `label` given by name and for responses) and its relation types.
 */
import type { LayerContext } from "@gloss/shared";
import { eq } from "drizzle-orm";
import type { DocumentRow, ProjectRow } from "../auth/access";
import type { Db } from "../db/client";
import { labels } from "../db/schema";

export interface LayerWriteContext {
  ctx: LayerContext;
  labelNames: ReadonlyMap<number, string>;
  labelIdsByName: ReadonlyMap<string, number>;
}

/** Parses `projects.relation_types` (a JSON array of names); undefined (= any type) when unreadable. */
export function parseRelationTypes(json: string): ReadonlySet<string> | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? new Set(v.filter((t): t is string => typeof t === "string")) : undefined;
  } catch {
    return undefined;
  }
}

/** Loads the validation context of a document's layers. */
export function loadLayerContext(
  db: Db,
  document: Pick<DocumentRow, "text" | "projectId">,
  project: Pick<ProjectRow, "relationTypes">,
): LayerWriteContext {
  const rows = db
    .select({ id: labels.id, name: labels.name })
    .from(labels)
    .where(eq(labels.projectId, document.projectId))
    .all();
  return {
    ctx: {
      text: document.text,
      labelIds: new Set(rows.map((r) => r.id)),
      relationTypes: parseRelationTypes(project.relationTypes),
    },
    labelNames: new Map(rows.map((r) => [r.id, r.name])),
    labelIdsByName: new Map(rows.map((r) => [r.name, r.id])),
  };
}
