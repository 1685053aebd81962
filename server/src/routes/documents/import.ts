import { ImportDocumentsQuery } from "@gloss/shared";
import { Hono } from "hono";
import { projectAccess, requireRole } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import { ImportBatch } from "../../import/batch";
import { limitOf } from "../../import/limits";
import { commitImport } from "../../services/documents";
import { readImportRequest } from "./importBody";
import { idParam } from "./params";

/** POST /projects/:id/documents — import (manager): JSON, multipart files, or a streamed NDJSON/CSV/text body. */
export function importRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.post("/projects/:id/documents", async (c) => {
    const access = projectAccess(deps.db, c.get("user"), idParam(c.req.param("id")));
    requireRole(access, "manager");
    const { name } = ImportDocumentsQuery.parse(c.req.query());
    const batch = new ImportBatch(deps.config.maxDocumentBytes);
    try {
      // phase 1 (async, streaming): validate everything into a spool; phase 2 (sync): one transaction
      await readImportRequest(c.req.raw, name, batch, {
        json: limitOf(deps.config, "maxJsonImportBytes"),
        upload: limitOf(deps.config, "maxUploadBytes"),
      });
      const result = commitImport(deps.db, batch, {
        projectId: access.project.id,
        userId: access.user.id,
        via: "api",
      });
      deps.log.info("documents imported", {
        projectId: access.project.id,
        userId: access.user.id,
        imported: result.imported.length,
        skipped: result.skipped.length,
      });
      return c.json(result, 201);
    } finally {
      batch.dispose();
    }
  });

  return app;
}
