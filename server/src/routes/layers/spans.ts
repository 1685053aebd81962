/** `/documents/:id/layers/:layer/spans`: spans of a live layer, written through its Y.Doc. */

import {
  addSpan,
  getSpan,
  LayerParams,
  LayerValidationError,
  listSpans,
  OffsetsQuery,
  removeSpan,
  SpanBody,
  SpanDto,
  SpanListDto,
  SpanParams,
  SpanPatchBody,
  updateSpan,
} from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { notFound } from "../../errors";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";
import { assertQuota, fieldError, openLayer, REST_ORIGIN } from "./access";
import { inboundOffset, resolveLabel, toSpanDto } from "./dto";

const tags = ["layers"];
const writeErrors = { ...memberErrors, 409: errors[409] };
const listRoute = createRoute({
  method: "get",
  path: "/documents/{id}/layers/{layer}/spans",
  operationId: "listSpans",
  tags,
  summary: "The spans of a live layer",
  request: { params: LayerParams, query: OffsetsQuery },
  responses: { 200: json(SpanListDto, "The spans"), ...memberErrors },
});
const getRoute = createRoute({
  method: "get",
  path: "/documents/{id}/layers/{layer}/spans/{spanId}",
  operationId: "getSpan",
  tags,
  summary: "One span",
  request: { params: SpanParams, query: OffsetsQuery },
  responses: { 200: json(SpanDto, "The span"), ...memberErrors },
});
const addRoute = createRoute({
  method: "post",
  path: "/documents/{id}/layers/{layer}/spans",
  operationId: "addSpan",
  tags,
  summary: "Add a span (connected editors see it at once)",
  middleware: readJson(),
  request: { params: LayerParams, query: OffsetsQuery, ...jsonBody(SpanBody) },
  responses: { 201: json(SpanDto, "The span"), ...writeErrors },
});
const patchRoute = createRoute({
  method: "patch",
  path: "/documents/{id}/layers/{layer}/spans/{spanId}",
  operationId: "updateSpan",
  tags,
  summary: "Change a span's offsets, label or note",
  middleware: readJson(),
  request: { params: SpanParams, query: OffsetsQuery, ...jsonBody(SpanPatchBody) },
  responses: { 200: json(SpanDto, "The span"), ...writeErrors },
});
const deleteRoute = createRoute({
  method: "delete",
  path: "/documents/{id}/layers/{layer}/spans/{spanId}",
  operationId: "removeSpan",
  tags,
  summary: "Remove a span (and its relations)",
  request: { params: SpanParams },
  responses: { 204: { description: "Removed" }, ...writeErrors },
});

/** Runs a layer write, turning the layer model's validation errors into a 400 naming the field. */
export async function validated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof LayerValidationError) throw fieldError(err.field, err.message);
    throw err;
  }
}

export function spanRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;

  app.openapi(listRoute, async (c) => {
    const unit = c.req.valid("query").offsets;
    const layer = await call(
      store,
      openLayer,
      { user: c.get("user"), params: c.req.valid("param"), unit },
      "read",
    );
    const spans = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => listSpans(doc));
    return c.json({ spans: spans.flatMap((s) => toSpanDto(layer, s) ?? []) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const params = c.req.valid("param");
    const unit = c.req.valid("query").offsets;
    const layer = await call(store, openLayer, { user: c.get("user"), params, unit }, "read");
    const id = params.spanId;
    const span = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => getSpan(doc, id));
    const dto = span && toSpanDto(layer, span);
    if (!dto) throw notFound(`No span ${id} in layer ${layer.layer}`);
    return c.json(dto, 200);
  });

  app.openapi(addRoute, async (c) => {
    const unit = c.req.valid("query").offsets;
    const layer = await call(
      store,
      openLayer,
      { user: c.get("user"), params: c.req.valid("param"), unit },
      "write",
    );
    const body = c.req.valid("json");
    if (body.start >= body.end)
      throw fieldError("start", `start ${body.start} must be before end ${body.end}`);
    const start = inboundOffset(layer, body.start, "start");
    const end = inboundOffset(layer, body.end, "end");
    const label = resolveLabel(layer, body.label);
    const span = await validated(() =>
      deps.collab.withDoc(
        layer.documentId,
        layer.layer,
        (doc) =>
          assertQuota(doc, deps.collab.limits, { spans: 1, bytes: 160 + (body.note?.length ?? 0) }) ??
          addSpan(doc, { start, end, label, author: layer.user.id, note: body.note }, layer.ctx, REST_ORIGIN),
      ),
    );
    const dto = toSpanDto(layer, span);
    if (!dto) throw new Error(`span ${span.id} was stored but cannot be shown`);
    return c.json(dto, 201);
  });

  app.openapi(patchRoute, async (c) => {
    const params = c.req.valid("param");
    const unit = c.req.valid("query").offsets;
    const layer = await call(store, openLayer, { user: c.get("user"), params, unit }, "write");
    const id = params.spanId;
    const body = c.req.valid("json");
    const patch = {
      start: body.start === undefined ? undefined : inboundOffset(layer, body.start, "start"),
      end: body.end === undefined ? undefined : inboundOffset(layer, body.end, "end"),
      label: body.label === undefined ? undefined : resolveLabel(layer, body.label),
      note: body.note,
    };
    const span = await validated(() =>
      deps.collab.withDoc(
        layer.documentId,
        layer.layer,
        (doc) =>
          assertQuota(doc, deps.collab.limits, { bytes: patch.note?.length ?? 0 }) ??
          updateSpan(doc, id, patch, layer.ctx, REST_ORIGIN),
      ),
    );
    const dto = span && toSpanDto(layer, span);
    if (!dto) throw notFound(`No span ${id} in layer ${layer.layer}`);
    return c.json(dto, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const params = c.req.valid("param");
    // a removal names no offsets: the unit is irrelevant
    const layer = await call(store, openLayer, { user: c.get("user"), params, unit: "codepoint" }, "write");
    const id = params.spanId;
    const removed = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
      removeSpan(doc, id, REST_ORIGIN),
    );
    if (!removed) throw notFound(`No span ${id} in layer ${layer.layer}`);
    return c.body(null, 204);
  });

  return app;
}
