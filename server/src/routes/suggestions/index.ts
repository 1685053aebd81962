/**
 * Suggestions (issue 14): a project's recommenders (`/projects/:id/recommenders…`: members list them,
 * managers manage them) and the suggestions they make to the caller for their own layer
 * (`/documents/:id/suggestions…`: read, accept into the layer through its live room, reject, accept all above
 * a score). Offsets are Unicode code points unless `?offsets=utf16`.
 */
import {
  AcceptAllBody,
  DocumentParams,
  OffsetsQuery,
  ProjectParams,
  RecommenderDto,
  RecommenderInput,
  RecommenderListDto,
  RecommenderParams,
  RecommenderPatch,
  RecommenderQualityDto,
  SpanDto,
  SuggestionKey,
  SuggestionListDto,
} from "@gloss/shared";
import { createRoute, z } from "@hono/zod-openapi";
import { projectAccess, requireRole } from "../../auth/access";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { conflict } from "../../errors";
import { ExternalRecommenders } from "../../services/suggestions/external";
import { health, setup } from "../../services/suggestions/labelStudio";
import {
  createRecommender,
  deleteRecommender,
  getRecommender,
  listRecommenders,
  toRecommenderDto,
  updateRecommender,
} from "../../services/suggestions/recommenders";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";
import { suggestionHandlers } from "./handlers";

const tags = ["suggestions"];
const writeErrors = { ...memberErrors, 409: errors[409] };

const listRoute = createRoute({
  method: "get",
  path: "/projects/{id}/recommenders",
  operationId: "listRecommenders",
  tags,
  summary: "The project's recommenders (members)",
  request: { params: ProjectParams },
  responses: { 200: json(RecommenderListDto, "The recommenders"), ...memberErrors },
});
const createRecommenderRoute = createRoute({
  method: "post",
  path: "/projects/{id}/recommenders",
  operationId: "createRecommender",
  tags,
  summary: "Add a recommender (managers)",
  middleware: readJson(),
  request: { params: ProjectParams, ...jsonBody(RecommenderInput) },
  responses: { 201: json(RecommenderDto, "The recommender"), ...memberErrors },
});
const patchRoute = createRoute({
  method: "patch",
  path: "/projects/{id}/recommenders/{recommenderId}",
  operationId: "updateRecommender",
  tags,
  summary: "Rename, enable/disable or reconfigure a recommender (managers)",
  middleware: readJson(),
  request: { params: RecommenderParams, ...jsonBody(RecommenderPatch) },
  responses: { 200: json(RecommenderDto, "The recommender"), ...memberErrors },
});
const deleteRoute = createRoute({
  method: "delete",
  path: "/projects/{id}/recommenders/{recommenderId}",
  operationId: "deleteRecommender",
  tags,
  summary: "Delete a recommender, its rejections and its cached suggestions (managers)",
  request: { params: RecommenderParams },
  responses: { 204: { description: "Deleted" }, ...memberErrors },
});
const qualityRoute = createRoute({
  method: "get",
  path: "/projects/{id}/recommenders/{recommenderId}/quality",
  operationId: "recommenderQuality",
  tags,
  summary:
    "Precision, recall and F1 per label on held-out documents (built-in recommenders; curators, managers)",
  request: { params: RecommenderParams },
  responses: { 200: json(RecommenderQualityDto, "The figures"), ...writeErrors },
});
const HealthDto = z
  .object({
    up: z.boolean(),
    modelClass: z.string().nullable(),
    modelVersion: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "RecommenderHealth" });
const healthRoute = createRoute({
  method: "post",
  path: "/projects/{id}/recommenders/{recommenderId}/health",
  operationId: "checkRecommender",
  tags,
  summary: "Call an external backend's /health and /setup now (managers)",
  request: { params: RecommenderParams },
  responses: { 200: json(HealthDto, "What the backend answered"), ...writeErrors },
});

