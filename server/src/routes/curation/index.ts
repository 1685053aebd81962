/**
 * Adjudication routes, for curators, managers and admins only (annotators 403, non-members 404):
 *   GET  /documents/:id/curation               aligned layers, disagreements, gold, status, counts
 *   POST /documents/:id/curation/auto-merge    agreed spans → gold (idempotent)
 *   POST /documents/:id/curation/decisions     accept | edit | reject | unreject | remove | accept-relation | remove-relation
 *   PUT  /documents/:id/curation/status        todo | in_progress | done
 *   GET  /projects/:id/curation                per-document progress and the next document to curate
 * Offsets are code points unless `?offsets=utf16`. The rules are in services/curation/ (docs/curation.md
 * describes them); these handlers only parse input, call them and answer.
 */

import {
  AutoMergeBody,
  AutoMergeResultDto,
  CurationDecisionBody,
  CurationDecisionResultDto,
  CurationStatusBody,
  CurationStatusDto,
  CurationViewQuery,
  canCurate,
  DocumentCurationDto,
  DocumentParams,
  OffsetsQuery,
  type OffsetUnit,
  ProjectCurationDto,
  ProjectCurationQuery,
  ProjectParams,
  type UserDto,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import { type DocumentAccess, documentAccess, type ProjectAccess, projectAccess } from "../../auth/access";
import type { Deps } from "../../context";
import { call, type Store } from "../../db/store";
import { forbidden } from "../../errors";
import {
  applyDecision,
  autoMerge,
  changeCurationStatus,
  type DtoContext,
  documentCuration,
  labelNames,
  Offsets,
  projectCuration,
} from "../../services/curation";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";

const tags = ["curation"];
const writeErrors = { ...memberErrors, 409: errors[409] };

const documentRoute = createRoute({
  method: "get",
  path: "/documents/{id}/curation",
  operationId: "getDocumentCuration",
  tags,
  summary: "One document's aligned annotator layers, disagreements, gold, status and counts",
  request: { params: DocumentParams, query: CurationViewQuery },
  responses: { 200: json(DocumentCurationDto, "The curation view"), ...memberErrors },
});
const autoMergeRoute = createRoute({
  method: "post",
  path: "/documents/{id}/curation/auto-merge",
  operationId: "autoMerge",
  tags,
  summary: "Write every agreed annotator span (and relation) gold lacks into gold (idempotent)",
  middleware: readJson({ emptyAs: {} }),
  request: {
    params: DocumentParams,
    query: OffsetsQuery,
    body: {
      content: { "application/json": { schema: AutoMergeBody } },
      required: false,
      description: "Optional: an empty body or none means the project's defaults",
    },
  },
  responses: { 200: json(AutoMergeResultDto, "What was added and skipped"), ...writeErrors },
});
const decisionRoute = createRoute({
  method: "post",
  path: "/documents/{id}/curation/decisions",
  operationId: "decideCuration",
  tags,
  summary: "One curator decision on gold (compare-and-set with `expected`: 409 already_decided)",
  middleware: readJson(),
  request: { params: DocumentParams, query: OffsetsQuery, ...jsonBody(CurationDecisionBody) },
  responses: { 200: json(CurationDecisionResultDto, "What the decision changed"), ...writeErrors },
});
const statusRoute = createRoute({
  method: "put",
  path: "/documents/{id}/curation/status",
  operationId: "setCurationStatus",
  tags,
  summary: "Set a document's curation status (done makes its layers read-only)",
  middleware: readJson(),
  request: { params: DocumentParams, ...jsonBody(CurationStatusBody) },
  responses: { 200: json(CurationStatusDto, "The status"), ...writeErrors },
});
const projectRoute = createRoute({
  method: "get",
  path: "/projects/{id}/curation",
  operationId: "getProjectCuration",
  tags,
  summary:
    "A page of a project's curation progress (search, filter, sort), its counts, and the next document to curate",
  request: { params: ProjectParams, query: ProjectCurationQuery },
  responses: { 200: json(ProjectCurationDto, "The progress"), ...memberErrors },
});

const CURATORS_ONLY = "Curation is for the project's curators and managers";

/** The document, if the caller may curate it. */
async function curatorDocument(store: Store, user: UserDto | null, id: number): Promise<DocumentAccess> {
  const access = await call(store, documentAccess, user, id);
  if (!canCurate(access.role)) throw forbidden(CURATORS_ONLY);
  return access;
}

async function curatorProject(store: Store, user: UserDto | null, id: number): Promise<ProjectAccess> {
  const access = await call(store, projectAccess, user, id);
  if (!canCurate(access.role)) throw forbidden(CURATORS_ONLY);
  return access;
}

const dtoContext = async (store: Store, access: DocumentAccess, unit: OffsetUnit): Promise<DtoContext> => ({
  offsets: new Offsets(access.document.text, unit),
  labels: await call(store, labelNames, access.project.id),
});

/** Routes under /api (full paths). */
export function curationRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;

  app.openapi(documentRoute, async (c) => {
    const access = await curatorDocument(store, c.get("user"), c.req.valid("param").id);
    const { offsets, ...opts } = c.req.valid("query");
    const body = await documentCuration(store, deps, access, await dtoContext(store, access, offsets), opts);
    return c.json(body, 200);
  });

  app.openapi(autoMergeRoute, async (c) => {
    const access = await curatorDocument(store, c.get("user"), c.req.valid("param").id);
    const body = c.req.valid("json");
    const dto = await dtoContext(store, access, c.req.valid("query").offsets);
    const result = await autoMerge(store, deps, access, body, dto);
    deps.log.info("auto-merge", {
      documentId: access.document.id,
      by: access.user.id,
      spans: result.added.spans.length,
      relations: result.added.relations.length,
    });
    return c.json(result, 200);
  });

  app.openapi(decisionRoute, async (c) => {
    const access = await curatorDocument(store, c.get("user"), c.req.valid("param").id);
    const dto = await dtoContext(store, access, c.req.valid("query").offsets);
    const result = await applyDecision(store, deps, access, dto, c.req.valid("json"));
    return c.json(result, 200);
  });

  app.openapi(statusRoute, async (c) => {
    const access = await curatorDocument(store, c.get("user"), c.req.valid("param").id);
    const { status } = c.req.valid("json");
    await call(store, changeCurationStatus, access, status);
    return c.json({ documentId: access.document.id, status }, 200);
  });

  app.openapi(projectRoute, async (c) => {
    const access = await curatorProject(store, c.get("user"), c.req.valid("param").id);
    return c.json(await projectCuration(deps, access, c.req.valid("query")), 200);
  });

  return app;
}
