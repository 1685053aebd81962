/**
 * `PUT /documents/:id/layers/:layer/state`: an annotator marks their layer done (read-only from then on,
 * enforced on the socket and REST) or reopens it; a manager may reopen anyone's. The only way a layer's
 * state changes: socket clients may not write it.
 */
import { getLayerState, LayerStateBody, setLayerStatus } from "@gloss/shared";
import { Hono } from "hono";
import type { AppEnv, Deps } from "../../context";
import { openLayer, REST_ORIGIN } from "./access";

export function stateRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.get("/documents/:id/layers/:layer/state", async (c) => {
    const layer = openLayer(deps, c, "read");
    const state = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => getLayerState(doc));
    return c.json({
      layer: layer.layer,
      status: state?.status ?? null,
      setBy: state?.setBy ?? null,
      updatedAt: state?.updatedAt ?? null,
    });
  });
  app.put("/documents/:id/layers/:layer/state", async (c) => {
    const layer = openLayer(deps, c, "status");
    const { status } = LayerStateBody.parse(await c.req.json());
    const state = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => {
      setLayerStatus(doc, status, layer.user.id, REST_ORIGIN);
      return getLayerState(doc);
    });
    // The lock is read from the projection: write it before the sockets are decided again (app.ts).
    await deps.collab.flush();
    return c.json({
      layer: layer.layer,
      status: state?.status ?? status,
      setBy: state?.setBy ?? null,
      updatedAt: state?.updatedAt ?? null,
    });
  });
  return app;
}