const suggestionsRoute = createRoute({
  method: "get",
  path: "/documents/{id}/suggestions",
  operationId: "listSuggestions",
  tags,
  summary: "Suggestions for the caller's own layer of the document",
  request: { params: DocumentParams, query: OffsetsQuery },
  responses: { 200: json(SuggestionListDto, "The suggestions"), ...memberErrors },
});
const acceptRoute = createRoute({
  method: "post",
  path: "/documents/{id}/suggestions/accept",
  operationId: "acceptSuggestion",
  tags,
  summary: "Write one suggestion into the caller's own layer, with its provenance",
  middleware: readJson(),
  request: { params: DocumentParams, query: OffsetsQuery, ...jsonBody(SuggestionKey) },
  responses: { 201: json(SpanDto, "The span written"), ...writeErrors },
});
const rejectRoute = createRoute({
  method: "post",
  path: "/documents/{id}/suggestions/reject",
  operationId: "rejectSuggestion",
  tags,
  summary: "Reject a suggestion: never proposed to the caller again by that recommender",
  middleware: readJson(),
  request: { params: DocumentParams, query: OffsetsQuery, ...jsonBody(SuggestionKey) },
  responses: { 204: { description: "Rejected" }, ...writeErrors },
});
const acceptAllRoute = createRoute({
  method: "post",
  path: "/documents/{id}/suggestions/accept-all",
  operationId: "acceptAllSuggestions",
  tags,
  summary: "Accept every suggestion of a label scoring at least the threshold",
  middleware: readJson(),
  request: { params: DocumentParams, query: OffsetsQuery, ...jsonBody(AcceptAllBody) },
  responses: {
    200: json(
      z.object({ accepted: z.array(SpanDto) }).meta({ id: "AcceptedSuggestions" }),
      "The spans written",
    ),
    ...writeErrors,
  },
});

/** Suggestion routes; one engine of external calls per app. */
export function suggestionRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;
  const external = new ExternalRecommenders(store, deps.log);
  const handlers = suggestionHandlers(deps, external);

  app.openapi(listRoute, async (c) => {
    const { project } = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    const rows = await call(store, listRecommenders, project.id);
    return c.json({ recommenders: rows.map(toRecommenderDto) }, 200);
  });

  app.openapi(createRecommenderRoute, async (c) => {
    const access = await call(store, projectAccess, c.get("user"), c.req.valid("param").id);
    requireRole(access, "manager");
    const row = await call(store, createRecommender, access.user.id, access.project.id, c.req.valid("json"));
    return c.json(toRecommenderDto(row), 201);
  });

  app.openapi(patchRoute, async (c) => {
    const { id, recommenderId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    const row = await call(store, updateRecommender, access.user.id, id, recommenderId, c.req.valid("json"));
    external.forget(recommenderId);
    return c.json(toRecommenderDto(row), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { id, recommenderId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    await call(store, deleteRecommender, access.user.id, id, recommenderId);
    external.forget(recommenderId);
    return c.body(null, 204);
  });

  app.openapi(qualityRoute, async (c) => {
    const { id, recommenderId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "curator", "manager");
    return c.json(await handlers.quality(id, recommenderId), 200);
  });

  app.openapi(healthRoute, async (c) => {
    const { id, recommenderId } = c.req.valid("param");
    const access = await call(store, projectAccess, c.get("user"), id);
    requireRole(access, "manager");
    const rec = await call(store, getRecommender, id, recommenderId);
    if (rec.kind !== "label-studio-ml") throw conflict("Only external recommenders have a backend to check");
    const config = rec.config as { url: string; timeoutMs: number };
    try {
      const h = await health(config.url, config.timeoutMs);
      const labels = await handlers.labelsOf(id);
      const modelVersion = await setup(config.url, `${id}.${rec.id}`, labels, config.timeoutMs);
      return c.json({ up: h.up, modelClass: h.modelClass ?? null, modelVersion, error: null }, 200);
    } catch (err) {
      return c.json({ up: false, modelClass: null, modelVersion: null, error: (err as Error).message }, 200);
    }
  });

  app.openapi(suggestionsRoute, async (c) => {
    const unit = c.req.valid("query").offsets;
    return c.json(await handlers.list(c.get("user"), c.req.valid("param").id, unit), 200);
  });

  app.openapi(acceptRoute, async (c) => {
    const unit = c.req.valid("query").offsets;
    return c.json(
      await handlers.accept(c.get("user"), c.req.valid("param").id, unit, c.req.valid("json")),
      201,
    );
  });

  app.openapi(rejectRoute, async (c) => {
    const unit = c.req.valid("query").offsets;
    await handlers.reject(c.get("user"), c.req.valid("param").id, unit, c.req.valid("json"));
    return c.body(null, 204);
  });

  app.openapi(acceptAllRoute, async (c) => {
    const unit = c.req.valid("query").offsets;
    const accepted = await handlers.acceptAll(
      c.get("user"),
      c.req.valid("param").id,
      unit,
      c.req.valid("json"),
    );
    return c.json({ accepted }, 200);
  });

  return app;
}
