/**
 * `PUT /documents/:id/layers/:layer/state`: an annotator marks their layer done (read-only from then on,
 * enforced on the socket and REST) or reopens it; a manager may reopen anyone's. The only way a layer's
 * state changes: socket clients may not write it.
 */

import { getLayerState, LayerParams, LayerStateBody, LayerStateDto, setLayerStatus } from "@gloss/shared";
import { createRoute } from "@hono/zod-openapi";
import type { Deps } from "../../context";
import { call } from "../../db/store";
import { createRouter, errors, json, jsonBody, memberErrors, readJson } from "../openapi";
import { openLayer, REST_ORIGIN } from "./access";

const getRoute = createRoute({
  method: "get",
  path: "/documents/{id}/layers/{layer}/state",
  operationId: "getLayerState",
  tags: ["layers"],
  summary: "A layer's status (in progress, done, or never set)",
  request: { params: LayerParams },
  responses: { 200: json(LayerStateDto, "The state"), ...memberErrors },
});
const putRoute = createRoute({
  method: "put",
  path: "/documents/{id}/layers/{layer}/state",
  operationId: "setLayerState",
  tags: ["layers"],
  summary: "Mark a layer done (read-only from then on) or reopen it (its annotator, or a manager)",
  middleware: readJson(),
  request: { params: LayerParams, ...jsonBody(LayerStateBody) },
  responses: { 200: json(LayerStateDto, "The state"), ...memberErrors, 409: errors[409] },
});

export function stateRoutes(deps: Deps) {
  const app = createRouter();
  const { store } = deps;
  const unit = "codepoint"; // a state carries no offsets

  app.openapi(getRoute, async (c) => {
    const layer = await call(
      store,
      openLayer,
      { user: c.get("user"), params: c.req.valid("param"), unit },
      "read",
    );
    const state = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => getLayerState(doc));
    return c.json(
      {
        layer: layer.layer,
        status: state?.status ?? null,
        setBy: state?.setBy ?? null,
        updatedAt: state?.updatedAt ?? null,
      },
      200,
    );
  });

  app.openapi(putRoute, async (c) => {
    const layer = await call(
      store,
      openLayer,
      { user: c.get("user"), params: c.req.valid("param"), unit },
      "status",
    );
    const { status } = c.req.valid("json");
    const state = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => {
      setLayerStatus(doc, status, layer.user.id, REST_ORIGIN);
      return getLayerState(doc);
    });
    // The lock is read from the projection: write it before the sockets are decided again (app.ts).
    await deps.collab.flush();
    return c.json(
      {
        layer: layer.layer,
        status: state?.status ?? status,
        setBy: state?.setBy ?? null,
        updatedAt: state?.updatedAt ?? null,
      },
      200,
    );
  });

  return app;
}
