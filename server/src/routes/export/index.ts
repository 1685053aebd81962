import {
  ANNOTATION_IMPORT_BODIES,
  AnnotationImportResultDto,
  EXPORT_CONTENT,
  ExportQuery,
  ImportQuery,
  type LayerName,
  layerUserId,
  ProjectParams,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { HttpError } from "../../errors";
import { limitOf } from "../../import/limits";
import { readBody, readFilePart } from "../../import/upload";
import { warmSummaries } from "../../services/curation/summaries";
import { openExport } from "../../services/exportStream";
import { importAnnotations } from "../../services/importAnnotations";
import { createRouter, errors, json, memberErrors, streamedBody, streamedContent } from "../openapi";
import { findMember } from "../projects/members";
import { EXPORT_TRAILERS, exportResponse } from "./stream";

const exportRoute = createRoute({
  method: "get",
  path: "/projects/{id}/export",
  operationId: "exportAnnotations",
  tags: ["export"],
  summary: "Export a layer of the project's documents in one of the formats (managers, curators)",
  description:
    "Streamed at the client's pace as a chunked download (Content-Disposition: attachment). The counts known only at the end come as HTTP trailers (declared in the `Trailer` header): " +
    `${EXPORT_TRAILERS.join(", ")}. A gold export without a status filter holds curated documents only; X-Gloss-Uncurated-Excluded (also sent as a header) says how many it left out.`,
  request: { params: ProjectParams, query: ExportQuery },
  responses: {
    200: {
      description: "The export file (its content type follows the format)",
      content: streamedContent(EXPORT_CONTENT),
      headers: {
        "Content-Disposition": { description: "attachment, with the file name", schema: { type: "string" } },
        Trailer: { description: "The trailers that follow the body", schema: { type: "string" } },
        "X-Gloss-Uncurated-Excluded": {
          description: "Documents left out of a gold export because their curation is not done",
          schema: { type: "integer" },
        },
      },
    },
    ...memberErrors,
  },
});

const importRoute = createRoute({
  method: "post",
  path: "/projects/{id}/annotations/import",
  operationId: "importAnnotations",
  tags: ["export"],
  summary: "Import annotations into a layer (managers; curators into gold)",
  description:
    "The file is the raw body or the multipart field `file`, bounded by GLOSS_MAX_ANNOTATION_IMPORT_BYTES (413). Every annotation is checked before any is written (400 invalid_import lists the issues); spans already in the layer are skipped.",
  request: { params: ProjectParams, query: ImportQuery, ...streamedBody(ANNOTATION_IMPORT_BODIES) },
  responses: {
    200: json(AnnotationImportResultDto, "What was imported"),
    ...memberErrors,
    409: errors[409],
    413: errors[413],
  },
});

/**
 * Export (`GET /projects/:id/export`, managers and curators) and annotation import
 * (`POST /projects/:id/annotations/import`, managers; curators into gold). Non-members get 404.
 */
export function exportRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;

  app.openapi(exportRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager", "curator");
    const query = c.req.valid("query");
    // the request's signal is aborted when the client goes away: the export stops at its next page
    const job = await openExport(deps, access.project.id, query, c.req.raw.signal);
    return exportResponse(c, job, deps.log);
  });

  app.openapi(importRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    const q = c.req.valid("query");
    if (q.layer === "gold") requireRole(access, "manager", "curator");
    else requireRole(access, "manager");
    const owner = layerUserId(q.layer);
    const member = owner === null || (await call(store, findMember, access.project.id, owner)) !== undefined;
    if (!member)
      throw new HttpError(
        400,
        "bad_request",
        `layer ${q.layer}: user ${owner} is not a member of the project`,
      );
    // the upload reader bounds the body while it streams (413 payload_too_large, nothing stored)
    const limit = limitOf(deps.config, "maxAnnotationImportBytes");
    // in a holder the import empties: this frame, suspended until the import ends, does not keep the upload
    const file: { bytes: Uint8Array | null } = { bytes: null };
    let fileName: string | undefined;
    if ((c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
      const part = await readFilePart(c.req.raw, limit, "file");
      if (!part) throw new HttpError(400, "bad_request", "Send the file in the multipart field `file`");
      file.bytes = part.bytes;
      fileName = part.filename ?? undefined;
    } else {
      file.bytes = await readBody(c.req.raw, limit, "The annotation file");
    }
    if (!file.bytes.byteLength) throw new HttpError(400, "bad_request", "The request has no file");
    const result = await importAnnotations(
      { store, collab: deps.collab },
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
      file,
    );
    warmSummaries(deps, access.project.id);
    return c.json(result, 200);
  });

  return app;
}
