/** `/documents/:id/layers/:layer/relations`: relations between spans of a live layer. */
import {
  addRelation,
  listRelations,
  RelationBody,
  RelationPatchBody,
  removeRelation,
  updateRelation,
} from "@gloss/shared";
import { Hono } from "hono";
import type { AppEnv, Deps } from "../../context";
import { notFound } from "../../errors";
import { openLayer, REST_ORIGIN } from "./access";
import { toRelationDto } from "./dto";
import { validated } from "./spans";

export function relationRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const base = "/documents/:id/layers/:layer/relations";

  app.get(base, async (c) => {
    const layer = openLayer(deps, c, "read");
    const relations = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) => listRelations(doc));
    return c.json({ relations: relations.map(toRelationDto) });
  });

  app.post(base, async (c) => {
    const layer = openLayer(deps, c, "write");
    const body = RelationBody.parse(await c.req.json());
    const relation = await validated(() =>
      deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
        addRelation(doc, { ...body, author: layer.user.id }, layer.ctx, REST_ORIGIN),
      ),
    );
    return c.json(toRelationDto(relation), 201);
  });

  app.patch(`${base}/:relationId`, async (c) => {
    const layer = openLayer(deps, c, "write");
    const id = c.req.param("relationId");
    const body = RelationPatchBody.parse(await c.req.json());
    const relation = await validated(() =>
      deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
        updateRelation(doc, id, body, layer.ctx, REST_ORIGIN),
      ),
    );
    if (!relation) throw notFound(`No relation ${id} in layer ${layer.layer}`);
    return c.json(toRelationDto(relation));
  });

  app.delete(`${base}/:relationId`, async (c) => {
    const layer = openLayer(deps, c, "write");
    const id = c.req.param("relationId");
    const removed = await deps.collab.withDoc(layer.documentId, layer.layer, (doc) =>
      removeRelation(doc, id, REST_ORIGIN),
    );
    if (!removed) throw notFound(`No relation ${id} in layer ${layer.layer}`);
    return c.body(null, 204);
  });

  return app;
}
