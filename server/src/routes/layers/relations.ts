/** `/documents/:id/layers/:layer/relations`: relations between spans of a live layer. */

import {
  addRelation,
  LayerParams,
  listRelations,
  RelationBody,
  RelationDto,
  RelationListDto,
  RelationParams,
  RelationPatchBody,
  relationDto,
  removeRelation,
  updateRelation,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { notFound } from "../../errors";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";
import { assertQuota, openLayer, REST_ORIGIN } from "./access";
import { validated } from "./spans";

const tags = ["layers"];
const writeErrors = { ...memberErrors, 409: errors[409] };
const listRoute = createRoute({
  method: "get",
  path: "/documents/{id}/layers/{layer}/relations",
  operationId: "listRelations",
  tags,
  summary: "The relations of a live layer",
  request: { params: LayerParams },
  responses: { 200: json(RelationListDto, "The relations"), ...memberErrors },
});
const addRoute = createRoute({
  method: "post",
  path: "/documents/{id}/layers/{layer}/relations",
  operationId: "addRelation",
  tags,
  summary: "Relate two spans of the layer (the type must be one of the project's)",
  middleware: readJson(),
  request: { params: LayerParams, ...jsonBody(RelationBody) },
  responses: { 201: json(RelationDto, "The relation"), ...writeErrors },
});
const patchRoute = createRoute({
  method: "patch",
  path: "/documents/{id}/layers/{layer}/relations/{relationId}",
  operationId: "updateRelation",
  tags,
  summary: "Change a relation's ends or type",
  middleware: readJson(),
  request: { params: RelationParams, ...jsonBody(RelationPatchBody) },
  responses: { 200: json(RelationDto, "The relation"), ...writeErrors },
});
const deleteRoute = createRoute({
  method: "delete",
  path: "/documents/{id}/layers/{layer}/relations/{relationId}",
  operationId: "removeRelation",
  tags,
  summary: "Remove a relation",
  request: { params: RelationParams },
  responses: { 204: { description: "Removed" }, ...writeErrors },
});

export function relationRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;
  // relations carry no offsets: the unit is irrelevant to them
  const unit = "codepoint";

  app.openapi(listRoute, async (c) => {
    const layer = await call(
      store,
      openLayer,
      { user: c.get("user"), params: c.req.valid("param"), unit },
      "read",
    );
    const relations = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => listRelations(doc));
    return c.json({ relations: relations.map(relationDto) }, 200);
  });

  app.openapi(addRoute, async (c) => {
    const layer = await call(
      store,
      openLayer,
      { user: c.get("user"), params: c.req.valid("param"), unit },
      "write",
    );
    const body = c.req.valid("json");
    const relation = await validated(() =>
      deps.collab.withDoc(
        layer.documentId,
        layer.layer,
        (doc) =>
          assertQuota(doc, deps.collab.limits, { relations: 1, bytes: 160 }) ??
          addRelation(doc, { ...body, author: layer.user.id }, layer.ctx, REST_ORIGIN),
      ),
    );
    return c.json(relationDto(relation), 201);
  });

  app.openapi(patchRoute, async (c) => {
    const params = c.req.valid("param");
    const layer = await call(store, openLayer, { user: c.get("user"), params, unit }, "write");
    const id = params.relationId;
    const body = c.req.valid("json");
    const relation = await validated(() =>
      deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
        updateRelation(doc, id, body, layer.ctx, REST_ORIGIN),
      ),
    );
    if (!relation) throw notFound(`No relation ${id} in layer ${layer.layer}`);
    return c.json(relationDto(relation), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const params = c.req.valid("param");
    const layer = await call(store, openLayer, { user: c.get("user"), params, unit }, "write");
    const id = params.relationId;
    const removed = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
      removeRelation(doc, id, REST_ORIGIN),
    );
    if (!removed) throw notFound(`No relation ${id} in layer ${layer.layer}`);
    return c.body(null, 204);
  });

  return app;
}
