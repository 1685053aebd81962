/**
 * What validating a server-side write to a layer needs: the document's text, the project's labels (ids for
 * validation, names for `label` given by name and for responses) and its relation types. The one builder
 * of it: REST layer writes, collab rooms, annotation import and curation all call `loadLayerContext`.
 */
import type { LayerContext } from "@gloss/shared";
import { eq, sql } from "drizzle-orm";
import type { DocumentRow, ProjectRow } from "../auth/access";
import type { Db } from "../db/client";
import { allWith, callSync, type Gen, getWith, perStore, prepare, type Store } from "../db/store";

export interface LayerWriteContext {
  ctx: LayerContext;
  labelNames: ReadonlyMap<number, string>;
  labelIdsByName: ReadonlyMap<string, number>;
}

/** The two reads behind a layer context, prepared once per database (a test opens many). */
const queries = perStore((store) => {
  const { documents, labels, projects } = store.t;
  return {
    labels: prepare(
      store,
      "layer_context_labels",
      store.q
        .select({ id: labels.id, name: labels.name })
        .from(labels)
        .where(eq(labels.projectId, sql.placeholder("projectId"))),
    ),
    document: prepare(
      store,
      "layer_context_document",
      store.q
        .select({
          text: documents.text,
          projectId: documents.projectId,
          relationTypes: projects.relationTypes,
        })
        .from(documents)
        .innerJoin(projects, eq(projects.id, documents.projectId))
        .where(eq(documents.id, sql.placeholder("documentId"))),
    ),
  };
});

/** The validation context of a document's layers (the document and project rows at hand). */
export function* layerContext(
  store: Store,
  document: Pick<DocumentRow, "text" | "projectId">,
  project: Pick<ProjectRow, "relationTypes">,
): Gen<LayerWriteContext> {
  const rows = yield* allWith(queries(store).labels, { projectId: document.projectId });
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
export function* documentLayerContext(store: Store, documentId: number): Gen<LayerWriteContext | null> {
  const row = yield* getWith(queries(store).document, { documentId });
  return row ? yield* layerContext(store, row, row) : null;
}

/** `layerContext` for synchronous SQLite callers. */
export const loadLayerContext = (
  db: Db,
  document: Pick<DocumentRow, "text" | "projectId">,
  project: Pick<ProjectRow, "relationTypes">,
): LayerWriteContext => callSync(db, layerContext, document, project);

/** `documentLayerContext` for synchronous SQLite callers. */
export const loadDocumentLayerContext = (db: Db, documentId: number): LayerWriteContext | null =>
  callSync(db, documentLayerContext, documentId);
