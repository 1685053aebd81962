/**
 * What validating a server-side write to a layer needs: the document's text, the project's labels (ids for
 * validation, names for `label` given by name and for responses) and its relation types. The one builder
 * of it: REST layer writes, collab rooms, annotation import and curation all call `loadLayerContext`.
 */
import type { LayerContext } from "@gloss/shared";
import { eq, sql } from "drizzle-orm";
import type { DocumentRow, ProjectRow } from "../auth/access";
import type { Db } from "../db/client";
import { perDb } from "../db/query";
import { documents, labels, projects } from "../db/schema";

export interface LayerWriteContext {
  ctx: LayerContext;
  labelNames: ReadonlyMap<number, string>;
  labelIdsByName: ReadonlyMap<string, number>;
}

/** The two reads behind a layer context. */
function prepareQueries(db: Db) {
  return {
    labels: db
      .select({ id: labels.id, name: labels.name })
      .from(labels)
      .where(eq(labels.projectId, sql.placeholder("projectId")))
      .prepare(),
    document: db
      .select({ text: documents.text, projectId: documents.projectId, relationTypes: projects.relationTypes })
      .from(documents)
      .innerJoin(projects, eq(projects.id, documents.projectId))
      .where(eq(documents.id, sql.placeholder("documentId")))
      .prepare(),
  };
}

/** Prepared once per database (a test opens many). */
const queries = perDb(prepareQueries);

/** Loads the validation context of a document's layers (the document and project rows at hand). */
export function loadLayerContext(
  db: Db,
  document: Pick<DocumentRow, "text" | "projectId">,
  project: Pick<ProjectRow, "relationTypes">,
): LayerWriteContext {
  const rows = queries(db).labels.all({ projectId: document.projectId });
  return {
    ctx: {
      text: document.text,
      labelIds: new Set(rows.map((r) => r.id)),
      relationTypes: new Set(project.relationTypes),
    },
    labelNames: new Map(rows.map((r) => [r.id, r.name])),
    labelIdsByName: new Map(rows.map((r) => [r.name, r.id])),
  };
}

/** The same, read by document id (collab rooms, which hold no rows); null when the document is gone. */
export function loadDocumentLayerContext(db: Db, documentId: number): LayerWriteContext | null {
  const row = queries(db).document.get({ documentId });
  return row ? loadLayerContext(db, row, row) : null;
}
