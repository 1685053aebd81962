import { ExportQuery, ImportQuery, type LayerName, layerUserId } from "@gloss/shared";
import { Hono } from "hono";
import { projectAccess, requireRole } from "../../auth/access";
import type { AppEnv, Deps } from "../../context";
import { HttpError } from "../../errors";
import { createExport } from "../../services/export";
import { importAnnotations } from "../../services/importAnnotations";
import { idParam } from "../projects/params";
import { exportResponse } from "./stream";

/**
 * Largest annotation file accepted (bytes): annotation files carry many documents, so ten times the
 * largest document, and at least 64 MiB.
 */
const importLimit = (maxDocumentBytes: number) => Math.max(64 * 1024 * 1024, 10 * maxDocumentBytes);

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
    const job = createExport(deps.db, access.project.id, query);
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
    const limit = importLimit(deps.config.maxDocumentBytes);
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > limit) throw new HttpError(413, "too_large", `The file is larger than ${limit} bytes`);
    let bytes: Uint8Array;
    let fileName: string | undefined;
    if ((c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
      const form = await c.req.parseBody();
      const file = form.file;
      if (!(file instanceof File))
        throw new HttpError(400, "bad_request", "Send the file in the multipart field `file`");
      bytes = new Uint8Array(await file.arrayBuffer());
      fileName = file.name || undefined;
    } else {
      bytes = new Uint8Array(await c.req.arrayBuffer());
    }
    if (bytes.byteLength > limit)
      throw new HttpError(413, "too_large", `The file is larger than ${limit} bytes`);
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
      },
      bytes,
    );
    return c.json(result);
  });

  return app;
}
