import { ExportQuery, ImportQuery, type LayerName, layerUserId } from "@gloss/shared";
import { Hono } from "hono";
import { projectAccess, requireRole } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import { HttpError } from "../../errors";
import { limitOf } from "../../import/limits";
import { readBody, readFilePart } from "../../import/upload";
import { createExport } from "../../services/export";
import { importAnnotations } from "../../services/importAnnotations";
import { idParam } from "../projects/params";
import { exportResponse } from "./stream";

/**
 * Export (`GET /projects/:id/export`, managers and curators) and annotation import
 * (`POST /projects/:id/annotations/import`, managers; curators into gold). Non-members get 404.
 */
export function exportRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.get("/projects/:id/export", (c) => {
    const access = projectAccess(deps.db, c.get("user"), idParam(c, "id"));
    requireRole(access, "manager", "curator");
    const query = ExportQuery.parse(c.req.query());
    // the request's signal is aborted when the client goes away: the export stops at its next page
    const job = createExport(deps.db, access.project.id, query, { signal: c.req.raw.signal, log: deps.log });
    return exportResponse(c, job, deps.log);
  });

  app.post("/projects/:id/annotations/import", async (c) => {
    const access = projectAccess(deps.db, c.get("user"), idParam(c, "id"));
    const q = ImportQuery.parse(c.req.query());
    if (q.layer === "gold") requireRole(access, "manager", "curator");
    else requireRole(access, "manager");
    const owner = layerUserId(q.layer);
    const member =
      owner === null ||
      deps.db.$client
        .prepare("SELECT 1 FROM project_members WHERE project_id = ? AND user_id = ?")
        .get(access.project.id, owner) !== undefined;
    if (!member)
      throw new HttpError(
        400,
        "bad_request",
        `layer ${q.layer}: user ${owner} is not a member of the project`,
      );
    // the upload reader bounds the body while it streams (413 payload_too_large, nothing stored)
    const limit = limitOf(deps.config, "maxAnnotationImportBytes");
    let bytes: Uint8Array;
    let fileName: string | undefined;
    if ((c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
      const part = await readFilePart(c.req.raw, limit, "file");
      if (!part) throw new HttpError(400, "bad_request", "Send the file in the multipart field `file`");
      bytes = part.bytes;
      fileName = part.filename ?? undefined;
    } else {
      bytes = await readBody(c.req.raw, limit, "The annotation file");
    }
    if (!bytes.byteLength) throw new HttpError(400, "bad_request", "The request has no file");
    const result = await importAnnotations(
      deps,
      {
        projectId: access.project.id,
        format: q.format,
        layer: q.layer as LayerName,
        createLabels: q.createLabels,
        offsets: q.offsets,
        userId: access.user.id,
        fileName,
        zipLimits: deps.config,
      },
      bytes,
    );
    return c.json(result);
  });

  return app;
}
