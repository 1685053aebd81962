import { DOCUMENT_IMPORT_BODIES, ImportDocumentsQuery, ImportResultDto, ProjectParams } from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { ImportBatch } from "../../import/batch";
import { limitOf } from "../../import/limits";
import { warmSummaries } from "../../services/curation/summaries";
import { commitImport } from "../../services/documents";
import { createRouter, errors, json, memberErrors, streamedBody } from "../openapi";
import { readImportRequest } from "./importBody";

// The body is read by the upload reader as it streams (bounded, validated record by record), so it is
// described here but not validated up front: its schemas are plain JSON Schema, which the router skips.
const importRoute = createRoute({
  method: "post",
  path: "/projects/{id}/documents",
  operationId: "importDocuments",
  tags: ["documents"],
  summary: "Import documents (managers): JSON, multipart files, or one streamed NDJSON, CSV or text body",
  description:
    "Every document is validated before any is stored (a bad one: 400 invalid_import naming file, line and field); duplicates (same sha256 in the project) are skipped. The answer is a summary of fixed size: the counts, the first 20 imported and skipped, and `documents`, the path of GET /projects/{id}/documents?importId= that pages through every imported document. Bounded by GLOSS_MAX_JSON_IMPORT_BYTES (JSON) and GLOSS_MAX_UPLOAD_BYTES (the rest): 413 payload_too_large names the limit and the file.",
  request: {
    params: ProjectParams,
    query: ImportDocumentsQuery,
    ...streamedBody(DOCUMENT_IMPORT_BODIES),
  },
  responses: {
    201: json(ImportResultDto, "Imported (and skipped duplicates)"),
    ...memberErrors,
    413: errors[413],
    415: errors[415],
  },
});

/** POST /projects/:id/documents — import (manager): JSON, multipart files, or a streamed NDJSON/CSV/text body. */
export function importRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;

  app.openapi(importRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const { name } = c.req.valid("query");
    const batch = new ImportBatch(deps.config.maxDocumentBytes);
    try {
      // phase 1 (async, streaming): validate everything into a spool; phase 2: one transaction (sync on SQLite)
      await readImportRequest(c.req.raw, name, batch, {
        json: limitOf(deps.config, "maxJsonImportBytes"),
        upload: limitOf(deps.config, "maxUploadBytes"),
      });
      const result = await call(store, commitImport, batch, {
        projectId: access.project.id,
        userId: access.user.id,
        via: "api",
      });
      deps.log.info("documents imported", {
        projectId: access.project.id,
        userId: access.user.id,
        importId: result.importId,
        imported: result.imported.count,
        skipped: result.skipped.count,
      });
      if (result.imported.count > 0) warmSummaries(deps, access.project.id);
      return c.json(result, 201);
    } finally {
      batch.dispose();
    }
  });

  return app;
}
